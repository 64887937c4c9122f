// transformers >= 4.52's SmolVLMVideoProcessor for one decoded frame (SPEC
// §9.3 [HEAD]), offered as an option beside 4.51.3's image-processor path
// (the default, which the fixtures' goldens follow): torchvision resizes the
// uint8 frame to the longest edge (the §6.3 even rule, capped at 4096), then
// to M x M, both with antialiased BICUBIC (the processor's LANCZOS has no
// tensor version and is replaced, with a warning); no splitting. Rescale and
// normalise are fused as the fast processors do: (v - mean*255) / (std*255)
// in float32, mean and std scaled by 1/rescale_factor in float32.
#pragma once

#include "vision/image.h"
#include "vision/image_processor.h"
#include "vision/processor_config.h"

namespace smolvlm {

// `rgb` must be PixelMode::RGB (decoded frames are). One M x M tile, rows =
// cols = 0. Throws Error("image processor", ...) for an empty frame.
ProcessedImage preprocess_frame_torchvision(const Image& rgb, const ImageProcessorConfig& config);

}  // namespace smolvlm
