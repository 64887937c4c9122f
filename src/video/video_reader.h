// Reads a video's first video stream with FFmpeg's libraries (libavformat,
// libavcodec, libswscale) and hands over chosen frames as RGB images the way
// transformers 4.51.3's PyAV backend sees them (fixtures README "Video frame
// decoding"): frame i is the i-th frame in presentation order, converted by
// swscale to RGB24 (BT.601, range from the pixel format).
//
// Opening demuxes the whole stream once (no decoding) to index its frames:
// presentation timestamps and keyframes. That index counts the frames of
// containers that do not store a count (WebM/Matroska, GIF), and lets decode()
// seek to the keyframe before each wanted frame instead of decoding the whole
// video; memory stays bounded (8 bytes per frame of index plus the keyframes,
// one decoded frame at a time). Streams whose packets lack unique timestamps (raw elementary
// streams) are decoded from the start, counting frames as PyAV does.
//
// Divergences from transformers 4.51.3 / PyAV 10 (SPEC "Divergence policy"):
// a rotation stored in the container (display matrix, e.g. phone videos) is
// applied, as players do, where PyAV hands over the stored, sideways frames;
// and rows of widths that are not a multiple of 8 are converted to the edge
// (frame_rgb.cpp), where PyAV leaves the last pixels unconverted.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "vision/image.h"

namespace smolvlm {

struct VideoLimits {
  int64_t max_pixels = int64_t{8192} * 8192;  // per frame; 8K UHD is 33 M
  int64_t max_side = 16384;
  int64_t max_frames = 4'000'000;             // frames in the stream (18.5 h at 60 fps)
  double max_duration_s = 24 * 3600.0;
};

// What the container says about the stream, plus what the index found.
struct VideoStreamInfo {
  std::string container;     // libavformat's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::string codec;         // e.g. "h264"
  std::string pixel_format;  // the decoder's, e.g. "yuv420p"
  int64_t width = 0;         // as stored (before rotation)
  int64_t height = 0;
  int rotation = 0;          // clockwise degrees applied to frames: 0, 90, 180 or 270
  int64_t container_frames = 0;  // the container's frame count (PyAV's stream.frames); 0 when it has none
  int64_t indexed_frames = 0;    // frames found by demuxing (decoded from the start when not indexable)
  int rate_num = 0;              // frames per second as a fraction: the stream's average rate
  int rate_den = 1;
  bool indexed = false;          // frames are found by timestamp, so decode() can seek
};

// Counters of the work decode() did (tests and benchmarks).
struct VideoDecodeStats {
  int64_t packets_decoded = 0;
  int64_t seeks = 0;
};

class VideoReader {
 public:
  // Throws Error naming `path` for a missing, unreadable, corrupt or
  // unsupported file, a file without a video stream or without frames, and
  // sizes or counts over `limits`.
  static VideoReader open_file(const std::string& path, const VideoLimits& limits = {});
  // The same from bytes in memory; `name` stands for the file in errors.
  static VideoReader open_memory(std::span<const uint8_t> bytes, const std::string& name,
                                 const VideoLimits& limits = {});

  ~VideoReader();
  VideoReader(VideoReader&&) noexcept;
  VideoReader& operator=(VideoReader&&) noexcept;

  const VideoStreamInfo& info() const;
  const std::string& name() const;

  // Decodes the frames at `indices` (presentation order, ascending, unique)
  // and calls on_frame(index, rgb_image) for each, in that order. Throws
  // Error naming the file when a frame cannot be decoded or lies beyond the
  // frames the file holds.
  void decode(std::span<const int64_t> indices, const std::function<void(int64_t, Image&&)>& on_frame,
              VideoDecodeStats* stats = nullptr);

  struct Impl;

 private:
  explicit VideoReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace smolvlm
