// GIF, first frame, as Pillow 9.4's GifImagePlugin opens it. Pillow links no
// GIF library: it walks the file in Python and expands LZW with its own
// decoder (GifDecode.c). Both are restated here, so damaged files fail or
// load exactly where Pillow's do (giflib, for one, decodes on through codes
// Pillow rejects as a broken data stream).
// - Size: the logical screen, grown to cover the first frame if it sticks out.
// - Mode: "P" with the frame's palette (local, else global), or "L" when there
//   is none or it is the identity grey ramp (Pillow drops such palettes).
// - Pixels outside the frame: the transparency index if a graphic control
//   extension gives one, else 0; inside: the frame's indices, transparent
//   ones included. The transparency index becomes palette alpha 0.
// - Only whole data sub-blocks are decoded and the frame is done at its last
//   pixel: a file cut after that loads, one cut before fails.
//   Deliberate difference: an LZW end code before the last pixel is an error
//   here; Pillow 9.4 reads on into the bytes after the frame as if they were
//   image data.
#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "core/error.h"
#include "vision/decode_formats.h"

namespace smolvlm::detail {
namespace {

class Cursor {
 public:
  Cursor(std::span<const uint8_t> bytes, const std::string& what) : bytes_(bytes), what_(what) {}

  std::span<const uint8_t> take(size_t count) {
    if (count > bytes_.size() - pos_) throw Error(what_, "truncated GIF");
    const auto out = bytes_.subspan(pos_, count);
    pos_ += count;
    return out;
  }
  uint8_t byte() { return take(1)[0]; }
  int le16() {
    const auto b = take(2);
    return b[0] | (b[1] << 8);
  }
  uint8_t peek() const { return bytes_[pos_]; }  // only when remaining() > 0
  size_t remaining() const { return bytes_.size() - pos_; }

  // One data sub-block: its bytes, or nullopt for the zero-length terminator.
  std::optional<std::span<const uint8_t>> sub_block() {
    const uint8_t size = byte();
    if (size == 0) return std::nullopt;
    return take(size);
  }
  void skip_sub_blocks() {
    while (sub_block()) {
    }
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  const std::string& what_;
};

// Pillow keeps a palette only if it is not (0,0,0), (1,1,1), (2,2,2), ...
bool palette_needed(std::span<const uint8_t> palette) {
  for (size_t i = 0; i < palette.size(); i += 3) {
    const auto index = static_cast<uint8_t>(i / 3);
    if (palette[i] != index || palette[i + 1] != index || palette[i + 2] != index) return true;
  }
  return false;
}

struct FirstFrame {
  int x0 = 0, y0 = 0, width = 0, height = 0;
  bool interlaced = false;
  std::optional<std::span<const uint8_t>> palette;  // none: mode "L"
  int transparency = -1;
  uint8_t lzw_code_size = 0;
  std::vector<uint8_t> lzw;   // the data of the whole sub-blocks, concatenated
  bool lzw_complete = false;  // ended with a terminator inside the file
};

// Pillow's GifImageFile._seek(0): extensions are parsed or skipped, stray
// bytes are skipped, the first image descriptor ends the walk.
FirstFrame find_first_frame(Cursor& in, std::optional<std::span<const uint8_t>> global_palette, const std::string& what) {
  FirstFrame frame;
  for (;;) {
    if (in.remaining() == 0) throw Error(what, "truncated GIF (no image)");
    const uint8_t record = in.byte();
    if (record == ';') throw Error(what, "GIF has no image");
    if (record == '!') {
      const uint8_t label = in.byte();
      const auto block = in.sub_block();
      if (label == 0xF9) {  // graphic control: flags, delay (Pillow reads both), transparency index
        if (!block || block->size() < 3 || (((*block)[0] & 1) && block->size() < 4)) {
          throw Error(what, "corrupt GIF graphic control extension");
        }
        if ((*block)[0] & 1) frame.transparency = (*block)[3];
      } else if (label == 0xFF && !block) {
        throw Error(what, "corrupt GIF application extension");
      }
      if (block) in.skip_sub_blocks();
    } else if (record == ',') {
      frame.x0 = in.le16();
      frame.y0 = in.le16();
      frame.width = in.le16();
      frame.height = in.le16();
      const uint8_t flags = in.byte();
      frame.interlaced = (flags & 0x40) != 0;
      frame.palette = global_palette;
      if (flags & 0x80) {
        const auto local = in.take(size_t{3} << ((flags & 7) + 1));
        frame.palette = palette_needed(local) ? std::optional(local) : std::nullopt;
      }
      frame.lzw_code_size = in.byte();
      // Whole sub-blocks only: Pillow's decoder never starts on a partial one.
      while (in.remaining() > 0) {
        const size_t size = in.peek();
        if (size == 0) {
          in.byte();
          frame.lzw_complete = true;
          break;
        }
        if (in.remaining() < 1 + size) break;
        const auto block = in.take(1 + size).subspan(1);
        frame.lzw.insert(frame.lzw.end(), block.begin(), block.end());
      }
      return frame;
    }
  }
}

// The frame's rows in the order the data stores them: top to bottom, or
// interlaced (every 8th row from 0, every 8th from 4, every 4th from 2, every
// 2nd from 1).
std::vector<int> row_order(int height, bool interlaced) {
  std::vector<int> rows;
  if (!interlaced) {
    for (int y = 0; y < height; ++y) rows.push_back(y);
    return rows;
  }
  static constexpr int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
  for (int pass = 0; pass < 4; ++pass) {
    for (int y = kStart[pass]; y < height; y += kStep[pass]) rows.push_back(y);
  }
  return rows;
}

// Pillow's LZW decoder: codes read LSB first, clear resets the table and the
// code size (code size + 1 bits, growing up to 12), the first code after a
// clear must be a literal, a code may be at most the next free table entry,
// the table stops growing at 4096 entries. Writes the frame's indices into
// `image` at (x0, y0) and stops at the frame's last pixel.
void decode_lzw(const FirstFrame& frame, Image& image, const std::string& what) {
  constexpr int kMaxBits = 12, kTable = 1 << kMaxBits;
  const auto corrupt = [&] { return Error(what, "broken GIF image data (invalid LZW code)"); };
  if (frame.lzw_code_size > kMaxBits) throw Error(what, "broken GIF image data (LZW code size over 12)");
  const int clear = 1 << frame.lzw_code_size, end = clear + 1;
  std::array<uint16_t, kTable> prefix{};
  std::array<uint8_t, kTable> suffix{};
  std::vector<uint8_t> tail;  // a code's string after its first byte, last byte first
  int next = 0, code_bits = 0, last_code = 0;
  uint8_t last_first = 0;  // first byte of the previous code's string
  bool after_clear = true;
  const auto reset = [&] {
    next = clear + 2;
    code_bits = frame.lzw_code_size + 1;
    after_clear = true;
  };
  reset();

  const std::vector<int> rows = row_order(frame.height, frame.interlaced);
  size_t row = 0;
  int x = 0;
  const auto put = [&](uint8_t index) {  // true once the frame is full
    image.data[static_cast<size_t>(frame.y0 + rows[row]) * static_cast<size_t>(image.width) + static_cast<size_t>(frame.x0 + x)] = index;
    if (++x == frame.width) x = 0, ++row;
    return row == rows.size();
  };

  uint32_t bit_buffer = 0;
  int bit_count = 0;
  size_t in = 0;
  for (;;) {
    while (bit_count < code_bits) {
      if (in == frame.lzw.size()) {
        throw Error(what, frame.lzw_complete ? "GIF image data ends before the frame is complete" : "truncated GIF image data");
      }
      bit_buffer |= uint32_t{frame.lzw[in++]} << bit_count;
      bit_count += 8;
    }
    const int code = static_cast<int>(bit_buffer & ((1u << code_bits) - 1));
    bit_buffer >>= code_bits;
    bit_count -= code_bits;
    if (code == clear) {
      reset();
      continue;
    }
    if (code == end) throw Error(what, "GIF image data ends before the frame is complete");
    if (after_clear) {
      if (code > clear) throw corrupt();
      after_clear = false;
      last_code = code;
      last_first = static_cast<uint8_t>(code);
      if (put(last_first)) return;
      continue;
    }
    if (code > next) throw corrupt();
    tail.clear();
    int c = code;
    if (c == next) {  // the string of the previous code + its own first byte
      tail.push_back(last_first);
      c = last_code;
    }
    for (; c >= clear; c = prefix[c]) {
      if (tail.size() >= kTable || c >= kTable) throw corrupt();
      tail.push_back(suffix[c]);
    }
    const auto first = static_cast<uint8_t>(c);
    if (next < kTable) {
      prefix[next] = static_cast<uint16_t>(last_code);
      suffix[next] = first;
      if (next == (1 << code_bits) - 1 && code_bits < kMaxBits) ++code_bits;
      ++next;
    }
    last_code = code;
    last_first = first;
    if (put(first)) return;
    for (auto it = tail.rbegin(); it != tail.rend(); ++it) {
      if (put(*it)) return;
    }
  }
}

}  // namespace

Image decode_gif(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits) {
  Cursor in(bytes, what);
  in.take(6);  // signature, checked by the caller
  const int screen_width = in.le16();
  const int screen_height = in.le16();
  const uint8_t flags = in.byte();
  in.take(2);  // background index, aspect ratio
  std::optional<std::span<const uint8_t>> global_palette;
  if (flags & 0x80) {
    const auto palette = in.take(size_t{3} << ((flags & 7) + 1));
    if (palette_needed(palette)) global_palette = palette;
  }
  const FirstFrame frame = find_first_frame(in, global_palette, what);
  if (frame.width == 0 || frame.height == 0) throw Error(what, "GIF frame has zero size");

  const int64_t width = std::max(screen_width, frame.x0 + frame.width);
  const int64_t height = std::max(screen_height, frame.y0 + frame.height);
  Image image = new_image(width, height, frame.palette ? PixelMode::Palette : PixelMode::Gray, what, limits);
  if (frame.transparency >= 0) std::fill(image.data.begin(), image.data.end(), static_cast<uint8_t>(frame.transparency));
  decode_lzw(frame, image, what);

  if (frame.palette) {
    image.palette.assign(frame.palette->begin(), frame.palette->end());
    if (frame.transparency >= 0) {
      image.palette_alpha.assign(static_cast<size_t>(frame.transparency) + 1, 255);
      image.palette_alpha.back() = 0;
    }
  }
  return image;
}

}  // namespace smolvlm::detail
