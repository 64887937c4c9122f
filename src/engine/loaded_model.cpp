#include "engine/loaded_model.h"

namespace smolvlm {

LoadedModel::LoadedModel(const std::string& model_dir, size_t image_cache_bytes, kernels::ComputeMode mode,
                         const WeightDtypes& quantize)
    : LoadedModel(model_dir, TensorStore::open_dir(model_dir), image_cache_bytes, mode, quantize) {}

LoadedModel::LoadedModel(const std::string& model_dir, TensorStore weights_in, size_t image_cache_bytes,
                         kernels::ComputeMode mode, const WeightDtypes& quantize)
    : config(load_model_config(model_dir)),
      generation_config(load_generation_config(model_dir)),
      weights(quantize_store(std::move(weights_in), config, quantize)),
      decoder(weights, config, mode),
      vision(config.vision ? std::make_unique<VisionEncoder>(weights, config, mode) : nullptr),
      prompts(model_dir, config, decoder, vision.get(), image_cache_bytes) {}

}  // namespace smolvlm
