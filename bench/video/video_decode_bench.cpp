// Video frames per second on a 60 s 1280x720 30 fps H.264 clip made here with
// FFmpeg's encoder (noisy synthetic content, ~2 s GOPs, B-frames): opening
// and indexing, decoding the 60 frames SmolVLM2's sampler picks (seeking to
// keyframes), and decoding plus the image processor's resize to 512 x 512
// (SPEC §9.3), against decoding every frame in order as PyAV does.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "video/synthetic_video.h"
#include "video/video_reader.h"
#include "video/video_sampling.h"
#include "vision/image_processor.h"

namespace smolvlm {
namespace {

const std::string& clip() {
  static const std::string path = [] {
    const std::string p = (std::filesystem::temp_directory_path() / "smolvlm_bench_720p_60s.mp4").string();
    if (!std::filesystem::exists(p)) {
      SyntheticVideo spec;
      spec.width = 1280;
      spec.height = 720;
      spec.frames = 1800;
      spec.gop = 60;
      spec.b_frames = 2;
      spec.noise = 4;
      write_synthetic_video(p + ".part", spec);
      std::filesystem::rename(p + ".part", p);
    }
    return p;
  }();
  return path;
}

std::vector<int64_t> sampled(const VideoReader& reader) {
  const VideoStreamInfo& info = reader.info();
  return sample_indices_fps(video_metadata(info.container_frames, info.rate_num, info.rate_den), {});
}

void BM_OpenAndIndex(benchmark::State& state) {
  const std::string& path = clip();  // made once, outside the timing
  for (auto _ : state) benchmark::DoNotOptimize(VideoReader::open_file(path).info().indexed_frames);
}

void BM_DecodeSampled(benchmark::State& state) {
  VideoReader reader = VideoReader::open_file(clip());
  const std::vector<int64_t> indices = sampled(reader);
  for (auto _ : state) reader.decode(indices, [](int64_t, Image&& f) { benchmark::DoNotOptimize(f.data.data()); });
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(indices.size()));
}

void BM_DecodeSampledAndPreprocess(benchmark::State& state) {
  VideoReader reader = VideoReader::open_file(clip());
  const std::vector<int64_t> indices = sampled(reader);
  ImageProcessorConfig config;  // SmolVLM2-256M: frames to 512 x 512, one tile
  config.longest_edge = 512;
  config.tile_size = 512;
  for (auto _ : state)
    reader.decode(indices, [&](int64_t, Image&& f) { benchmark::DoNotOptimize(preprocess_image(f, config).pixel_values); });
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(indices.size()));
}

void BM_DecodeEveryFrameInOrder(benchmark::State& state) {
  VideoReader reader = VideoReader::open_file(clip());
  std::vector<int64_t> all(static_cast<size_t>(reader.info().indexed_frames));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  for (auto _ : state) reader.decode(all, [](int64_t, Image&& f) { benchmark::DoNotOptimize(f.data.data()); });
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(all.size()));
}

// Wall time: the decoder runs on several threads.
BENCHMARK(BM_OpenAndIndex)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DecodeSampled)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DecodeSampledAndPreprocess)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DecodeEveryFrameInOrder)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace smolvlm
