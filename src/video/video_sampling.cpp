#include "video/video_sampling.h"

#include <cmath>
#include <limits>

#include "core/error.h"

namespace smolvlm {

VideoMetadata video_metadata(int64_t total, int rate_num, int rate_den) {
  if (rate_num <= 0 || rate_den <= 0)
    throw Error("video", "frame rate " + std::to_string(rate_num) + "/" + std::to_string(rate_den) + " is not positive");
  VideoMetadata m;
  m.total_frames = total;
  m.fps = static_cast<double>(rate_num) / rate_den;
  // Both operands are exact in a double below 2^53, so the quotient is the
  // correctly rounded rational, as float(Fraction(total) / rate) in Python.
  m.duration = static_cast<double>(total) * rate_den / rate_num;
  return m;
}

std::vector<int64_t> linspace_indices(int64_t start, int64_t end, int64_t n) {
  std::vector<int64_t> out;
  if (n <= 0) return out;
  out.reserve(static_cast<size_t>(n));
  const auto first = static_cast<double>(start);
  if (n == 1) {
    out.push_back(start);
    return out;
  }
  // numpy: step = delta / div; y[i] = i * step + start; y[-1] = stop exactly.
  const double step = (static_cast<double>(end) - first) / static_cast<double>(n - 1);
  for (int64_t i = 0; i < n; ++i) {
    const double y = i + 1 == n ? static_cast<double>(end) : static_cast<double>(i) * step + first;
    const auto v = static_cast<int64_t>(y);  // astype(int) truncates; values are >= 0
    // linspace is non-decreasing, so numpy.unique is dropping repeats.
    if (out.empty() || out.back() != v) out.push_back(v);
  }
  return out;
}

std::vector<int64_t> sample_indices_fps(const VideoMetadata& metadata, const FpsSampling& sampling) {
  const int64_t total = metadata.total_frames;
  if (total <= 0) throw Error("video", "Invalid total_num_frames=" + std::to_string(total) + " in metadata");
  if (!(metadata.duration > 0)) throw Error("video", "Invalid duration_seconds in metadata (must be > 0)");
  // metadata.get("fps", 30.0) or 30.0
  const double native_fps = metadata.fps > 0 ? metadata.fps : 30.0;
  // int(round(x)): Python rounds half to even, as nearbyint does in the default mode.
  const double estimated_real = std::nearbyint(sampling.target_fps * metadata.duration);
  const auto estimated = estimated_real >= static_cast<double>(std::numeric_limits<int64_t>::max())
                             ? std::numeric_limits<int64_t>::max()
                             : static_cast<int64_t>(estimated_real);
  const int64_t desired = std::max<int64_t>(1, std::min(estimated, sampling.max_frames));

  int64_t start = 0, end = total - 1;
  if (sampling.skip_secs > 0 &&
      metadata.duration - 2 * sampling.skip_secs > static_cast<double>(sampling.max_frames) * sampling.target_fps) {
    start = static_cast<int64_t>(sampling.skip_secs * native_fps);
    end = static_cast<int64_t>(static_cast<double>(total) - sampling.skip_secs * native_fps);
  }
  start = std::max<int64_t>(0, start);
  end = std::min(end, total - 1);
  if (start >= end) start = 0, end = total - 1;
  return linspace_indices(start, end, desired);
}

std::vector<int64_t> sample_indices_uniform(int64_t total, int64_t n) {
  if (total <= 0) throw Error("video", "has no frames");
  if (n <= 0) throw Error("video", "the number of frames to sample must be at least 1, got " + std::to_string(n));
  return linspace_indices(0, total - 1, n);
}

double frame_seconds(int64_t index, double fps) { return static_cast<double>(index) / fps; }

}  // namespace smolvlm
