// Decoding chosen frames (see video_reader.h). With a timestamp index, each
// wanted frame is found by its presentation timestamp: the reader seeks to
// the last keyframe (in decode order) shown at or before it, unless that
// keyframe is still ahead in the packets being read, and decodes forward.
// A seek that lands anywhere but on a keyframe at or before the one asked
// for is not trusted: decoding restarts from the beginning without seeking.
// Without an index, frames are counted from the start as PyAV does.
#include "core/error.h"
#include "video/video_reader_impl.h"

namespace smolvlm {
namespace {

// Decoder errors in a row after which the stream is declared undecodable.
constexpr int kMaxConsecutiveErrors = 64;

// Packets in, frames out, with the bookkeeping for seeks.
class DecodeSession {
 public:
  DecodeSession(VideoReader::Impl& d, VideoDecodeStats& stats) : d_(d), stats_(stats), packet_(ffmpeg::new_packet()) {
    restart();
  }

  // Ordinal (in decode order) of the next packet to be read.
  int64_t next_ordinal() const { return next_ordinal_; }

  // Reopens the stream at its first packet.
  void restart() {
    av_packet_unref(packet_.get());
    pending_ = false;
    d_.open_demuxer();
    avcodec_flush_buffers(d_.codec.get());
    next_ordinal_ = 0;
    draining_ = false;
  }

  // Seeks so that reading resumes at keyframe `k` or an earlier one. Demuxers
  // index by presentation (Matroska) or by corrected decode timestamps (MP4
  // with B-frames), so k's pts is tried first, then its dts when that landed
  // past k. Returns false when neither lands on a known keyframe at or
  // before k; the caller then reads from the start.
  bool seek(const Keyframe& k) {
    for (const int64_t ts : {k.pts, k.dts}) {
      if (ts == AV_NOPTS_VALUE) continue;
      ++stats_.seeks;
      av_packet_unref(packet_.get());
      pending_ = false;
      if (av_seek_frame(d_.format.get(), d_.stream, ts, AVSEEK_FLAG_BACKWARD) < 0) continue;
      avcodec_flush_buffers(d_.codec.get());
      draining_ = false;
      if (!read_packet()) continue;
      pending_ = true;  // sent by next_frame
      for (const Keyframe& landed : d_.keyframes) {
        if (landed.pts == packet_->pts && landed.ordinal <= k.ordinal) {
          next_ordinal_ = landed.ordinal + 1;
          return true;
        }
      }
    }
    return false;
  }

  // The next decoded frame, or false at the end of the stream.
  bool next_frame(AVFrame* frame) {
    int errors = 0;
    while (true) {
      const int r = avcodec_receive_frame(d_.codec.get(), frame);
      if (r == 0) return true;
      if (r == AVERROR_EOF) return false;
      if (r != AVERROR(EAGAIN)) {
        if (++errors > kMaxConsecutiveErrors) d_.fail("cannot be decoded (" + ffmpeg::error_text(r) + ")");
        continue;
      }
      if (draining_) return false;
      if (!pending_ && !read_packet()) {
        draining_ = true;
        avcodec_send_packet(d_.codec.get(), nullptr);
        continue;
      }
      pending_ = false;
      // A damaged packet is skipped: the frames that need it come out broken
      // or not at all, and a wanted frame that never comes is an error.
      if (avcodec_send_packet(d_.codec.get(), packet_.get()) < 0 && ++errors > kMaxConsecutiveErrors)
        d_.fail("cannot be decoded: too many damaged packets");
      av_packet_unref(packet_.get());
      ++stats_.packets_decoded;
    }
  }

 private:
  // The next packet of our stream into packet_; false at the end or at a read error.
  bool read_packet() {
    while (av_read_frame(d_.format.get(), packet_.get()) >= 0) {
      if (packet_->stream_index == d_.stream) {
        ++next_ordinal_;
        return true;
      }
      av_packet_unref(packet_.get());
    }
    return false;
  }

  VideoReader::Impl& d_;
  VideoDecodeStats& stats_;
  ffmpeg::PacketHandle packet_;
  int64_t next_ordinal_ = 0;
  bool pending_ = false;   // packet_ holds a packet read but not yet sent
  bool draining_ = false;
};

// The keyframe to start from for the frame shown at `pts`: the last one in
// decode order shown at or before it (a frame shown before its GOP's
// keyframe belongs to the GOP before); null when none is.
const Keyframe* keyframe_for(const std::vector<Keyframe>& keyframes, int64_t pts) {
  const Keyframe* best = nullptr;
  for (const Keyframe& k : keyframes)
    if (k.pts <= pts) best = &k;
  return best;
}

int64_t frame_time(const AVFrame& frame) {
  return frame.pts != AV_NOPTS_VALUE ? frame.pts : frame.best_effort_timestamp;
}

}  // namespace

void VideoReader::decode(std::span<const int64_t> indices, const std::function<void(int64_t, Image&&)>& on_frame,
                         VideoDecodeStats* stats) {
  Impl& d = *impl_;
  for (size_t i = 0; i < indices.size(); ++i)
    if (indices[i] < 0 || (i > 0 && indices[i] <= indices[i - 1]))
      throw Error(d.name, "frame indices must be ascending, unique and non-negative");
  if (indices.empty()) return;
  if (indices.back() >= d.info.indexed_frames)
    d.fail("frame " + std::to_string(indices.back()) + " was asked for, but the file holds only " +
           std::to_string(d.info.indexed_frames) + " frames (truncated or damaged)");

  VideoDecodeStats local;
  DecodeSession session(d, stats ? *stats : local);
  const ffmpeg::FrameHandle frame = ffmpeg::new_frame();
  auto deliver = [&](int64_t index) {
    if (frame->width > d.limits.max_side || frame->height > d.limits.max_side)
      d.fail("a frame of " + std::to_string(frame->width) + "x" + std::to_string(frame->height) + " is over the size limit");
    on_frame(index, d.rgb.convert(*frame, d.info.rotation, d.name));
  };
  size_t next = 0;
  auto missing = [&] {
    d.fail("frame " + std::to_string(indices[next]) + " of " + std::to_string(d.info.indexed_frames) +
           " cannot be decoded (damaged stream)");
  };

  if (!d.info.indexed) {
    for (int64_t i = 0; next < indices.size() && session.next_frame(frame.get()); ++i, av_frame_unref(frame.get()))
      if (i == indices[next]) deliver(indices[next++]);
    if (next < indices.size()) missing();
    return;
  }

  bool may_seek = true;
  size_t planned = indices.size();  // the target whose keyframe was last looked at
  while (next < indices.size()) {
    const int64_t target = d.frame_pts[static_cast<size_t>(indices[next])];
    if (may_seek && planned != next) {
      planned = next;
      // No keyframe shown before the target: it is among the first frames,
      // reached by reading on from the start.
      const Keyframe* k = keyframe_for(d.keyframes, target);
      if (k != nullptr && k->ordinal > session.next_ordinal() && !session.seek(*k)) {
        session.restart();
        may_seek = false;
      }
    }
    if (!session.next_frame(frame.get())) missing();
    const int64_t t = frame_time(*frame);
    if (t == target) deliver(indices[next++]);
    else if (t > target) missing();
    av_frame_unref(frame.get());
  }
}

}  // namespace smolvlm
