// A decoded image as Pillow holds it: a mode, the raw samples and, for "P",
// the palette. The processor's behaviour depends on the mode it is handed
// (SPEC §6.1, §6.2), so decoding keeps the file's mode instead of forcing RGB.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace smolvlm {

enum class PixelMode {
  Bilevel,    // Pillow "1": one byte per pixel, 0 or 255
  Gray,       // "L"
  GrayAlpha,  // "LA"
  Palette,    // "P": one index byte per pixel + palette (RGB triplets)
  RGB,        // "RGB"
  RGBA,       // "RGBA"
  CMYK,       // "CMYK" (as Pillow stores JPEG CMYK: Adobe-inverted values already undone)
  Gray16,     // "I;16": one uint16 per pixel, native endianness
};

std::string_view pixel_mode_name(PixelMode mode);  // Pillow's spelling
int channels_of(PixelMode mode);                   // samples per pixel (Gray16: 1)

struct Image {
  int64_t width = 0;
  int64_t height = 0;
  PixelMode mode = PixelMode::RGB;
  // Row-major samples, channels interleaved; one byte per sample, except
  // Gray16 (two bytes per sample).
  std::vector<uint8_t> data;
  // Palette mode: RGB triplets, up to 256 entries.
  std::vector<uint8_t> palette;
  // Palette mode: alpha per palette index from tRNS / GIF transparency, if any.
  std::vector<uint8_t> palette_alpha;
  // EXIF Orientation tag (1..8) read from the file; 1 when absent.
  int exif_orientation = 1;

  size_t bytes_per_sample() const { return mode == PixelMode::Gray16 ? 2 : 1; }
  size_t row_bytes() const { return static_cast<size_t>(width) * channels_of(mode) * bytes_per_sample(); }
};

}  // namespace smolvlm
