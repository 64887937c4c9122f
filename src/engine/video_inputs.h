// The videos of a conversation (SPEC §9, §10). transformers 4.51.3 replaces
// each video item, before the chat template runs, by text items and one image
// item per sampled frame (SPEC §9.2); expand() does the same, so the template
// sees "User: " (a text item first) and the frames take the image path: the
// image processor with the video size (§9.3), the vision tower, the encoding
// cache. A video file's frames are cached per (file identity, frame index,
// settings), so a second question about the same video decodes and encodes
// nothing (nor reads the file, whose sampling is remembered); frames given as
// image files are cached as the image files they are. A video held in memory
// (video_bytes, the server's data URLs) is demuxed from memory, never written
// to disk, and cached by the SHA-256 of its bytes.
//
// Frames decoded from a file or bytes are preprocessed on a producer thread
// while the vision tower encodes batches of them (engine/frame_encoding.h);
// options.video_resize picks 4.51.3's image processor (default) or the newer
// video processor's torchvision resize, part of the cache key.
//
// Sampling: SmolVLM2 checkpoints (video_sampling in preprocessor_config.json)
// take `fps` frames per second up to max_frames, skipping a second at each
// end of long videos (§9.1); checkpoints without it (SmolVLM v1) get N frames
// spread uniformly (§10, default 50) through the normal image settings.
//
// Divergences from transformers 4.51.3 (SPEC "Divergence policy"):
// - a container without a frame count (WebM, Matroska, GIF) has its frames
//   counted, where transformers fails with "Invalid total_num_frames=0";
// - rotation metadata is applied, and frames whose width is not a multiple
//   of 8 are converted to the right edge (video/video_reader.h);
// - the frames form {"frames": [...], "fps", "duration"}, which 4.51.3 cannot
//   run, is the whole video at `fps` (24, the processor's fallback, when
//   absent) lasting `duration` (frames / fps when absent).
// Kept on purpose: every intro names the duration of the conversation's last
// video (4.51.3 reuses a loop variable; SPEC Appendix A item 14).
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/image_inputs.h"
#include "smolvlm.h"
#include "video/video_config.h"
#include "video/video_reader.h"
#include "video/video_sampling.h"
#include "vision/processor_config.h"

namespace smolvlm {

class VisionEncoder;

// A conversation whose video items became text and image items.
class ExpandedVideos {
 public:
  const Conversation& conversation() const { return source_ != nullptr ? *source_ : conversation_; }
  const std::vector<VideoSummary>& summaries() const { return summaries_; }

  // Whether the i-th image item of conversation() is a video frame.
  bool is_frame(size_t image_item) const {
    return image_item < frame_of_.size() && frame_of_[image_item].has_value();
  }

  // The encoding of the i-th image item, a video frame. The first frame asked
  // of a video encodes all of its frames in one pass over the file (missing
  // ones only; the rest come from `cache`). Throws Error naming the file.
  EncodedImage encode_frame(size_t image_item, ImageEncodingCache& cache, const VisionEncoder& encoder,
                            bool keep_pixels);

 private:
  friend class VideoInputs;
  struct FrameRef {
    size_t video = 0;
    size_t frame = 0;  // among the video's sampled frames
  };
  struct Video {
    const Content* item = nullptr;
    std::string identity;               // a file's or bytes', for the caches; frames form: empty
    VideoLimits limits;
    std::optional<VideoReader> reader;  // opened when frames must be decoded
    VideoReader& open_reader();
    std::vector<int64_t> indices;       // sampled frames
    ImageProcessorConfig config;        // how its frames are processed
    VideoResize resize = VideoResize::PillowLanczos;
    std::vector<EncodedImage> encoded;  // filled by the first encode_frame
  };
  const Conversation* source_ = nullptr;  // the request itself when it has no video
  Conversation conversation_;
  std::vector<std::optional<FrameRef>> frame_of_;  // per image item
  std::vector<Video> videos_;
  std::vector<VideoSummary> summaries_;
};

class VideoInputs {
 public:
  // Reads the checkpoint's video_sampling, if any.
  explicit VideoInputs(const std::string& model_dir);

  // The conversation with every video item sampled and replaced (a view of
  // `conversation`, which must outlive the result, when it has none).
  // `images` is the checkpoint's image processor (null without a vision
  // tower); frames take it with the request's overrides and the checkpoint's
  // video size. Throws Error naming the file for unreadable videos or frames,
  // and for videos given to a model without a vision tower.
  ExpandedVideos expand(const Conversation& conversation, const GenerationOptions& options,
                        const ImageProcessorConfig* images, const VideoLimits& limits = {}) const;

 private:
  // What sampling a video file gave, so a second question about it opens the
  // file only if some of its frames have left the encoding cache.
  struct Plan {
    std::string key;  // file identity + sampling settings
    VideoSummary summary;
  };
  VideoSummary plan(const Content& item, const GenerationOptions& options, bool fps_mode,
                    ExpandedVideos::Video& video) const;
  bool find_plan(const std::string& key, VideoSummary& out) const;
  void remember_plan(const std::string& key, const VideoSummary& summary) const;

  std::optional<VideoSamplingConfig> sampling_;
  mutable std::mutex plans_mutex_;
  mutable std::deque<Plan> plans_;  // most recent last
};

}  // namespace smolvlm
