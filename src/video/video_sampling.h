// Which frames of a video the model sees (SPEC §9.1, §10), computed exactly
// as transformers 4.51.3 / numpy do it: Python round (half to even),
// numpy.linspace in float64 with truncation to int, numpy.unique.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace smolvlm {

// transformers' VideoMetadata: total = the container's frame count, fps =
// float(stream.average_rate), duration = total / fps (not the container's
// duration). For frames given as images: total = their count, fps and
// duration as the caller states them.
struct VideoMetadata {
  int64_t total_frames = 0;
  double fps = 0;
  double duration = 0;  // seconds
};

// VideoMetadata of a stream with `total` frames at rate_num / rate_den frames
// per second; duration is the exact quotient total * den / num rounded once,
// as Python's Fraction gives it.
VideoMetadata video_metadata(int64_t total, int rate_num, int rate_den);

// smolvlm_sample_indices_fn's settings; SmolVLM2 checkpoints give target_fps
// and max_frames in preprocessor_config.json's video_sampling, and
// apply_chat_template passes skip_secs = 1.
struct FpsSampling {
  double target_fps = 1;
  int64_t max_frames = 64;
  double skip_secs = 1;
};

// numpy.unique(numpy.linspace(start, end, n, dtype=int)) for 0 <= start <= end.
std::vector<int64_t> linspace_indices(int64_t start, int64_t end, int64_t n);

// smolvlm_sample_indices_fn (SPEC §9.1): n = min(round(target_fps * D),
// max_frames), at least 1; skip skip_secs at both ends only when
// D - 2 * skip_secs > max_frames * target_fps. Throws Error("video", ...) for a
// metadata without frames or duration, as transformers raises ValueError.
std::vector<int64_t> sample_indices_fps(const VideoMetadata& metadata, const FpsSampling& sampling);

// `n` frames spread uniformly over the whole video for checkpoints without a
// video path (SPEC §10, SmolVLM v1's CinePile setup): numpy.unique(
// numpy.linspace(0, total - 1, n, dtype=int)). Throws Error for total or n < 1.
std::vector<int64_t> sample_indices_uniform(int64_t total, int64_t n);

// Seconds of frame `index`: index / fps (float64), as the processor computes it.
double frame_seconds(int64_t index, double fps);

}  // namespace smolvlm
