#include "video/synthetic_video.h"


extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
}

#include "core/error.h"
#include "video/ffmpeg_handles.h"

namespace smolvlm {
namespace {

constexpr int kGrid = 4;

void check(int r, const std::string& what) {
  if (r < 0) throw Error("synthetic video", what + ": " + ffmpeg::error_text(r));
}

struct OutputCloser {
  void operator()(AVFormatContext* p) const {
    if (p->pb != nullptr && !(p->oformat->flags & AVFMT_NOFILE)) avio_closep(&p->pb);
    avformat_free_context(p);
  }
};

void write_packets(AVCodecContext* enc, AVFormatContext* out, AVStream* st, const AVFrame* frame) {
  check(avcodec_send_frame(enc, frame), "send_frame");
  const ffmpeg::PacketHandle pkt = ffmpeg::new_packet();
  while (avcodec_receive_packet(enc, pkt.get()) == 0) {
    av_packet_rescale_ts(pkt.get(), enc->time_base, st->time_base);
    pkt->stream_index = st->index;
    check(av_interleaved_write_frame(out, pkt.get()), "write_frame");
  }
}

}  // namespace

Image synthetic_frame(int width, int height, int64_t index, int noise) {
  uint32_t state = static_cast<uint32_t>(index) * 2654435761u + 1;
  auto jitter = [&]() -> int {
    state = state * 1664525u + 1013904223u;
    return noise == 0 ? 0 : static_cast<int>(state >> 24) % (2 * noise + 1) - noise;
  };
  Image image;
  image.width = width;
  image.height = height;
  image.mode = PixelMode::RGB;
  image.data.resize(static_cast<size_t>(width * height * 3));
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const int bit = (y * kGrid / height) * kGrid + x * kGrid / width;
      const int v = ((index >> bit) & 1 ? 235 : 20) + jitter();
      uint8_t* p = &image.data[static_cast<size_t>((y * width + x) * 3)];
      p[0] = static_cast<uint8_t>(v);
      p[1] = static_cast<uint8_t>(v);
      p[2] = static_cast<uint8_t>(v / 2);
    }
  return image;
}

int64_t frame_label(const Image& rgb) {
  int64_t index = 0;
  for (int bit = 0; bit < kGrid * kGrid; ++bit) {
    // The green sample at the centre of the block.
    const int64_t x = (bit % kGrid * 2 + 1) * rgb.width / (2 * kGrid);
    const int64_t y = (bit / kGrid * 2 + 1) * rgb.height / (2 * kGrid);
    if (rgb.data[static_cast<size_t>((y * rgb.width + x) * 3 + 1)] > 128) index |= int64_t{1} << bit;
  }
  return index;
}

void write_synthetic_video(const std::string& path, const SyntheticVideo& spec) {
  av_log_set_level(AV_LOG_FATAL);  // the encoders' statistics; failures are reported by check()
  AVFormatContext* raw = nullptr;
  check(avformat_alloc_output_context2(&raw, nullptr, spec.format.c_str(), path.c_str()), "output " + spec.format);
  std::unique_ptr<AVFormatContext, OutputCloser> out(raw);
  const AVCodec* codec = avcodec_find_encoder_by_name(spec.codec.c_str());
  if (codec == nullptr) throw Error("synthetic video", "no encoder " + spec.codec + " in this FFmpeg");
  AVStream* st = avformat_new_stream(out.get(), nullptr);
  ffmpeg::CodecHandle enc(avcodec_alloc_context3(codec));
  enc->width = spec.width;
  enc->height = spec.height;
  enc->pix_fmt = av_get_pix_fmt(spec.pixel_format.c_str());
  const int tb_den = spec.time_base_den > 0 ? spec.time_base_den : spec.rate_num;
  enc->time_base = {spec.time_base_den > 0 ? 1 : spec.rate_den, tb_den};
  enc->framerate = {spec.rate_num, spec.rate_den};
  enc->gop_size = spec.gop;
  enc->max_b_frames = spec.b_frames;
  enc->thread_count = spec.encoder_threads;
  if (out->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (spec.codec == "libx264" || spec.codec == "libx264rgb") {
    av_opt_set(enc->priv_data, "preset", spec.b_frames > 0 ? "veryfast" : "ultrafast", 0);
    av_opt_set(enc->priv_data, "crf", "18", 0);
  }
  if (spec.codec == "libvpx-vp9") {
    av_opt_set(enc->priv_data, "deadline", "realtime", 0);
    av_opt_set(enc->priv_data, "cpu-used", "8", 0);
    av_opt_set(enc->priv_data, "crf", "20", 0);
    enc->bit_rate = 0;
  }
  check(avcodec_open2(enc.get(), codec, nullptr), "open " + spec.codec);
  check(avcodec_parameters_from_context(st->codecpar, enc.get()), "parameters");
  st->time_base = enc->time_base;
  st->avg_frame_rate = enc->framerate;
  if (spec.display_rotation != 0) {
    auto* matrix = reinterpret_cast<int32_t*>(av_stream_new_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, 9 * 4));
    av_display_rotation_set(matrix, spec.display_rotation);
  }
  if (!(out->oformat->flags & AVFMT_NOFILE)) check(avio_open(&out->pb, path.c_str(), AVIO_FLAG_WRITE), "open " + path);
  AVDictionary* options = nullptr;
  if (spec.faststart) av_dict_set(&options, "movflags", "+faststart", 0);
  const int header = avformat_write_header(out.get(), &options);
  av_dict_free(&options);
  check(header, "header");

  ffmpeg::SwsHandle sws(sws_getContext(spec.width, spec.height, AV_PIX_FMT_RGB24, spec.width, spec.height, enc->pix_fmt,
                                       SWS_POINT, nullptr, nullptr, nullptr));
  for (int i = 0; i < spec.frames; ++i) {
    const Image rgb = synthetic_frame(spec.width, spec.height, i, spec.noise);
    ffmpeg::FrameHandle frame = ffmpeg::new_frame();
    frame->width = spec.width;
    frame->height = spec.height;
    frame->format = enc->pix_fmt;
    check(av_frame_get_buffer(frame.get(), 0), "frame buffer");
    const uint8_t* src[1] = {rgb.data.data()};
    const int src_stride[1] = {spec.width * 3};
    sws_scale(sws.get(), src, src_stride, 0, spec.height, frame->data, frame->linesize);
    frame->pts = spec.pts.empty() ? i : spec.pts[static_cast<size_t>(i)];
    write_packets(enc.get(), out.get(), st, frame.get());
  }
  write_packets(enc.get(), out.get(), st, nullptr);
  check(av_write_trailer(out.get()), "trailer");
}

void write_audio_only(const std::string& path) {
  AVFormatContext* raw = nullptr;
  check(avformat_alloc_output_context2(&raw, nullptr, "matroska", path.c_str()), "output matroska");
  std::unique_ptr<AVFormatContext, OutputCloser> out(raw);
  AVStream* st = avformat_new_stream(out.get(), nullptr);
  st->codecpar->codec_type = AVMEDIA_TYPE_AUDIO;
  st->codecpar->codec_id = AV_CODEC_ID_PCM_S16LE;
  st->codecpar->sample_rate = 8000;
  st->codecpar->ch_layout = AV_CHANNEL_LAYOUT_MONO;
  st->time_base = {1, 8000};
  check(avio_open(&out->pb, path.c_str(), AVIO_FLAG_WRITE), "open " + path);
  check(avformat_write_header(out.get(), nullptr), "header");
  const ffmpeg::PacketHandle pkt = ffmpeg::new_packet();
  for (int i = 0; i < 4; ++i) {
    check(av_new_packet(pkt.get(), 1600), "packet");
    std::fill(pkt->data, pkt->data + 1600, uint8_t{0});
    pkt->pts = pkt->dts = i * 800;
    pkt->stream_index = st->index;
    check(av_interleaved_write_frame(out.get(), pkt.get()), "write");
  }
  check(av_write_trailer(out.get()), "trailer");
}

}  // namespace smolvlm
