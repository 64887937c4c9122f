// `smolvlm bench --video`: a 60 s 1280x720 30 fps H.264 clip (made here with
// FFmpeg's encoder into a temporary folder, unless a clip is given), and on
// it, as the engine treats a video item (SPEC §9):
//   - decode + preprocess: the sampled frames decoded (seeking to keyframes)
//     and through the frame processor (4.51.3's image processor with the
//     checkpoint's video size), in frames per second;
//   - vision encoding of those frames, batched as the engine batches them, in
//     frames per second;
//   - the time to first token for a question about the clip, through the
//     engine's path (sampling, the producer/encoder pipeline, prompt, prefill).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/loaded_model.h"
#include "repeat.h"
#include "ttft.h"
#include "video/video_config.h"
#include "vision/processor_config.h"

namespace smolvlm::bench {

struct VideoClipSpec {
  int width = 1280, height = 720;
  int fps = 30;
  int seconds = 60;
};

// Writes the benchmark clip (noisy synthetic content, 2 s GOPs, B-frames) to
// `path`. Throws Error when this FFmpeg has no H.264 encoder.
void write_bench_clip(const std::string& path, const VideoClipSpec& spec = {});

struct VideoBenchResult {
  std::string clip;              // what was measured, e.g. "1280x720, 1800 frames at 30 fps (synthetic)"
  int64_t frames = 0;            // sampled frames
  int64_t tiles_per_frame = 0;
  std::vector<double> decode_s;  // per repetition: decode + preprocess of every sampled frame
  std::vector<double> encode_s;  // per repetition: vision encoding of every sampled frame
  TtftResult ttft;
};

// `images`: the checkpoint's image processor; `sampling`: its video_sampling
// (none: SmolVLM v1, 50 uniform frames as images). Throws Error for an
// unreadable clip or a model without a vision tower.
VideoBenchResult time_video(LoadedModel& model, const std::string& clip_path, const std::string& clip_label,
                            const ImageProcessorConfig& images, const std::optional<VideoSamplingConfig>& sampling,
                            int64_t question_tokens, const Repetitions& r);

}  // namespace smolvlm::bench
