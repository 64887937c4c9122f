// A checkpoint folder loaded once: configs, mmapped weights, the text decoder,
// the vision tower and the prompt builder. The one-shot Engine and the server
// each hold one; everything in it is read-only after loading except the
// prompt builder's image cache, which locks.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "engine/prompt_builder.h"
#include "io/model_config.h"
#include "io/safetensors.h"
#include "model/text_decoder.h"
#include "model/vision_encoder.h"
#include "smolvlm.h"
#include "model/weight_quantization.h"

namespace smolvlm {

// The KV cache element type LoadOptions ask for: kv_cache_dtype, else F32 for
// exact arithmetic and BF16 for bf16_compute.
KvElement kv_element_for(const LoadOptions& options);

struct LoadedModel {
  // Throws Error naming the file or tensor that is missing or malformed.
  // `quantize`: weights block-quantized at load (model/weight_quantization.h).
  // `lora`: PEFT adapters read against the config and applied unmerged by the decoder.
  explicit LoadedModel(const std::string& model_dir, size_t image_cache_bytes = size_t{64} << 20,
                       kernels::ComputeMode mode = kernels::ComputeMode::Exact, const WeightDtypes& quantize = {},
                       const std::vector<LoraAdapterSpec>& lora = {});
  // The configs, tokenizer and chat template from `model_dir`, the weights
  // given (e.g. random ones made in memory by `smolvlm bench --like`), and
  // the arithmetic of the decoder and vision tower (kernels/compute_mode.h).
  LoadedModel(const std::string& model_dir, TensorStore weights, size_t image_cache_bytes,
              kernels::ComputeMode mode, const WeightDtypes& quantize = {},
              const std::vector<LoraAdapterSpec>& lora = {});
  // As the public LoadOptions ask (include/smolvlm.h): the Engine's and the server's way in;
  // the decoder's caches store K and V as kv_element_for(options).
  LoadedModel(const std::string& model_dir, size_t image_cache_bytes, const LoadOptions& options);
  LoadedModel(const LoadedModel&) = delete;
  LoadedModel& operator=(const LoadedModel&) = delete;

  ModelConfig config;
  GenerationConfig generation_config;
  TensorStore weights;
  TextDecoder decoder;                    // views into `weights`
  std::unique_ptr<VisionEncoder> vision;  // null for text-only checkpoints
  PromptBuilder prompts;
};

}  // namespace smolvlm
