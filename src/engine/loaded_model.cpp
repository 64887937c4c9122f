#include "engine/loaded_model.h"

namespace smolvlm {

LoadedModel::LoadedModel(const std::string& model_dir, size_t image_cache_bytes, kernels::ComputeMode mode)
    : LoadedModel(model_dir, TensorStore::open_dir(model_dir), image_cache_bytes, mode) {}

LoadedModel::LoadedModel(const std::string& model_dir, TensorStore weights_in, size_t image_cache_bytes,
                         kernels::ComputeMode mode)
    : config(load_model_config(model_dir)),
      generation_config(load_generation_config(model_dir)),
      weights(std::move(weights_in)),
      decoder(weights, config, mode),
      vision(config.vision ? std::make_unique<VisionEncoder>(weights, config, mode) : nullptr),
      prompts(model_dir, config, decoder, vision.get(), image_cache_bytes) {}

}  // namespace smolvlm
