#include "vision/image.h"

namespace smolvlm {

std::string_view pixel_mode_name(PixelMode mode) {
  switch (mode) {
    case PixelMode::Bilevel: return "1";
    case PixelMode::Gray: return "L";
    case PixelMode::GrayAlpha: return "LA";
    case PixelMode::Palette: return "P";
    case PixelMode::RGB: return "RGB";
    case PixelMode::RGBA: return "RGBA";
    case PixelMode::CMYK: return "CMYK";
    case PixelMode::Gray16: return "I;16";
  }
  return "?";
}

int channels_of(PixelMode mode) {
  switch (mode) {
    case PixelMode::Bilevel:
    case PixelMode::Gray:
    case PixelMode::Palette:
    case PixelMode::Gray16: return 1;
    case PixelMode::GrayAlpha: return 2;
    case PixelMode::RGB: return 3;
    case PixelMode::RGBA:
    case PixelMode::CMYK: return 4;
  }
  return 0;
}

}  // namespace smolvlm
