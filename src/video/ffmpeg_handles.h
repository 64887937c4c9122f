// Owning handles for the FFmpeg objects the video layer uses: each one frees
// its object with the matching FFmpeg call, so no error path leaks a context,
// a frame or a packet.
#pragma once

#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libswscale/swscale.h>
}

namespace smolvlm::ffmpeg {

struct FormatCloser {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecFreer {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameFreer {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketFreer {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsFreer {
  void operator()(SwsContext* p) const { sws_freeContext(p); }
};
// An AVIOContext made with avio_alloc_context: its buffer is FFmpeg's to
// free (it may have been reallocated), then the context itself.
struct IoFreer {
  void operator()(AVIOContext* p) const {
    av_freep(&p->buffer);
    avio_context_free(&p);
  }
};

using FormatHandle = std::unique_ptr<AVFormatContext, FormatCloser>;
using CodecHandle = std::unique_ptr<AVCodecContext, CodecFreer>;
using FrameHandle = std::unique_ptr<AVFrame, FrameFreer>;
using PacketHandle = std::unique_ptr<AVPacket, PacketFreer>;
using SwsHandle = std::unique_ptr<SwsContext, SwsFreer>;
using IoHandle = std::unique_ptr<AVIOContext, IoFreer>;

// Allocations that throw std::bad_alloc instead of returning null.
FrameHandle new_frame();
PacketHandle new_packet();

// FFmpeg's text for an AVERROR code.
std::string error_text(int code);

}  // namespace smolvlm::ffmpeg
