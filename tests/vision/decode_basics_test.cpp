// Decoding pieces that need no oracle: mode names, the EXIF reader, the
// transpose geometry, Pillow's conversion formulas (values taken from Pillow
// 9.4), size limits and the errors bad input gets.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <functional>
#include <fstream>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "core/error.h"
#include "vision/exif.h"
#include "vision/image_convert.h"
#include "vision/image_decode.h"

namespace smolvlm {
namespace {

using detail::exif_orientation_tag;
using detail::xmp_orientation_tag;

std::string image_path(const std::string& name) { return testing::fixtures_dir() + "/images/" + name; }

Image make(int64_t w, int64_t h, PixelMode mode, std::vector<uint8_t> data) {
  Image im;
  im.width = w;
  im.height = h;
  im.mode = mode;
  im.data = std::move(data);
  return im;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(PixelModes, PillowNamesAndChannels) {
  EXPECT_EQ(pixel_mode_name(PixelMode::Bilevel), "1");
  EXPECT_EQ(pixel_mode_name(PixelMode::GrayAlpha), "LA");
  EXPECT_EQ(pixel_mode_name(PixelMode::CMYK), "CMYK");
  EXPECT_EQ(pixel_mode_name(PixelMode::Gray16), "I;16");
  EXPECT_EQ(channels_of(PixelMode::Palette), 1);
  EXPECT_EQ(channels_of(PixelMode::GrayAlpha), 2);
  EXPECT_EQ(channels_of(PixelMode::CMYK), 4);
  EXPECT_EQ(channels_of(PixelMode::Gray16), 1);
}

// A little-endian TIFF block with one IFD0 entry.
std::vector<uint8_t> tiff_with(uint16_t tag, uint16_t type, uint32_t count, std::vector<uint8_t> value) {
  std::vector<uint8_t> t = {'I', 'I', 0x2A, 0, 8, 0, 0, 0, 1, 0};
  t.insert(t.end(), {uint8_t(tag), uint8_t(tag >> 8), uint8_t(type), uint8_t(type >> 8), uint8_t(count),
                     uint8_t(count >> 8), uint8_t(count >> 16), uint8_t(count >> 24)});
  value.resize(4);
  t.insert(t.end(), value.begin(), value.end());
  t.insert(t.end(), {0, 0, 0, 0});
  return t;
}

TEST(Exif, ReadsOrientationInEitherByteOrderWithOrWithoutPrefix) {
  EXPECT_EQ(exif_orientation_tag(tiff_with(0x0112, 3, 1, {6, 0})), 6);
  std::vector<uint8_t> prefixed = {'E', 'x', 'i', 'f', 0, 0};
  const auto t = tiff_with(0x0112, 3, 1, {3, 0});
  prefixed.insert(prefixed.end(), t.begin(), t.end());
  EXPECT_EQ(exif_orientation_tag(prefixed), 3);
  const std::vector<uint8_t> big = {'M', 'M', 0, 0x2A, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(exif_orientation_tag(big), 8);
}

TEST(Exif, AbsentUnreadableOrNonNumericTags) {
  EXPECT_FALSE(exif_orientation_tag(tiff_with(0x0110, 3, 1, {6, 0})));  // another tag
  EXPECT_FALSE(exif_orientation_tag({}));
  EXPECT_FALSE(exif_orientation_tag(std::vector<uint8_t>{'I', 'I', 0x2A, 0, 0xFF, 0, 0, 0}));  // IFD past the end
  auto cut = tiff_with(0x0112, 3, 1, {6, 0});
  cut.resize(15);  // entry cut short
  EXPECT_FALSE(exif_orientation_tag(cut));
  EXPECT_EQ(exif_orientation_tag(tiff_with(0x0112, 2, 2, {'6', 0})), 0);  // ASCII never matches in Pillow
  EXPECT_EQ(exif_orientation_tag(tiff_with(0x0112, 1, 1, {6})), 0);       // nor BYTE (bytes object)
  EXPECT_EQ(exif_orientation_tag(tiff_with(0x0112, 4, 1, {5, 0, 0, 0})), 5);
}

TEST(Exif, XmpFallbackAndDefaults) {
  EXPECT_EQ(xmp_orientation_tag(R"(<rdf:Description tiff:Orientation="7"/>)"), 7);
  EXPECT_EQ(xmp_orientation_tag("<tiff:Orientation>2</tiff:Orientation>"), 2);
  EXPECT_FALSE(xmp_orientation_tag("tiff:Orientation=6"));
  EXPECT_EQ(detail::orientation_or_default(std::nullopt), 1);
  EXPECT_EQ(detail::orientation_or_default(9), 1);
  EXPECT_EQ(detail::orientation_or_default(0), 1);
  EXPECT_EQ(detail::orientation_or_default(8), 8);
}

TEST(ExifTranspose, EachOrientationMovesPixelsLikePillow) {
  // 3 wide, 2 high:  1 2 3 / 4 5 6
  const Image base = make(3, 2, PixelMode::Gray, {1, 2, 3, 4, 5, 6});
  const std::vector<std::pair<int, std::vector<uint8_t>>> expected = {
      {1, {1, 2, 3, 4, 5, 6}},  // as stored
      {2, {3, 2, 1, 6, 5, 4}},  // mirrored
      {3, {6, 5, 4, 3, 2, 1}},  // rotated 180
      {4, {4, 5, 6, 1, 2, 3}},  // flipped
      {5, {1, 4, 2, 5, 3, 6}},  // transposed (2 wide, 3 high)
      {6, {4, 1, 5, 2, 6, 3}},  // rotated 90 clockwise
      {7, {6, 3, 5, 2, 4, 1}},  // transversed
      {8, {3, 6, 2, 5, 1, 4}},  // rotated 90 counter-clockwise
  };
  for (const auto& [orientation, pixels] : expected) {
    Image im = base;
    im.exif_orientation = orientation;
    const Image out = exif_transpose(im);
    EXPECT_EQ(out.data, pixels) << "orientation " << orientation;
    EXPECT_EQ(out.width, orientation >= 5 ? 2 : 3);
    EXPECT_EQ(out.exif_orientation, 1);
  }
}

TEST(ConvertImage, CmykToRgbUsesPillowsRoundedFormula) {
  // Values printed by Pillow 9.4: Image.new("CMYK", (1, 1), px).convert(...).
  const Image cmyk = make(4, 1, PixelMode::CMYK, {0, 0, 0, 0, 100, 50, 200, 30, 255, 255, 255, 255, 10, 20, 30, 240});
  EXPECT_EQ(convert_image(cmyk, PixelMode::RGB).data,
            (std::vector<uint8_t>{255, 255, 255, 137, 181, 49, 0, 0, 0, 14, 14, 13}));
  EXPECT_EQ(convert_image(cmyk, PixelMode::Gray).data, (std::vector<uint8_t>{255, 153, 0, 14}));
}

TEST(ConvertImage, Gray16IsClippedAndAlphaIsDropped) {
  Image g16 = make(4, 1, PixelMode::Gray16, std::vector<uint8_t>(8));
  const uint16_t values[] = {0, 100, 255, 65535};
  std::memcpy(g16.data.data(), values, sizeof values);
  EXPECT_EQ(convert_image(g16, PixelMode::RGB).data,
            (std::vector<uint8_t>{0, 0, 0, 100, 100, 100, 255, 255, 255, 255, 255, 255}));
  const Image la = make(1, 1, PixelMode::GrayAlpha, {70, 0});
  EXPECT_EQ(convert_image(la, PixelMode::RGB).data, (std::vector<uint8_t>{70, 70, 70}));
  EXPECT_EQ(convert_image(la, PixelMode::RGBA).data, (std::vector<uint8_t>{70, 70, 70, 0}));
}

TEST(ConvertImage, PaletteRampPastTheEntriesAndAlphaOnlyForRgba) {
  Image p = make(3, 1, PixelMode::Palette, {0, 1, 7});
  p.palette = {10, 20, 30, 40, 50, 60};
  p.palette_alpha = {0};
  EXPECT_EQ(convert_image(p, PixelMode::RGB).data, (std::vector<uint8_t>{10, 20, 30, 40, 50, 60, 7, 7, 7}));
  EXPECT_EQ(convert_image(p, PixelMode::RGBA).data,
            (std::vector<uint8_t>{10, 20, 30, 0, 40, 50, 60, 255, 7, 7, 7, 255}));
  EXPECT_THROW(convert_image(p, PixelMode::CMYK), Error);
}

TEST(DecodeLimits, DeclaredSizeOverTheLimitFailsBeforeDecoding) {
  const std::string path = image_path("photo_320x240.jpg");
  const std::string message = error_of([&] { decode_image_file(path, DecodeLimits{320 * 240 - 1}); });
  EXPECT_NE(message.find(path), std::string::npos);
  EXPECT_NE(message.find("over the limit"), std::string::npos) << message;
  EXPECT_EQ(decode_image_file(path, DecodeLimits{320 * 240}).width, 320);
}

void put_be32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

std::vector<uint8_t> png_chunk(const char* type, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> c(12 + data.size());
  put_be32(c.data(), static_cast<uint32_t>(data.size()));
  std::memcpy(c.data() + 4, type, 4);
  std::copy(data.begin(), data.end(), c.begin() + 8);
  put_be32(c.data() + 8 + data.size(), static_cast<uint32_t>(crc32(0, c.data() + 4, static_cast<uInt>(4 + data.size()))));
  return c;
}

TEST(DecodeLimits, HugePngHeaderIsRejectedWithoutAllocating) {
  // 100000 x 100000 RGB would need 30 GB; only the IHDR says so.
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  const std::vector<uint8_t> ihdr = {0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0, 8, 2, 0, 0, 0};
  for (const auto& c : {png_chunk("IHDR", ihdr), png_chunk("IDAT", {0x78, 0x9C, 0x03, 0, 0, 0, 0, 1}),
                        png_chunk("IEND", {})}) {
    png.insert(png.end(), c.begin(), c.end());
  }
  const std::string message = error_of([&] { decode_image(png, "huge.png"); });
  EXPECT_NE(message.find("100000x100000"), std::string::npos) << message;
  EXPECT_NE(message.find("over the limit"), std::string::npos) << message;
}

TEST(DecodeLimits, SidesNear2To32DoNotOverflow) {
  // Found by the fuzzer: a BMP declaring 4294967040 x 4278190079 (width *
  // height overflowed int64 in the limit check).
  std::vector<uint8_t> bmp(54 + 16, 0);
  bmp[0] = 'B', bmp[1] = 'M', bmp[10] = 54, bmp[14] = 40;
  const uint8_t sides[] = {0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE};
  std::memcpy(&bmp[18], sides, sizeof sides);
  bmp[26] = 1, bmp[28] = 24;
  const std::string message = error_of([&] { decode_image(bmp, "wide.bmp"); });
  EXPECT_NE(message.find("4294967040x4278190079 pixels, over the limit"), std::string::npos) << message;
}

TEST(DecodeErrors, EmptyMissingAndUnknownInputsAreNamed) {
  EXPECT_EQ(error_of([] { decode_image({}, "x.png"); }), "x.png: empty file");
  const std::string text = "plain text, not an image";
  const std::string unknown = error_of([&] {
    decode_image({reinterpret_cast<const uint8_t*>(text.data()), text.size()}, "notes.txt");
  });
  EXPECT_NE(unknown.find("notes.txt: unsupported image format"), std::string::npos) << unknown;
  EXPECT_NE(error_of([] { decode_image_file("/nonexistent/a.jpg"); }).find("/nonexistent/a.jpg"), std::string::npos);
}

TEST(DecodeErrors, EveryPrefixOfAFixtureFailsCleanlyOrDecodes) {
  // No crash, no exit(), only Error, for every cut of small files of each format.
  for (const char* name : {"small_64x48.png", "palette_200x120.gif", "photo_300x220.webp", "tiny_1x1.png",
                           "exif_rot6_240x160.jpg"}) {
    std::ifstream in(image_path(name), std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t step = bytes.size() > 2000 ? bytes.size() / 700 : 1;
    for (size_t n = 0; n < bytes.size(); n += step) {
      try {
        const Image im = decode_image({bytes.data(), n}, name);
        EXPECT_EQ(im.data.size(), im.row_bytes() * static_cast<size_t>(im.height));
      } catch (const Error& e) {
        EXPECT_EQ(e.context(), name);
      }
    }
  }
}

}  // namespace
}  // namespace smolvlm
