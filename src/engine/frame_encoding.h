// A video's frames from decoder to features (SPEC §9.3): decoding and the
// image processor run on a producer thread while the vision tower encodes
// the frames already processed, a batch of them per VisionEncoder::encode
// call, on the kernels' thread pool (each tile's matmuls and attention are
// split across its threads). A bounded queue between the two keeps memory at
// a few processed frames whatever the video's length.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "engine/image_inputs.h"
#include "smolvlm.h"
#include "video/video_reader.h"
#include "vision/image_processor.h"
#include "vision/processor_config.h"

namespace smolvlm {

class VisionEncoder;

struct FrameEncodingSettings {
  int64_t batch_tiles = 4;   // tiles per encode call
  int64_t queue_frames = 4;  // processed frames waiting for the encoder, at most
};

// The image processor a frame takes: 4.51.3's (Pillow LANCZOS, the image
// path) or transformers >= 4.52's video processor (torchvision bicubic).
ProcessedImage preprocess_frame(const Image& rgb, const ImageProcessorConfig& config, VideoResize resize);

// One frame through preprocess_frame and the vision tower, on this thread.
EncodedImage encode_frame_image(const Image& rgb, const ImageProcessorConfig& config, VideoResize resize,
                                const VisionEncoder& encoder, bool keep_pixels);

// Decodes `indices` (ascending) from `reader`, preprocesses and encodes each
// frame, and calls on_encoded(index, encoding) in index order on the calling
// thread; with `keep_pixels` the encoding carries its pixel values. Throws the
// first Error of the decoder, the processor or the encoder, after stopping
// the producer.
void encode_video_frames(VideoReader& reader, std::span<const int64_t> indices, const ImageProcessorConfig& config,
                         VideoResize resize, const VisionEncoder& encoder, bool keep_pixels,
                         const std::function<void(int64_t, EncodedImage&&)>& on_encoded,
                         const FrameEncodingSettings& settings = {});

}  // namespace smolvlm
