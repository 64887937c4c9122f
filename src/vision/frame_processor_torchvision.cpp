#include "vision/frame_processor_torchvision.h"

#include <algorithm>

#include "vision/processor_sizes.h"
#include "vision/resize_bicubic_aa.h"

namespace smolvlm {

ProcessedImage preprocess_frame_torchvision(const Image& rgb, const ImageProcessorConfig& c) {
  const int64_t M = c.tile_size;
  Image frame = rgb;
  if (c.do_resize) {
    // get_resize_output_image_size: min(4096, longest_edge), then the even rule.
    const Size2D size = longest_edge_size({rgb.width, rgb.height}, std::min(c.longest_edge, kMaxLongestEdge));
    frame = resize_bicubic_aa(resize_bicubic_aa(rgb, size.width, size.height), M, M);
  }
  ProcessedImage out;
  out.tiles = 1;
  out.tile_size = frame.width;
  const int64_t H = frame.height, W = frame.width, plane = H * W;
  out.pixel_values.resize(static_cast<size_t>(3 * plane));
  // _fuse_mean_std_and_rescale_factor: float32 tensors times 1/rescale_factor.
  const auto inverse = static_cast<float>(1.0 / c.rescale_factor);
  const auto factor = static_cast<float>(c.rescale_factor);
  for (int64_t ch = 0; ch < 3; ++ch) {
    const float mean = c.image_mean[static_cast<size_t>(ch)] * inverse;
    const float std = c.image_std[static_cast<size_t>(ch)] * inverse;
    float* dst = &out.pixel_values[static_cast<size_t>(ch * plane)];
    for (int64_t p = 0; p < plane; ++p) {
      const auto v = static_cast<float>(frame.data[static_cast<size_t>(p * 3 + ch)]);
      dst[p] = c.do_normalize && c.do_rescale ? (v - mean) / std
               : c.do_normalize               ? (v - c.image_mean[static_cast<size_t>(ch)]) /
                                                    c.image_std[static_cast<size_t>(ch)]
               : c.do_rescale                 ? v * factor
                                              : v;
    }
  }
  return out;
}

}  // namespace smolvlm
