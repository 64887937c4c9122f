// The EXIF Orientation tag as Pillow 9.4's Image.getexif() finds it, which is
// what ImageOps.exif_transpose (and so transformers' load_image) acts on.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace smolvlm::detail {

// The value of tag 0x0112 in IFD0 of an EXIF block (a TIFF structure, with or
// without the "Exif\0\0" prefix JPEG APP1 and Pillow's PNG reader put before
// it). nullopt when the tag is absent or the block is not readable TIFF; a
// present tag whose value is not a number reads as 0.
std::optional<int64_t> exif_orientation_tag(std::span<const uint8_t> exif);

// Pillow's fallback when EXIF has no Orientation tag (PNG only, where XMP sits
// in an "XML:com.adobe.xmp" text chunk): the first tiff:Orientation="N" or
// <tiff:Orientation>N with a single digit N.
std::optional<int64_t> xmp_orientation_tag(std::string_view xmp);

// What Image::exif_orientation holds: the tag if it is 1..8, else 1
// (exif_transpose ignores any other value).
int orientation_or_default(std::optional<int64_t> tag);

}  // namespace smolvlm::detail
