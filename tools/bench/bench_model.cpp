#include "bench_model.h"

#include <filesystem>

#include "core/error.h"
#include "model/synthetic_checkpoint.h"
#include "temp_dir.h"

namespace smolvlm::bench {

namespace {

void read_frame_settings(BenchModel& m, const std::string& dir) {
  if (std::filesystem::exists(std::filesystem::path(dir) / "preprocessor_config.json"))
    m.image_processor = load_image_processor_config(dir);
  m.video_sampling = load_video_sampling_config(dir);
}

}  // namespace

BenchModel open_bench_model(const std::string& dir, kernels::ComputeMode mode, const WeightDtypes& quantize) {
  if (!std::filesystem::is_directory(dir)) throw Error(dir, "is not a checkpoint folder");
  BenchModel m{dir, "file", std::make_unique<LoadedModel>(dir, TensorStore::open_dir(dir), 0, mode, quantize), {}, {}};
  read_frame_settings(m, dir);
  return m;
}

BenchModel make_bench_model(const std::string& like, uint64_t seed, kernels::ComputeMode mode,
                            const WeightDtypes& quantize) {
  const TempDir configs;  // LoadedModel reads every file in it while constructing
  write_synthetic_configs(configs.path(), like);
  TensorStore weights = make_synthetic_weights(load_model_config(configs.path()), seed);
  BenchModel m{like, "random, in memory",
               std::make_unique<LoadedModel>(configs.path(), std::move(weights), 0, mode, quantize), {}, {}};
  read_frame_settings(m, configs.path());
  return m;
}

}  // namespace smolvlm::bench
