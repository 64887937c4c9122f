#include "engine/loaded_model.h"

#include "core/error.h"
#include "model/lora_io.h"
#include "model/weight_packing.h"

namespace smolvlm {
namespace {

std::vector<ScaledLora> load_adapters(const std::vector<LoraAdapterSpec>& specs, const ModelConfig& config) {
  std::vector<ScaledLora> adapters;
  for (const LoraAdapterSpec& spec : specs) adapters.push_back({load_lora_adapter(spec.path, config), spec.scale});
  return adapters;
}

std::optional<DType> weight_dtype(const std::optional<WeightDtype>& d) {
  if (!d) return std::nullopt;
  switch (*d) {
    case WeightDtype::Q8_0: return DType::Q8_0;
    case WeightDtype::Q4_0: return DType::Q4_0;
    case WeightDtype::Q4_K: return DType::Q4_K;
  }
  return std::nullopt;
}

WeightDtype public_weight_dtype(DType d) {
  switch (d) {
    case DType::Q8_0: return WeightDtype::Q8_0;
    case DType::Q4_0: return WeightDtype::Q4_0;
    case DType::Q4_K: return WeightDtype::Q4_K;
    default: throw Error("LoadOptions", "no public weight dtype for " + std::string(dtype_name(d)));
  }
}

}  // namespace

void LoadOptions::quantize_whole_model(WeightDtype dtype) {
  const WeightDtypes parts = whole_model_dtypes(*weight_dtype(dtype));
  text_weights = public_weight_dtype(*parts.text);
  vision_weights = public_weight_dtype(*parts.vision);
  connector_weights = public_weight_dtype(*parts.connector);
}

KvElement kv_element_for(const LoadOptions& options) {
  if (!options.kv_cache_dtype) return options.bf16_compute ? KvElement::BF16 : KvElement::F32;
  switch (*options.kv_cache_dtype) {
    case KvCacheDtype::F32: return KvElement::F32;
    case KvCacheDtype::BF16: return KvElement::BF16;
    case KvCacheDtype::F16: return KvElement::F16;
  }
  return KvElement::F32;
}

LoadedModel::LoadedModel(const std::string& model_dir, size_t image_cache_bytes, const LoadOptions& options)
    : LoadedModel(model_dir, image_cache_bytes,
                  options.bf16_compute ? kernels::ComputeMode::Fast : kernels::ComputeMode::Exact,
                  WeightDtypes{weight_dtype(options.text_weights), weight_dtype(options.vision_weights),
                               weight_dtype(options.connector_weights)},
                  options.lora) {
  decoder.set_kv_element(kv_element_for(options));
}

LoadedModel::LoadedModel(const std::string& model_dir, size_t image_cache_bytes, kernels::ComputeMode mode,
                         const WeightDtypes& quantize, const std::vector<LoraAdapterSpec>& lora)
    : LoadedModel(model_dir, TensorStore::open_dir(model_dir), image_cache_bytes, mode, quantize, lora) {}

LoadedModel::LoadedModel(const std::string& model_dir, TensorStore weights_in, size_t image_cache_bytes,
                         kernels::ComputeMode mode, const WeightDtypes& quantize,
                         const std::vector<LoraAdapterSpec>& lora)
    : config(load_model_config(model_dir)),
      generation_config(load_generation_config(model_dir)),
      weights(mode == kernels::ComputeMode::Fast
                  ? pack_store_for_fast_matmul(quantize_store(std::move(weights_in), config, quantize), config)
                  : quantize_store(std::move(weights_in), config, quantize)),
      decoder(weights, config, mode, load_adapters(lora, config)),
      vision(config.vision ? std::make_unique<VisionEncoder>(weights, config, mode) : nullptr),
      prompts(model_dir, config, decoder, vision.get(), image_cache_bytes) {}

}  // namespace smolvlm
