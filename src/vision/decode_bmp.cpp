// BMP as Pillow 9.4's BmpImagePlugin reads it (our own reader; Pillow has no
// library for it either):
// - headers of 12 (OS/2 v1), 40, 64, 108 or 124 bytes; a height with its top
//   byte 0xFF is negative (top-down rows), anything else is bottom-up;
// - 1/4/8 bits: "P", unless the palette is the grey ramp (0..n-1, or black and
//   white for 2 colours): then "L" / "1" with the indices as grey;
// - 16 bits: 5-5-5 (or 5-6-5 with that bitfield mask) scaled as v * 255 / max;
//   24 bits: BGR; 32 bits: BGRX -> "RGB" (the 4th byte is ignored even if it
//   is alpha), or one of Pillow's bitfield layouts, "RGBA" when it has alpha;
// - RLE8 / RLE4: Pillow's decoder, data ending early is an error.
// Deliberate differences, where Pillow 9.4 is wrong (all fixed in later
// Pillow): an RLE delta escape reads 2 bytes, not 4; RLE4 absolute runs of odd
// length keep their last pixel; a pixel-data offset that points at an OS/2
// (3-byte) palette is corrected by 3 bytes per entry, not 4. And where Pillow
// reads a grey-ramp palette image of 1 or 4 bits as 8-bit data (garbage), the
// indices are unpacked properly.
#include <algorithm>
#include <array>

#include "core/error.h"
#include "vision/decode_formats.h"

namespace smolvlm::detail {
namespace {

constexpr uint32_t kRaw = 0, kRle8 = 1, kRle4 = 2, kBitfields = 3;

uint32_t le(std::span<const uint8_t> b, size_t at, int size) {
  uint32_t v = 0;
  for (int i = size - 1; i >= 0; --i) v = (v << 8) | b[at + static_cast<size_t>(i)];
  return v;
}

// How one pixel of 16, 24 or 32 bits becomes RGB(A).
enum class Packing { Bgr15, Bgr16, Bgr, Bgrx, Xbgr, Abgr, Rgba, Bgra };

struct Header {
  int64_t width = 0, height = 0;
  bool top_down = false;
  int bits = 0;
  uint32_t compression = kRaw;
  uint64_t colors = 0;
  size_t palette_entry = 4;  // bytes per palette entry
  std::array<uint32_t, 4> masks{};  // r, g, b, a (BITFIELDS)
  size_t end = 0;                   // file position after header and masks
};

Header read_header(std::span<const uint8_t> file, const std::string& what) {
  if (file.size() < 18) throw Error(what, "truncated BMP header");
  Header h;
  const uint32_t size = le(file, 14, 4);
  if (size != 12 && size != 40 && size != 64 && size != 108 && size != 124) {
    throw Error(what, "unsupported BMP header type (" + std::to_string(size) + " bytes)");
  }
  if (file.size() < 14 + size) throw Error(what, "truncated BMP header");
  const auto hd = file.subspan(18, size - 4);
  h.end = 14 + size;
  if (size == 12) {
    h.width = le(hd, 0, 2);
    h.height = le(hd, 2, 2);
    h.bits = static_cast<int>(le(hd, 6, 2));
    h.palette_entry = 3;
  } else {
    h.width = le(hd, 0, 4);
    h.top_down = hd[7] == 0xFF;
    h.height = h.top_down ? (int64_t{1} << 32) - le(hd, 4, 4) : le(hd, 4, 4);
    h.bits = static_cast<int>(le(hd, 10, 2));
    h.compression = le(hd, 12, 4);
    h.colors = le(hd, 28, 4);
    if (h.compression == kBitfields) {
      if (hd.size() >= 52) {
        for (int i = 0; i < 4; ++i) h.masks[i] = le(hd, 36 + 4 * static_cast<size_t>(i), 4);
      } else {  // 40-byte header: three masks follow it, no alpha mask
        if (file.size() < h.end + 12) throw Error(what, "truncated BMP bitfield masks");
        for (int i = 0; i < 3; ++i) h.masks[i] = le(file, h.end + 4 * static_cast<size_t>(i), 4);
        h.end += 12;
      }
    }
  }
  if (h.colors == 0) h.colors = uint64_t{1} << std::min(h.bits, 32);
  return h;
}

// Pillow's raw mode for 16/24/32-bit data, from the bit depth and masks.
Packing packing_of(const Header& h, const std::string& what) {
  if (h.compression == kRaw) return h.bits == 16 ? Packing::Bgr15 : h.bits == 24 ? Packing::Bgr : Packing::Bgrx;
  using M = std::array<uint32_t, 4>;
  const M m = h.masks;
  const M rgb{m[0], m[1], m[2], 0};
  if (h.bits == 32) {
    if (m == M{0xFF0000, 0xFF00, 0xFF, 0}) return Packing::Bgrx;
    if (m == M{0xFF000000, 0xFF0000, 0xFF00, 0}) return Packing::Xbgr;
    if (m == M{0xFF000000, 0xFF0000, 0xFF00, 0xFF}) return Packing::Abgr;
    if (m == M{0xFF, 0xFF00, 0xFF0000, 0xFF000000}) return Packing::Rgba;
    if (m == M{0xFF0000, 0xFF00, 0xFF, 0xFF000000} || m == M{0, 0, 0, 0}) return Packing::Bgra;
  } else if (h.bits == 24 && rgb == M{0xFF0000, 0xFF00, 0xFF, 0}) {
    return Packing::Bgr;
  } else if (h.bits == 16 && rgb == M{0xF800, 0x7E0, 0x1F, 0}) {
    return Packing::Bgr16;
  } else if (h.bits == 16 && rgb == M{0x7C00, 0x3E0, 0x1F, 0}) {
    return Packing::Bgr15;
  }
  throw Error(what, "unsupported BMP bitfields layout");
}

void unpack_pixel(Packing p, const uint8_t* in, uint8_t* out) {
  const auto scale = [](uint32_t v, uint32_t max) { return static_cast<uint8_t>(v * 255 / max); };
  switch (p) {
    case Packing::Bgr15: {
      const uint32_t v = in[0] | (in[1] << 8);
      out[0] = scale((v >> 10) & 31, 31), out[1] = scale((v >> 5) & 31, 31), out[2] = scale(v & 31, 31);
      return;
    }
    case Packing::Bgr16: {
      const uint32_t v = in[0] | (in[1] << 8);
      out[0] = scale((v >> 11) & 31, 31), out[1] = scale((v >> 5) & 63, 63), out[2] = scale(v & 31, 31);
      return;
    }
    case Packing::Bgr:
    case Packing::Bgrx: out[0] = in[2], out[1] = in[1], out[2] = in[0]; return;
    case Packing::Xbgr: out[0] = in[3], out[1] = in[2], out[2] = in[1]; return;
    case Packing::Abgr: out[0] = in[3], out[1] = in[2], out[2] = in[1], out[3] = in[0]; return;
    case Packing::Rgba: out[0] = in[0], out[1] = in[1], out[2] = in[2], out[3] = in[3]; return;
    case Packing::Bgra: out[0] = in[2], out[1] = in[1], out[2] = in[0], out[3] = in[3]; return;
  }
}

// Pillow's BmpRleDecoder (as fixed after 9.4): palette indices in file row
// order; runs are clipped to the row, absolute runs are not.
std::vector<uint8_t> decode_rle(std::span<const uint8_t> file, size_t pos, int64_t width, int64_t height, bool rle4,
                                const std::string& what) {
  const auto dest = static_cast<size_t>(width * height);
  const auto w = static_cast<size_t>(width);
  std::vector<uint8_t> data;
  data.reserve(dest);
  size_t x = 0;
  while (data.size() < dest && pos <= file.size() && file.size() - pos >= 2) {
    const uint8_t count = file[pos], value = file[pos + 1];
    pos += 2;
    if (count != 0) {  // a run of one index (RLE4: two alternating)
      const size_t n = x + count > w ? (x < w ? w - x : 0) : count;
      for (size_t i = 0; i < n; ++i) data.push_back(!rle4 ? value : (i % 2 == 0 ? value >> 4 : value & 15));
      x += n;
    } else if (value == 0) {  // end of line
      data.resize((data.size() + w - 1) / w * w, 0);
      x = 0;
    } else if (value == 1) {  // end of bitmap
      break;
    } else if (value == 2) {  // delta: skip right, up (what lands past the image is dropped)
      if (file.size() - pos < 2) break;
      data.resize(std::min(dest, data.size() + file[pos] + size_t{file[pos + 1]} * w), 0);
      pos += 2;
      x = data.size() % w;
    } else {  // absolute run of `value` indices, padded to an even file position
      const size_t n = std::min<size_t>(dest - data.size(), value);
      const size_t want = rle4 ? (n + 1) / 2 : n;
      const size_t got = std::min(want, file.size() - pos);
      for (size_t i = 0; i < got; ++i) {
        const uint8_t b = file[pos + i];
        if (!rle4) {
          data.push_back(b);
        } else {
          data.push_back(b >> 4);
          if (i * 2 + 1 < n) data.push_back(b & 15);
        }
      }
      pos += got;
      if (got < want || data.size() == dest) break;
      x += value;
      pos += pos % 2;
    }
  }
  if (data.size() < dest) throw Error(what, "BMP RLE data ends before the image is complete");
  data.resize(dest);
  return data;
}

}  // namespace

Image decode_bmp(std::span<const uint8_t> file, const std::string& what, const DecodeLimits& limits) {
  const Header h = read_header(file, what);
  size_t offset = le(file, 10, 4);
  if (h.bits != 1 && h.bits != 4 && h.bits != 8 && h.bits != 16 && h.bits != 24 && h.bits != 32) {
    throw Error(what, "unsupported BMP pixel depth (" + std::to_string(h.bits) + " bits)");
  }
  const bool indexed = h.bits <= 8;
  const bool rle = h.compression == kRle8 || h.compression == kRle4;
  if (h.compression != kRaw && h.compression != kBitfields && !rle) {
    throw Error(what, "unsupported BMP compression (" + std::to_string(h.compression) + ")");
  }
  if ((rle && !indexed) || (h.compression == kBitfields && indexed)) throw Error(what, "unsupported BMP compression for its depth");
  // Some writers point the data offset at the palette; Pillow skips it.
  if (offset == h.end && indexed) offset += static_cast<size_t>(h.palette_entry * h.colors);

  PixelMode mode = PixelMode::RGB;
  Packing packing = Packing::Bgr;
  std::vector<uint8_t> palette;
  size_t pos = h.end;
  if (indexed) {
    if (h.colors > 65536) throw Error(what, "unsupported BMP palette size (" + std::to_string(h.colors) + ")");
    const size_t bytes = h.palette_entry * static_cast<size_t>(h.colors);
    if (file.size() - pos < bytes) throw Error(what, "truncated BMP palette");
    bool grey = true;
    for (size_t i = 0; i < h.colors; ++i) {
      const uint8_t* e = &file[pos + i * h.palette_entry];
      const auto level = static_cast<uint8_t>(h.colors == 2 ? i * 255 : i);
      grey = grey && e[0] == level && e[1] == level && e[2] == level;
      palette.insert(palette.end(), {e[2], e[1], e[0]});
    }
    pos += bytes;
    mode = !grey ? PixelMode::Palette : h.colors == 2 ? PixelMode::Bilevel : PixelMode::Gray;
    if (mode == PixelMode::Palette && h.colors > 256) throw Error(what, "BMP palette has more than 256 colours");
  } else {
    packing = packing_of(h, what);
    if (packing == Packing::Abgr || packing == Packing::Rgba || packing == Packing::Bgra) mode = PixelMode::RGBA;
  }
  if (offset == 0) offset = pos;

  Image image = new_image(h.width, h.height, mode, what, limits);
  const auto w = static_cast<size_t>(h.width);
  const auto rows = static_cast<size_t>(h.height);
  const size_t channels = static_cast<size_t>(channels_of(mode));
  const auto image_row = [&](size_t file_row) { return image.data.data() + (h.top_down ? file_row : rows - 1 - file_row) * w * channels; };
  // Indices as "L" / "1" samples when the palette is a grey ramp.
  const auto index_sample = [&](uint8_t index) -> uint8_t {
    return mode == PixelMode::Bilevel ? (index != 0 ? 255 : 0) : index;
  };

  if (rle) {
    if (offset > file.size()) throw Error(what, "truncated BMP (no pixel data)");
    const std::vector<uint8_t> indices = decode_rle(file, offset, h.width, h.height, h.compression == kRle4, what);
    for (size_t r = 0; r < rows; ++r) {
      std::transform(indices.begin() + static_cast<std::ptrdiff_t>(r * w), indices.begin() + static_cast<std::ptrdiff_t>((r + 1) * w),
                     image_row(r), index_sample);
    }
  } else {
    // Rows are padded to 4 bytes; the last row needs only its pixels.
    const size_t stride = ((w * static_cast<size_t>(h.bits) + 31) >> 3) & ~size_t{3};
    const size_t row_data = (w * static_cast<size_t>(h.bits) + 7) / 8;
    if (offset > file.size() || file.size() - offset < stride * (rows - 1) + row_data) throw Error(what, "truncated BMP pixel data");
    for (size_t r = 0; r < rows; ++r) {
      const uint8_t* in = &file[offset + r * stride];
      uint8_t* out = image_row(r);
      for (size_t x = 0; x < w; ++x) {
        if (indexed) {
          const size_t bit = x * static_cast<size_t>(h.bits);
          const int shift = 8 - h.bits - static_cast<int>(bit % 8);  // first pixel in the high bits
          out[x] = index_sample(static_cast<uint8_t>((in[bit / 8] >> shift) & ((1 << h.bits) - 1)));
        } else {
          unpack_pixel(packing, in + x * static_cast<size_t>(h.bits / 8), out + x * channels);
        }
      }
    }
  }
  if (mode == PixelMode::Palette) image.palette = std::move(palette);
  return image;
}

}  // namespace smolvlm::detail
