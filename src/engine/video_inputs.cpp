#include "engine/video_inputs.h"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/sha256.h"
#include "engine/frame_encoding.h"
#include "vision/image_convert.h"
#include "video/video_prompt.h"

namespace smolvlm {
namespace {

constexpr int64_t kUniformFrames = 50;  // SPEC §10: SmolVLM v1's CinePile setup
constexpr size_t kPlans = 64;           // video files whose sampling is remembered
constexpr double kFallbackFps = 24.0;   // the processor's rate for frames without one (SPEC §9.1 [HEAD])

// A file's identity for the frame cache: a changed file gets new keys.
std::string file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw Error(path, "cannot open video file");
  return "video:" + path + '\0' + std::to_string(st.st_size) + '\0' + std::to_string(st.st_mtim.tv_sec) + '.' +
         std::to_string(st.st_mtim.tv_nsec);
}

// In-memory videos have no path: the hash of their bytes stands for it.
std::string bytes_identity(const std::vector<uint8_t>& bytes) {
  Sha256 hash;
  hash.update(bytes.data(), bytes.size());
  return "video-bytes:" + hash.hex_digest();
}

std::string frame_key(const std::string& identity, int64_t index, const ImageProcessorConfig& c, VideoResize resize) {
  return identity + '\0' + std::to_string(index) + '\0' + std::to_string(c.do_image_splitting) + '/' +
         std::to_string(c.longest_edge) + '/' + std::to_string(c.tile_size) + '/' +
         std::to_string(static_cast<int>(resize));
}

double positive(std::optional<double> value, double fallback, const std::string& what) {
  const double v = value.value_or(fallback);
  if (!std::isfinite(v) || v <= 0) throw Error("messages", "a video's " + what + " must be a positive number");
  return v;
}

}  // namespace

VideoInputs::VideoInputs(const std::string& model_dir) : sampling_(load_video_sampling_config(model_dir)) {}

bool VideoInputs::find_plan(const std::string& key, VideoSummary& out) const {
  std::lock_guard lock(plans_mutex_);
  for (const Plan& p : plans_)
    if (p.key == key) {
      out = p.summary;
      return true;
    }
  return false;
}

void VideoInputs::remember_plan(const std::string& key, const VideoSummary& summary) const {
  std::lock_guard lock(plans_mutex_);
  if (plans_.size() == kPlans) plans_.pop_front();
  plans_.push_back({key, summary});
}

// The metadata and sampled frames of one video item; a file's are
// remembered, so a later question about it need not read it again.
VideoSummary VideoInputs::plan(const Content& c, const GenerationOptions& options, bool fps_mode,
                               ExpandedVideos::Video& video) const {
  const VideoSamplingConfig checkpoint = sampling_.value_or(VideoSamplingConfig{});
  VideoSummary summary;
  const std::string name = !c.video_frames.empty() ? "video frames" : !c.video_bytes.empty() ? "video" : c.video_path;
  if (!c.video_frames.empty()) {
    summary.fps = positive(c.video_fps, kFallbackFps, "fps");
    summary.total_frames = static_cast<int64_t>(c.video_frames.size());
    summary.duration = positive(c.video_duration, summary.total_frames / summary.fps, "duration");
  } else if (!c.video_bytes.empty()) {
    video.identity = bytes_identity(c.video_bytes);
  } else {
    if (c.video_path.empty()) throw Error("messages", "a video item names no file (use \"path\" or \"frames\")");
    video.identity = file_identity(c.video_path);
  }
  const std::string plan_key = video.identity + '\0' + std::to_string(fps_mode) + '/' +
                               std::to_string(checkpoint.fps) + '/' + std::to_string(checkpoint.max_frames) + '/' +
                               std::to_string(options.video_frames.value_or(0));
  if (video.identity.empty() || !find_plan(plan_key, summary)) {
    if (!video.identity.empty()) {
      const VideoStreamInfo& info = video.open_reader().info();
      summary.frames_counted = info.container_frames <= 0;
      const VideoMetadata m = video_metadata(summary.frames_counted ? info.indexed_frames : info.container_frames,
                                             info.rate_num, info.rate_den);
      summary.total_frames = m.total_frames;
      summary.fps = m.fps;
      summary.duration = m.duration;
    }
    try {
      const VideoMetadata m{summary.total_frames, summary.fps, summary.duration};
      summary.frame_indices =
          fps_mode ? sample_indices_fps(m, {checkpoint.fps, options.video_frames.value_or(checkpoint.max_frames), 1.0})
                   : sample_indices_uniform(m.total_frames, options.video_frames.value_or(kUniformFrames));
    } catch (const Error& e) {
      throw Error(name, e.problem());
    }
    if (!video.identity.empty()) remember_plan(plan_key, summary);
  }
  return summary;
}

ExpandedVideos VideoInputs::expand(const Conversation& conversation, const GenerationOptions& options,
                                   const ImageProcessorConfig* images, const VideoLimits& limits) const {
  ExpandedVideos out;
  const auto is_video = [](const Content& c) { return c.kind == Content::Kind::Video; };
  if (std::none_of(conversation.begin(), conversation.end(),
                   [&](const Message& m) { return std::any_of(m.content.begin(), m.content.end(), is_video); })) {
    out.source_ = &conversation;
    return out;
  }
  if (images == nullptr) throw Error("messages", "this checkpoint has no vision tower for videos");
  const ImageProcessorConfig frame_images = with_overrides(*images, {options.image_splitting, options.max_image_edge});
  const bool fps_mode = options.video_sampling == VideoSampling::Fps ||
                        (options.video_sampling == VideoSampling::Auto && sampling_.has_value());
  // The newer video processor exists for SmolVLM2 checkpoints only (SPEC §9.3 [HEAD]).
  if (options.video_resize == VideoResize::TorchvisionBicubic && !sampling_)
    throw Error("video_resize", "torchvision-bicubic is SmolVLM2's video processor; this checkpoint has no video_sampling");
  if (options.video_frames && *options.video_frames < 1)
    throw Error("video_frames", "must be at least 1, got " + std::to_string(*options.video_frames));

  // Sample every video first: the intros need the last video's duration.
  std::vector<std::vector<double>> seconds;
  for (const Message& m : conversation) {
    for (const Content& c : m.content) {
      if (c.kind != Content::Kind::Video) continue;
      ExpandedVideos::Video video;
      video.item = &c;
      video.limits = limits;
      video.config = frame_images;
      video.resize = options.video_resize;
      // SmolVLM2 frames: the image processor with size = video_size (SPEC §9.3).
      if (sampling_) video.config.longest_edge = sampling_->video_size;
      VideoSummary summary = plan(c, options, fps_mode, video);
      video.indices = summary.frame_indices;
      seconds.emplace_back();
      for (int64_t i : video.indices) seconds.back().push_back(frame_seconds(i, summary.fps));
      out.videos_.push_back(std::move(video));
      out.summaries_.push_back(std::move(summary));
    }
  }

  // Then replace them, in order, by text and image items (SPEC §9.2).
  size_t next_video = 0;
  for (const Message& m : conversation) {
    Message message{m.role, {}};
    for (const Content& c : m.content) {
      if (c.kind == Content::Kind::Image) out.frame_of_.emplace_back();
      if (c.kind != Content::Kind::Video) {
        message.content.push_back(c);
        continue;
      }
      const size_t v = next_video++;
      // 4.51.3 quirk kept: every intro names the last video's duration.
      for (const VideoPromptItem& item : video_prompt_items(seconds[v], out.summaries_.back().duration)) {
        if (!item.is_frame()) {
          message.content.push_back(Content::text_item(item.text));
          continue;
        }
        const auto k = static_cast<size_t>(item.frame);
        // A frame given as a file shows in the item; a decoded frame has none.
        message.content.push_back(Content::image_item(
            c.video_frames.empty() ? std::string() : c.video_frames[static_cast<size_t>(out.videos_[v].indices[k])]));
        out.frame_of_.push_back(ExpandedVideos::FrameRef{v, k});
      }
    }
    out.conversation_.push_back(std::move(message));
  }
  return out;
}

VideoReader& ExpandedVideos::Video::open_reader() {
  if (!reader)
    reader.emplace(item->video_bytes.empty() ? VideoReader::open_file(item->video_path, limits)
                                             : VideoReader::open_memory(item->video_bytes, "video", limits));
  return *reader;
}

EncodedImage ExpandedVideos::encode_frame(size_t image_item, ImageEncodingCache& cache, const VisionEncoder& encoder,
                                          bool keep_pixels) {
  const FrameRef ref = *frame_of_.at(image_item);
  Video& video = videos_[ref.video];
  if (video.encoded.empty()) {
    video.encoded.resize(video.indices.size());
    if (video.identity.empty()) {
      // Frames given as image files, loaded as transformers' load_image does
      // (cached as image files; not with the newer video processor).
      for (size_t k = 0; k < video.indices.size(); ++k) {
        const std::string& path = video.item->video_frames[static_cast<size_t>(video.indices[k])];
        video.encoded[k] = video.resize == VideoResize::PillowLanczos
                               ? cache.encode(Content::image_item(path), ImageLoading::LoadImage, video.config,
                                              encoder, keep_pixels)
                               : encode_frame_image(load_image_rgb(path), video.config, video.resize, encoder,
                                                    keep_pixels);
      }
    } else {
      const std::string& identity = video.identity;
      std::vector<int64_t> missing;
      for (size_t k = 0; k < video.indices.size(); ++k)
        if (keep_pixels ||
            !cache.lookup(frame_key(identity, video.indices[k], video.config, video.resize), video.encoded[k]))
          missing.push_back(video.indices[k]);
      if (!missing.empty()) {
        size_t k = 0;
        encode_video_frames(video.open_reader(), missing, video.config, video.resize, encoder, keep_pixels,
                            [&](int64_t index, EncodedImage&& encoded) {
                              while (video.indices[k] != index) ++k;
                              std::vector<float> pixels = std::move(encoded.pixel_values);
                              encoded.pixel_values.clear();
                              cache.insert(frame_key(identity, index, video.config, video.resize), encoded);
                              video.encoded[k] = std::move(encoded);
                              video.encoded[k].pixel_values = std::move(pixels);
                            });
      }
    }
  }
  return std::move(video.encoded[ref.frame]);
}

}  // namespace smolvlm
