// VideoReader's state, shared by video_open.cpp (opening, indexing) and
// video_decode.cpp (seeking, decoding). Internal to the video layer.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "video/ffmpeg_handles.h"
#include "video/frame_rgb.h"
#include "video/video_reader.h"

namespace smolvlm {

// A keyframe packet: where it sits in decode order (its ordinal among the
// stream's packets) and its timestamps.
struct Keyframe {
  int64_t ordinal = 0;
  int64_t pts = 0;
  int64_t dts = 0;  // AV_NOPTS_VALUE when the container has none
};

struct VideoReader::Impl {
  std::string name;
  VideoLimits limits;
  std::optional<MappedFile> file;  // the bytes of open_file
  std::span<const uint8_t> bytes;
  int64_t read_offset = 0;         // the AVIOContext's position in `bytes`

  // Declared in this order so the demuxer goes before the I/O it reads from.
  ffmpeg::IoHandle io;
  ffmpeg::FormatHandle format;
  ffmpeg::CodecHandle codec;
  int stream = -1;
  RgbConverter rgb;

  VideoStreamInfo info;
  std::vector<int64_t> frame_pts;   // presentation order: frame i has pts frame_pts[i]
  std::vector<Keyframe> keyframes;  // decode order

  // (Re)opens the demuxer on `bytes` at the start of the file.
  void open_demuxer();
  // Opens the demuxer, picks the stream, opens its decoder, indexes it.
  void open();
  // Error(name, problem).
  [[noreturn]] void fail(const std::string& problem) const;
};

}  // namespace smolvlm
