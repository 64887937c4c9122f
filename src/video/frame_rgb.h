// Decoded frames to RGB images exactly as PyAV 10's frame.to_ndarray(
// format="rgb24") makes them (fixtures README "Video frame decoding"):
// sws_scale to RGB24 at the same size with SWS_BILINEAR and swscale's default
// colour details (never sws_setColorspaceDetails: BT.601 matrix whatever the
// stream's tags, input range from the pixel format, full-range output). Rows
// are padded so swscale's x86 converters convert every pixel (see
// frame_rgb.cpp for PyAV's narrower rows). Then the stream's rotation is
// applied (see video_reader.h).
#pragma once

#include "video/ffmpeg_handles.h"
#include "vision/image.h"

namespace smolvlm {

class RgbConverter {
 public:
  // `rotation`: clockwise degrees, 0, 90, 180 or 270. Throws Error naming
  // `what` for pixel formats swscale cannot convert.
  Image convert(const AVFrame& frame, int rotation, const std::string& what);

 private:
  ffmpeg::SwsHandle sws_;  // reused while the frame size and format stay the same
};

}  // namespace smolvlm
