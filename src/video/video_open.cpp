// Opening a video: the demuxer on our own I/O (no URL protocols), the first
// video stream, its decoder, and the frame index (see video_reader.h).
#include <algorithm>
#include <cstring>
#include <mutex>

extern "C" {
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

#include "core/error.h"
#include "video/video_reader_impl.h"

namespace smolvlm {
namespace {

// Containers we open. Anything else FFmpeg recognises (playlists, image
// sequences, network manifests, text formats) is refused: they read other
// files or are not videos.
constexpr const char* kFormats = "mov,matroska,webm,avi,gif,flv,mpegts,mpeg,ogg,asf,ivf,h264,hevc,m4v,obu";
constexpr int kIoBufferBytes = 1 << 16;

int read_bytes(void* opaque, uint8_t* buf, int size) {
  auto& impl = *static_cast<VideoReader::Impl*>(opaque);
  const int64_t left = static_cast<int64_t>(impl.bytes.size()) - impl.read_offset;
  if (left <= 0) return AVERROR_EOF;
  const int n = static_cast<int>(std::min<int64_t>(size, left));
  std::memcpy(buf, impl.bytes.data() + impl.read_offset, static_cast<size_t>(n));
  impl.read_offset += n;
  return n;
}

int64_t seek_bytes(void* opaque, int64_t offset, int whence) {
  auto& impl = *static_cast<VideoReader::Impl*>(opaque);
  const auto size = static_cast<int64_t>(impl.bytes.size());
  if (whence & AVSEEK_SIZE) return size;
  whence &= ~AVSEEK_FORCE;
  int64_t base = 0;
  if (whence == SEEK_CUR) base = impl.read_offset;
  else if (whence == SEEK_END) base = size;
  else if (whence != SEEK_SET) return AVERROR(EINVAL);
  if (offset < -base || offset > size - base) return AVERROR(EINVAL);
  impl.read_offset = base + offset;
  return impl.read_offset;
}

// FFmpeg's own log lines would only repeat what our errors say.
void quiet_ffmpeg_log() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_FATAL); });
}

// Clockwise degrees that turn the stored frames upright, from the stream's
// display matrix; 0 for none or an angle that is not a quarter turn.
int rotation_of(const AVStream& stream) {
  size_t size = 0;
  const uint8_t* matrix = av_stream_get_side_data(&stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
  if (matrix == nullptr || size < 9 * sizeof(int32_t)) return 0;
  const double ccw = av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
  if (!std::isfinite(ccw)) return 0;
  const long degrees = ((-std::lround(ccw)) % 360 + 360) % 360;
  return degrees % 90 == 0 ? static_cast<int>(degrees) : 0;
}

std::string pixel_format_name(int format) {
  const char* name = av_get_pix_fmt_name(static_cast<AVPixelFormat>(format));
  return name ? name : "unknown";
}

}  // namespace

void VideoReader::Impl::fail(const std::string& problem) const { throw Error(name, problem); }

void VideoReader::Impl::open_demuxer() {
  format.reset();
  io.reset();
  read_offset = 0;
  auto* buffer = static_cast<uint8_t*>(av_malloc(kIoBufferBytes));
  if (buffer == nullptr) throw std::bad_alloc();
  io.reset(avio_alloc_context(buffer, kIoBufferBytes, 0, this, read_bytes, nullptr, seek_bytes));
  if (!io) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  AVFormatContext* ctx = avformat_alloc_context();
  if (ctx == nullptr) throw std::bad_alloc();
  ctx->pb = io.get();
  ctx->flags |= AVFMT_FLAG_CUSTOM_IO;
  AVDictionary* options = nullptr;
  av_dict_set(&options, "format_whitelist", kFormats, 0);
  av_dict_set(&options, "protocol_whitelist", "none", 0);  // no nested opens (drefs, playlists)
  const int opened = avformat_open_input(&ctx, name.c_str(), nullptr, &options);  // frees ctx on failure
  av_dict_free(&options);
  if (opened < 0) fail("not a video file that can be read (" + ffmpeg::error_text(opened) + ")");
  format.reset(ctx);
  const int found = avformat_find_stream_info(ctx, nullptr);
  if (found < 0) fail("cannot read the streams (" + ffmpeg::error_text(found) + ")");
}

void VideoReader::Impl::open() {
  quiet_ffmpeg_log();
  if (bytes.empty()) fail("empty file");
  open_demuxer();
  info.container = format->iformat->name;

  // PyAV's container.streams.video[0], less cover art stored as a video stream.
  for (unsigned i = 0; i < format->nb_streams && stream < 0; ++i) {
    const AVStream& s = *format->streams[i];
    if (s.codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s.disposition & AV_DISPOSITION_ATTACHED_PIC))
      stream = static_cast<int>(i);
  }
  if (stream < 0) fail("has no video stream");
  for (unsigned i = 0; i < format->nb_streams; ++i)
    if (static_cast<int>(i) != stream) format->streams[i]->discard = AVDISCARD_ALL;
  const AVStream& st = *format->streams[stream];
  const AVCodecParameters& par = *st.codecpar;
  info.codec = avcodec_get_name(par.codec_id);
  info.width = par.width;
  info.height = par.height;
  if (info.width <= 0 || info.height <= 0) fail("the video stream has no frame size");
  if (info.width > limits.max_side || info.height > limits.max_side || info.width * info.height > limits.max_pixels)
    fail("frame size " + std::to_string(info.width) + "x" + std::to_string(info.height) + " is over the limit of " +
         std::to_string(limits.max_pixels) + " pixels or " + std::to_string(limits.max_side) + " per side");
  info.rotation = rotation_of(st);
  info.container_frames = std::max<int64_t>(0, st.nb_frames);
  // PyAV's average_rate; streams without one fall back to the base rate.
  AVRational rate = st.avg_frame_rate;
  if (rate.num <= 0 || rate.den <= 0) rate = st.r_frame_rate;
  if (rate.num <= 0 || rate.den <= 0) fail("the video stream has no frame rate");
  info.rate_num = rate.num;
  info.rate_den = rate.den;

  const AVCodec* decoder = avcodec_find_decoder(par.codec_id);
  if (decoder == nullptr) fail("no decoder for the " + info.codec + " codec");
  codec.reset(avcodec_alloc_context3(decoder));
  if (!codec) throw std::bad_alloc();
  if (avcodec_parameters_to_context(codec.get(), &par) < 0) fail("bad " + info.codec + " codec parameters");
  codec->pkt_timebase = st.time_base;
  codec->max_pixels = limits.max_pixels;  // also bounds frames whose size changes mid-stream
  codec->thread_count = 0;                // one per core
  const int opened = avcodec_open2(codec.get(), decoder, nullptr);
  if (opened < 0) fail("cannot open the " + info.codec + " decoder (" + ffmpeg::error_text(opened) + ")");
  info.pixel_format = pixel_format_name(codec->pix_fmt);

  // The index: every packet of the stream in decode order, without decoding.
  bool timestamps = true;
  int64_t ordinal = 0;
  const ffmpeg::PacketHandle packet = ffmpeg::new_packet();
  while (av_read_frame(format.get(), packet.get()) >= 0) {
    const int index = packet->stream_index, flags = packet->flags, size = packet->size;
    const int64_t pts = packet->pts, dts = packet->dts;
    av_packet_unref(packet.get());
    if (index != stream) continue;
    if (flags & AV_PKT_FLAG_KEY) keyframes.push_back({ordinal, pts, dts});
    ++ordinal;
    // Packets the decoder drops (edit lists) or that carry nothing give no frame.
    if (size == 0 || (flags & AV_PKT_FLAG_DISCARD)) continue;
    if (pts == AV_NOPTS_VALUE) timestamps = false;
    frame_pts.push_back(pts);
    if (static_cast<int64_t>(frame_pts.size()) > limits.max_frames)
      fail("has more than " + std::to_string(limits.max_frames) + " frames");
  }
  info.indexed_frames = static_cast<int64_t>(frame_pts.size());
  if (info.indexed_frames == 0) fail("the video stream has no frames");
  std::sort(frame_pts.begin(), frame_pts.end());
  info.indexed = timestamps && !keyframes.empty() &&
                 std::adjacent_find(frame_pts.begin(), frame_pts.end()) == frame_pts.end();
  if (!info.indexed) {
    frame_pts = {};
    keyframes = {};
  }
  const double frames = static_cast<double>(std::max(info.container_frames, info.indexed_frames));
  const double duration = frames * rate.den / rate.num;
  if (duration > limits.max_duration_s)
    fail("lasts " + std::to_string(duration) + " s, over the limit of " + std::to_string(limits.max_duration_s) + " s");
}

VideoReader::VideoReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoReader::~VideoReader() = default;
VideoReader::VideoReader(VideoReader&&) noexcept = default;
VideoReader& VideoReader::operator=(VideoReader&&) noexcept = default;

VideoReader VideoReader::open_file(const std::string& path, const VideoLimits& limits) {
  auto impl = std::make_unique<Impl>();
  impl->name = path;
  impl->limits = limits;
  impl->file.emplace(path);
  impl->bytes = impl->file->bytes();
  impl->open();
  return VideoReader(std::move(impl));
}

VideoReader VideoReader::open_memory(std::span<const uint8_t> bytes, const std::string& name,
                                     const VideoLimits& limits) {
  auto impl = std::make_unique<Impl>();
  impl->name = name;
  impl->limits = limits;
  impl->bytes = bytes;
  impl->open();
  return VideoReader(std::move(impl));
}

const VideoStreamInfo& VideoReader::info() const { return impl_->info; }
const std::string& VideoReader::name() const { return impl_->name; }

}  // namespace smolvlm
