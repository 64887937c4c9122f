// The picture VLMEvalKit's model actually reads for a TSV image: the dataset
// decodes the base64 cell and writes it to <index>.jpg before the wrapper
// loads that file (vlmeval/dataset/image_base.py dump_image ->
// vlmeval/smp/vlm.py decode_base64_to_image_file: Image.open, "RGBA"/"P"/"LA"
// converted to "RGB", image.save(path) with Pillow's JPEG defaults). So every
// image is re-encoded as a quality-75 JPEG, which changes its pixels.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace smolvlm::eval {

// The bytes of the .jpg VLMEvalKit writes for `encoded` (an image file's
// bytes). Throws Error naming `what` when Pillow would fail: an undecodable
// image, or a mode JPEG cannot hold ("I;16").
std::vector<uint8_t> vlmevalkit_saved_jpeg(std::span<const uint8_t> encoded, const std::string& what);

}  // namespace smolvlm::eval
