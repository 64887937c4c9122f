// libFuzzer target for the video demux path: any bytes must give either a
// reader whose stream info is consistent, decodable sampled frames with a
// consistent layout, or a smolvlm::Error; never a crash, a hang, a sanitizer
// report or exit(). Limits are small so a declared size or count never makes
// the fuzzer run out of memory or time.
#include <cstdint>
#include <cstdlib>

#include "core/error.h"
#include "video/video_reader.h"
#include "video/video_sampling.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  smolvlm::VideoLimits limits;
  limits.max_pixels = 1 << 20;
  limits.max_side = 4096;
  limits.max_frames = 100000;
  try {
    smolvlm::VideoReader reader = smolvlm::VideoReader::open_memory({data, size}, "fuzz input", limits);
    const smolvlm::VideoStreamInfo& info = reader.info();
    check(info.width > 0 && info.height > 0 && info.width * info.height <= limits.max_pixels);
    check(info.indexed_frames > 0 && info.indexed_frames <= limits.max_frames);
    check(info.rate_num > 0 && info.rate_den > 0);
    check(info.rotation % 90 == 0 && info.rotation >= 0 && info.rotation < 360);
    // The sampler on the container's count, then a few frames by index.
    const int64_t total = info.container_frames > 0 ? info.container_frames : info.indexed_frames;
    const auto metadata = smolvlm::video_metadata(total, info.rate_num, info.rate_den);
    const std::vector<int64_t> sampled = smolvlm::sample_indices_fps(metadata, {1.0, 4, 1.0});
    check(!sampled.empty() && sampled.back() < total);
    reader.decode(sampled, [](int64_t, smolvlm::Image&& frame) {
      check(frame.width > 0 && frame.height > 0 && frame.mode == smolvlm::PixelMode::RGB);
      check(frame.data.size() == static_cast<size_t>(frame.width * frame.height * 3));
    });
  } catch (const smolvlm::Error&) {
  }
  return 0;
}
