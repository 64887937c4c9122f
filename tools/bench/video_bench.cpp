#include "video_bench.h"

#include "core/error.h"
#include "engine/frame_encoding.h"
#include "model/vision_encoder.h"
#include "video/synthetic_video.h"
#include "video/video_reader.h"
#include "video/video_sampling.h"

namespace smolvlm::bench {
namespace {

constexpr int64_t kUniformFrames = 50;  // SPEC §10, as the engine samples v1 checkpoints
// Processed frames kept for the encoder's timing: the tower's cost does not
// depend on the pixels, so the sampled frames are encoded cycling through
// these, and memory stays at 16 frames' tiles (v1 frames are 13 tiles each).
constexpr size_t kKeptFrames = 16;

// The frames the engine samples from this clip (engine/video_inputs.cpp).
std::vector<int64_t> sampled_frames(const VideoStreamInfo& info, const std::optional<VideoSamplingConfig>& sampling) {
  const int64_t total = info.container_frames > 0 ? info.container_frames : info.indexed_frames;
  if (!sampling) return sample_indices_uniform(total, kUniformFrames);
  return sample_indices_fps(video_metadata(total, info.rate_num, info.rate_den),
                            {sampling->fps, sampling->max_frames, 1.0});
}

}  // namespace

void write_bench_clip(const std::string& path, const VideoClipSpec& spec) {
  SyntheticVideo video;
  video.width = spec.width;
  video.height = spec.height;
  video.rate_num = spec.fps;
  video.frames = spec.fps * spec.seconds;
  video.gop = 2 * spec.fps;
  video.b_frames = 2;
  video.noise = 4;  // a camera's bit rate rather than a flat picture's
  video.encoder_threads = 0;
  write_synthetic_video(path, video);
}

VideoBenchResult time_video(LoadedModel& model, const std::string& clip_path, const std::string& clip_label,
                            const ImageProcessorConfig& images, const std::optional<VideoSamplingConfig>& sampling,
                            int64_t question_tokens, const Repetitions& r) {
  if (!model.vision) throw Error("bench --video", "this checkpoint has no vision tower");
  ImageProcessorConfig frames_config = images;
  if (sampling) frames_config.longest_edge = sampling->video_size;  // SPEC §9.3, as the engine does
  VideoReader reader = VideoReader::open_file(clip_path);
  const std::vector<int64_t> indices = sampled_frames(reader.info(), sampling);

  VideoBenchResult out;
  out.clip = clip_label;
  out.frames = static_cast<int64_t>(indices.size());
  std::vector<ProcessedImage> processed;
  out.decode_s = repeat(r, [&] {
    processed.clear();
    reader.decode(indices, [&](int64_t, Image&& frame) {
      ProcessedImage p = preprocess_frame(frame, frames_config, VideoResize::PillowLanczos);
      if (processed.size() < kKeptFrames) processed.push_back(std::move(p));
    });
  });
  out.tiles_per_frame = processed.front().tiles;

  // The encoder as the engine's pipeline calls it: FrameEncodingSettings' batches.
  const FrameEncodingSettings batching;
  const int64_t per_tile = model.vision->tokens_per_tile() * model.vision->output_dim();
  std::vector<float> features;
  const auto frames = static_cast<size_t>(out.frames);
  out.encode_s = repeat(r, [&] {
    for (size_t first = 0; first < frames;) {
      std::vector<float> pixels;
      int64_t tiles = 0;
      size_t next = first;
      for (; next < frames && (next == first || tiles + out.tiles_per_frame <= batching.batch_tiles); ++next) {
        const ProcessedImage& p = processed[next % processed.size()];
        tiles += p.tiles;
        pixels.insert(pixels.end(), p.pixel_values.begin(), p.pixel_values.end());
      }
      features.resize(static_cast<size_t>(tiles * per_tile));
      model.vision->encode(pixels, tiles, features);
      first = next;
    }
  });

  out.ttft = time_ttft(model, Content::video_item(clip_path), question_tokens, r);
  return out;
}

}  // namespace smolvlm::bench
