#include "engine/frame_encoding.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "model/vision_encoder.h"
#include "vision/frame_processor_torchvision.h"

namespace smolvlm {
namespace {

struct ProcessedFrame {
  int64_t index = 0;
  ProcessedImage image;
};

// Frames handed from the producer to the encoder; blocks the producer while
// `capacity` frames wait, and the consumer while none does.
class FrameQueue {
 public:
  explicit FrameQueue(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

  // False when the consumer has given up (the producer then stops decoding).
  bool push(ProcessedFrame frame) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return frames_.size() < capacity_ || cancelled_; });
    if (cancelled_) return false;
    frames_.push_back(std::move(frame));
    changed_.notify_all();
    return true;
  }

  // Up to `max_tiles` tiles' worth of frames (at least one), or none once the
  // producer has finished and every frame was taken.
  std::vector<ProcessedFrame> pop_batch(int64_t max_tiles) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !frames_.empty() || finished_; });
    std::vector<ProcessedFrame> batch;
    int64_t tiles = 0;
    while (!frames_.empty() && (batch.empty() || tiles + frames_.front().image.tiles <= max_tiles)) {
      tiles += frames_.front().image.tiles;
      batch.push_back(std::move(frames_.front()));
      frames_.pop_front();
    }
    changed_.notify_all();
    return batch;
  }

  void finish(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    finished_ = true;
    error_ = error;
    changed_.notify_all();
  }

  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    changed_.notify_all();
  }

  std::exception_ptr error() {
    std::lock_guard lock(mutex_);
    return error_;
  }

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ProcessedFrame> frames_;
  bool finished_ = false, cancelled_ = false;
  std::exception_ptr error_;
};

// Thrown inside the decoder's callback to stop it once the consumer has failed.
struct Cancelled {};

// Runs the producer and joins it on every way out of the consumer.
class Producer {
 public:
  Producer(FrameQueue& queue, std::function<void()> body) : queue_(queue) {
    thread_ = std::thread([this, body = std::move(body)] {
      std::exception_ptr error;
      try {
        body();
      } catch (const Cancelled&) {
      } catch (...) {
        error = std::current_exception();
      }
      queue_.finish(error);
    });
  }
  ~Producer() {
    queue_.cancel();
    thread_.join();
  }
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

 private:
  FrameQueue& queue_;
  std::thread thread_;
};

// Encodes a batch with one encode call and hands each frame's slice over.
void encode_batch(std::vector<ProcessedFrame>& batch, const VisionEncoder& encoder, bool keep_pixels,
                  const std::function<void(int64_t, EncodedImage&&)>& on_encoded) {
  const int64_t per_tile = encoder.tokens_per_tile() * encoder.output_dim();
  int64_t tiles = 0;
  std::vector<float> pixels;
  for (const ProcessedFrame& f : batch) {
    tiles += f.image.tiles;
    pixels.insert(pixels.end(), f.image.pixel_values.begin(), f.image.pixel_values.end());
  }
  std::vector<float> features(static_cast<size_t>(tiles * per_tile));
  encoder.encode(pixels, tiles, features);
  int64_t at = 0;
  for (ProcessedFrame& f : batch) {
    const ProcessedImage& p = f.image;
    EncodedImage out;
    out.layout = {p.rows, p.cols, p.tiles};
    out.grid = {p.rows, p.cols};
    out.tile_size = p.tile_size;
    out.features.assign(features.begin() + at * per_tile, features.begin() + (at + p.tiles) * per_tile);
    at += p.tiles;
    if (keep_pixels) out.pixel_values = std::move(f.image.pixel_values);
    on_encoded(f.index, std::move(out));
  }
}

}  // namespace

ProcessedImage preprocess_frame(const Image& rgb, const ImageProcessorConfig& config, VideoResize resize) {
  return resize == VideoResize::TorchvisionBicubic ? preprocess_frame_torchvision(rgb, config)
                                                   : preprocess_image(rgb, config);
}

EncodedImage encode_frame_image(const Image& rgb, const ImageProcessorConfig& config, VideoResize resize,
                                const VisionEncoder& encoder, bool keep_pixels) {
  std::vector<ProcessedFrame> one;
  one.push_back({0, preprocess_frame(rgb, config, resize)});
  EncodedImage out;
  encode_batch(one, encoder, keep_pixels, [&](int64_t, EncodedImage&& e) { out = std::move(e); });
  return out;
}

void encode_video_frames(VideoReader& reader, std::span<const int64_t> indices, const ImageProcessorConfig& config,
                         VideoResize resize, const VisionEncoder& encoder, bool keep_pixels,
                         const std::function<void(int64_t, EncodedImage&&)>& on_encoded,
                         const FrameEncodingSettings& settings) {
  FrameQueue queue(static_cast<size_t>(settings.queue_frames));
  {
    const Producer producer(queue, [&] {
      reader.decode(indices, [&](int64_t index, Image&& frame) {
        if (!queue.push({index, preprocess_frame(frame, config, resize)})) throw Cancelled{};
      });
    });
    for (;;) {
      std::vector<ProcessedFrame> batch = queue.pop_batch(settings.batch_tiles);
      if (batch.empty()) break;
      encode_batch(batch, encoder, keep_pixels, on_encoded);
    }
  }  // the producer has finished: its error, if any, is final
  if (std::exception_ptr error = queue.error()) std::rethrow_exception(error);
}

}  // namespace smolvlm
