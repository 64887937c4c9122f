// PNG through libpng, giving the modes and samples of Pillow 9.4's own PNG
// reader (PngImagePlugin._MODES + its unpackers): 1-bit grey -> "1" (0/255),
// 2/4-bit grey -> "L" scaled (x85, x17), 16-bit grey -> "I" (held as Gray16),
// 16-bit RGB/RGBA -> 8 bits by keeping the high byte, 16-bit grey+alpha ->
// "RGBA" (Pillow has no 16-bit LA reader), palette -> "P" with tRNS as
// palette alpha. No gamma or colour management (Pillow ignores gAMA/iCCP), and
// tRNS is never expanded into an alpha channel.
//
// Damaged files are judged as Pillow judges them: every chunk before the
// first IDAT must be whole with a correct CRC ("broken PNG file"); IDAT CRCs
// are not checked; the image is done once its last row is decoded, so a file
// cut after that (no zlib checksum, no IEND) still loads.
#include <png.h>
#include <zlib.h>

#include <bit>
#include <cctype>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <new>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "vision/decode_formats.h"
#include "vision/exif.h"

namespace smolvlm::detail {
namespace {

struct ReadState {
  std::string what;
  Image image;               // allocated once the header is known
  std::string problem;       // a failure of ours, raised from a libpng callback
  uint64_t rows_decoded = 0;   // rows that reached the transform stage, all passes
  uint64_t rows_expected = 0;  // ... and how many make the image
  char message[200] = "";      // libpng's last error
};

// libpng's default error handler longjmps too, but prints; ours keeps the
// message for the Error. It must not return (libpng would abort()).
void on_error(png_structp png, png_const_charp message) {
  auto* st = static_cast<ReadState*>(png_get_error_ptr(png));
  std::snprintf(st->message, sizeof st->message, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

// A no-op transform whose only job is counting rows whose data has been fully
// inflated: libpng calls it for each real row just before handing it out.
void count_row(png_structp png, png_row_infop, png_bytep) {
  ++static_cast<ReadState*>(png_get_error_ptr(png))->rows_decoded;
}

template <typename Step>
bool guarded(png_structp png, Step&& step) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  step();
  return true;
}

class PngReader {
 public:
  PngReader(ReadState& state, const std::string& what) {
    png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
    if (png_ != nullptr) info_ = png_create_info_struct(png_);
    if (png_ == nullptr || info_ == nullptr) {
      png_destroy_read_struct(&png_, &info_, nullptr);
      throw Error(what, "cannot create a PNG decoder");
    }
  }
  ~PngReader() { png_destroy_read_struct(&png_, &info_, nullptr); }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Pillow's own chunk walk, which libpng's push reader cannot stand in for:
// before the first IDAT every chunk must have a word-character name, all its
// data and a matching CRC ("broken PNG file"); after the image data, chunks
// are read (no CRC check) until IEND or the first one cut short. Returns the
// last eXIf chunk's data (libpng 1.6.39's push reader skips eXIf).
std::span<const uint8_t> check_chunks(std::span<const uint8_t> bytes, const std::string& what) {
  std::span<const uint8_t> exif;
  bool seen_idat = false;
  for (size_t pos = 8;;) {
    if (bytes.size() - pos < 8) {
      if (seen_idat) return exif;
      throw Error(what, "truncated PNG (chunk header)");
    }
    const uint64_t length = be32(&bytes[pos]);
    const uint8_t* type = &bytes[pos + 4];
    const std::string name(reinterpret_cast<const char*>(type), 4);
    const bool whole = bytes.size() - pos - 8 >= length + 4;
    if (name == "IEND" || (seen_idat && !whole)) return exif;
    seen_idat = seen_idat || name == "IDAT";
    if (!seen_idat) {
      for (char c : name) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) throw Error(what, "broken PNG file (bad chunk name)");
      }
      if (!whole) throw Error(what, "truncated PNG (" + name + " chunk)");
      const auto crc = static_cast<uint32_t>(crc32(0, type, static_cast<uInt>(4 + length)));
      if (crc != be32(&bytes[pos + 8 + length])) throw Error(what, "broken PNG file (bad checksum in " + name + ")");
    }
    if (name == "eXIf" && whole) exif = bytes.subspan(pos + 8, length);
    if (!whole) return exif;  // IDAT data cut short: the decoder decides
    pos += 12 + length;
  }
}

// Pillow's "Raw profile type exif" (ImageMagick) text: a header of three lines,
// then the EXIF block in hex.
std::vector<uint8_t> raw_profile_bytes(std::string_view text) {
  size_t at = 0;
  for (int line = 0; line < 3 && at != std::string_view::npos; ++line) {
    at = text.find('\n', at);
    if (at != std::string_view::npos) ++at;
  }
  std::vector<uint8_t> out;
  if (at == std::string_view::npos) return out;
  int high = -1;
  for (char c : text.substr(at)) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return {};
    const int nibble = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
    if (high < 0) {
      high = nibble;
    } else {
      out.push_back(static_cast<uint8_t>(high * 16 + nibble));
      high = -1;
    }
  }
  return out;
}

// Image.getexif() for PNG: the eXIf chunk, else "Raw profile type exif" text;
// then XMP if neither has the tag. Later text chunks win, as in Pillow's info.
int png_orientation(png_structp png, png_infop info, std::span<const uint8_t> exif) {
  std::optional<int64_t> tag;
  std::string_view raw_profile, xmp;
  png_textp text = nullptr;
  int text_count = 0;
  png_get_text(png, info, &text, &text_count);
  for (int i = 0; i < text_count; ++i) {
    const std::string_view key = text[i].key;
    const std::string_view value(text[i].text, text[i].itxt_length ? text[i].itxt_length : text[i].text_length);
    if (key == "Raw profile type exif") raw_profile = value;
    if (key == "XML:com.adobe.xmp") xmp = value;
  }
  if (!exif.empty()) {
    tag = exif_orientation_tag(exif);
  } else if (!raw_profile.empty()) {
    tag = exif_orientation_tag(raw_profile_bytes(raw_profile));
  }
  if (!tag && !xmp.empty()) tag = xmp_orientation_tag(xmp);
  return orientation_or_default(tag);
}

// Rows libpng runs through the transforms: every row of every pass that has
// pixels (Adam7 passes 1, 3, 5 vanish on images narrower than 5, 3, 2).
uint64_t rows_to_decode(uint32_t width, uint32_t height, bool interlaced) {
  if (!interlaced) return height;
  uint64_t rows = 0;
  for (int pass = 0; pass < 7; ++pass) {
    if (PNG_PASS_COLS(width, pass) != 0) rows += PNG_PASS_ROWS(height, pass);
  }
  return rows;
}

// Pillow's mode for a PNG colour type and depth (PngImagePlugin._MODES).
PixelMode mode_of(int color, int depth) {
  switch (color) {
    case PNG_COLOR_TYPE_GRAY: return depth == 1 ? PixelMode::Bilevel : depth == 16 ? PixelMode::Gray16 : PixelMode::Gray;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return depth == 16 ? PixelMode::RGBA : PixelMode::GrayAlpha;
    case PNG_COLOR_TYPE_RGB: return PixelMode::RGB;
    case PNG_COLOR_TYPE_RGB_ALPHA: return PixelMode::RGBA;
    default: return PixelMode::Palette;
  }
}

// The C++ half of the header callback: size checks and the allocation, with
// failures kept in the state (they must not unwind through libpng).
bool allocate_image(ReadState& st, uint32_t width, uint32_t height, PixelMode mode, size_t row_bytes,
                    const DecodeLimits& limits) noexcept {
  try {
    st.image = new_image(width, height, mode, st.what, limits);
    if (row_bytes != st.image.row_bytes()) st.problem = "unexpected PNG row layout";
  } catch (const Error& e) {
    st.problem = e.problem();
  } catch (const std::bad_alloc&) {
    st.problem = "out of memory while decoding";
  }
  return st.problem.empty();
}

// Called once the chunks before the first IDAT are in: picks the transforms
// that give Pillow's samples and allocates the image.
void on_header(png_structp png, png_infop info) {
  ReadState& st = *static_cast<ReadState*>(png_get_error_ptr(png));
  const auto* limits = static_cast<const DecodeLimits*>(png_get_progressive_ptr(png));
  const uint32_t width = png_get_image_width(png, info);
  const uint32_t height = png_get_image_height(png, info);
  const int depth = png_get_bit_depth(png, info);
  const int color = png_get_color_type(png, info);
  const bool interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
  const PixelMode mode = mode_of(color, depth);
  if (depth < 8 && color == PNG_COLOR_TYPE_GRAY) png_set_expand_gray_1_2_4_to_8(png);  // "1": 0/255; L;2: x85; L;4: x17
  if (depth < 8 && color == PNG_COLOR_TYPE_PALETTE) png_set_packing(png);
  if (depth == 16 && mode == PixelMode::Gray16 && std::endian::native == std::endian::little) png_set_swap(png);
  if (depth == 16 && mode != PixelMode::Gray16) png_set_strip_16(png);  // high byte, like Pillow's ;16B unpackers
  if (depth == 16 && color == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
  if (interlaced) png_set_interlace_handling(png);
  png_set_read_user_transform_fn(png, count_row);
  png_read_update_info(png, info);
  st.rows_expected = rows_to_decode(width, height, interlaced);
  if (!allocate_image(st, width, height, mode, png_get_rowbytes(png, info), *limits)) png_longjmp(png, 1);
}

void on_row(png_structp png, png_bytep row, png_uint_32 y, int) {
  Image& image = static_cast<ReadState*>(png_get_error_ptr(png))->image;
  if (row != nullptr && y < image.height) png_progressive_combine_row(png, image.data.data() + y * image.row_bytes(), row);
}

}  // namespace

Image decode_png(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits) {
  const std::span<const uint8_t> exif = check_chunks(bytes, what);
  ReadState state;
  state.what = what;
  PngReader reader(state, what);
  png_structp png = reader.png();
  png_infop info = reader.info();

  // Pillow has no per-side limit (libpng's default is 1e6); the pixel-count
  // limit applies in on_header. CRCs after the first IDAT are not Pillow's
  // concern (the ones before were checked above).
  png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
  png_set_benign_errors(png, 1);
  // libpng's push reader works like Pillow's decoder: it decodes rows as data
  // arrives and simply stops when it runs out, so we know exactly which rows
  // the file's bytes complete.
  // (libpng's C API takes non-const pointers; it only reads through them.)
  png_set_progressive_read_fn(png, const_cast<DecodeLimits*>(&limits), on_header, on_row, nullptr);
  const bool clean = guarded(png, [&] { png_process_data(png, info, const_cast<uint8_t*>(bytes.data()), bytes.size()); });
  if (!state.problem.empty()) throw Error(what, state.problem);
  // Once the last row is out, a damaged or missing tail (zlib checksum, later
  // chunks, IEND) is no error, as in Pillow.
  if (state.image.data.empty() || state.rows_decoded < state.rows_expected) {
    throw Error(what, clean ? "truncated PNG image data" : std::string("corrupt PNG: ") + state.message);
  }
  Image image = std::move(state.image);
  if (image.mode == PixelMode::Palette) {
    png_colorp palette = nullptr;
    int entries = 0;
    if (png_get_PLTE(png, info, &palette, &entries) != 0) {
      for (int i = 0; i < entries; ++i) image.palette.insert(image.palette.end(), {palette[i].red, palette[i].green, palette[i].blue});
    }
    png_bytep alpha = nullptr;
    int alpha_count = 0;
    if (png_get_tRNS(png, info, &alpha, &alpha_count, nullptr) != 0 && alpha != nullptr) {
      image.palette_alpha.assign(alpha, alpha + alpha_count);
    }
  }
  image.exif_orientation = png_orientation(png, info, exif);
  return image;
}

}  // namespace smolvlm::detail
