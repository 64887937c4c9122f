#include "video/ffmpeg_handles.h"

#include <new>

namespace smolvlm::ffmpeg {

FrameHandle new_frame() {
  FrameHandle frame(av_frame_alloc());
  if (!frame) throw std::bad_alloc();
  return frame;
}

PacketHandle new_packet() {
  PacketHandle packet(av_packet_alloc());
  if (!packet) throw std::bad_alloc();
  return packet;
}

std::string error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

}  // namespace smolvlm::ffmpeg
