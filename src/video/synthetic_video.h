// Videos made with FFmpeg's encoders and muxers, for tests and benchmarks
// (`smolvlm bench --video`): known frame count, timestamps (constant or
// variable rate), GOP, B-frames and rotation. Each frame shows its index as a
// 4 x 4 grid of black/white blocks (16 bits), big enough to survive lossy
// codecs, so a decoded frame tells which it is.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vision/image.h"

namespace smolvlm {

struct SyntheticVideo {
  std::string format = "mp4";       // libavformat muxer: mp4, matroska, webm, avi, gif, h264, ivf...
  std::string codec = "libx264";    // encoder name
  std::string pixel_format = "yuv420p";
  int width = 64;
  int height = 48;
  int frames = 30;
  int rate_num = 30;                // nominal frame rate
  int rate_den = 1;
  std::vector<int64_t> pts;         // per frame in units of 1/time_base_den s; empty: frame i at i / rate
  int time_base_den = 0;            // 0: rate_num (with rate_den 1)
  int gop = 10;
  int b_frames = 0;
  double display_rotation = 0;      // av_display_rotation_set angle; 90 = a phone's portrait video
  bool faststart = false;           // mp4: index (moov) before the data
  int noise = 0;                    // amplitude of per-pixel noise, for realistic bit rates (benchmarks)
  int encoder_threads = 1;          // 0: FFmpeg picks (faster; tests keep 1 for identical files)
};

// Writes `spec` to `path`; throws Error("synthetic video", ...) on any FFmpeg
// error, e.g. an encoder this FFmpeg lacks.
void write_synthetic_video(const std::string& path, const SyntheticVideo& spec);

// A Matroska file with one PCM audio stream and no video.
void write_audio_only(const std::string& path);

// The RGB picture of frame `index` before encoding, with noise of amplitude `noise`.
Image synthetic_frame(int width, int height, int64_t index, int noise = 0);

// The index a decoded (upright) frame shows, read from its block grid.
int64_t frame_label(const Image& rgb);

}  // namespace smolvlm
