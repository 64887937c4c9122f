// GIF, first frame, as Pillow 9.4's GifImagePlugin opens it. The container is
// walked here with Pillow's rules; giflib only expands the frame's LZW data,
// handed to it as a minimal GIF (no palettes, no extensions).
// - Size: the logical screen, grown to cover the first frame if it sticks out.
// - Mode: "P" with the frame's palette (local, else global), or "L" when there
//   is none or it is the identity grey ramp (Pillow drops such palettes).
// - Pixels outside the frame: the transparency index if a graphic control
//   extension gives one, else 0; inside: the frame's indices, transparent
//   ones included. The transparency index becomes palette alpha 0.
// - Like Pillow's decoder, only whole data sub-blocks count and the frame is
//   done at its last pixel: a file cut after that loads, one cut before fails.
//   Deliberate difference: an LZW end code before the last pixel is an error
//   here; Pillow 9.4 reads on into the bytes after the frame as if they were
//   image data.
#include <gif_lib.h>

#include <algorithm>
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
  std::vector<uint8_t> lzw_blocks;  // whole sub-blocks, each with its size byte
  bool lzw_complete = false;        // ended with a terminator inside the file
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
        const auto block = in.take(1 + size);
        frame.lzw_blocks.insert(frame.lzw_blocks.end(), block.begin(), block.end());
      }
      return frame;
    }
  }
}

// giflib reads through this callback from a byte buffer.
struct MemoryInput {
  std::span<const uint8_t> bytes;
  size_t pos = 0;
};

int read_memory(GifFileType* gif, GifByteType* out, int count) {
  auto* in = static_cast<MemoryInput*>(gif->UserData);
  const size_t n = std::min(static_cast<size_t>(std::max(count, 0)), in->bytes.size() - in->pos);
  std::copy_n(in->bytes.begin() + static_cast<std::ptrdiff_t>(in->pos), n, out);
  in->pos += n;
  return static_cast<int>(n);
}

class GifReader {
 public:
  GifReader(MemoryInput& input, const std::string& what) {
    int error = 0;
    gif_ = DGifOpen(&input, read_memory, &error);
    if (gif_ == nullptr) throw Error(what, std::string("corrupt GIF: ") + GifErrorString(error));
  }
  ~GifReader() {
    int error = 0;
    DGifCloseFile(gif_, &error);
  }
  GifReader(const GifReader&) = delete;
  GifReader& operator=(const GifReader&) = delete;
  GifFileType* get() const { return gif_; }

 private:
  GifFileType* gif_ = nullptr;
};

void append_le16(std::vector<uint8_t>& out, int v) {
  out.push_back(static_cast<uint8_t>(v & 0xFF));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

// Expands the frame's indices into `image` at (x0, y0), rows in file order
// (de-interlaced: every 8th row from 0, every 8th from 4, every 4th from 2,
// every 2nd from 1).
void decode_lzw(const FirstFrame& frame, Image& image, const std::string& what) {
  std::vector<uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a'};
  append_le16(gif, frame.width);
  append_le16(gif, frame.height);
  gif.insert(gif.end(), {0, 0, 0, ','});
  append_le16(gif, 0);
  append_le16(gif, 0);
  append_le16(gif, frame.width);
  append_le16(gif, frame.height);
  gif.push_back(frame.interlaced ? 0x40 : 0);
  gif.push_back(frame.lzw_code_size);
  gif.insert(gif.end(), frame.lzw_blocks.begin(), frame.lzw_blocks.end());
  gif.insert(gif.end(), {0, ';'});

  MemoryInput input{gif};
  GifReader reader(input, what);
  GifFileType* g = reader.get();
  const auto fail = [&] {
    if (!frame.lzw_complete) return Error(what, "truncated GIF image data");
    return Error(what, std::string("corrupt GIF image data: ") + GifErrorString(g->Error));
  };
  GifRecordType record;
  if (DGifGetRecordType(g, &record) == GIF_ERROR || record != IMAGE_DESC_RECORD_TYPE || DGifGetImageDesc(g) == GIF_ERROR) {
    throw fail();
  }
  static constexpr int kStart[] = {0, 4, 2, 1};
  static constexpr int kStep[] = {8, 8, 4, 2};
  const int passes = frame.interlaced ? 4 : 1;
  for (int pass = 0; pass < passes; ++pass) {
    const int start = frame.interlaced ? kStart[pass] : 0;
    const int step = frame.interlaced ? kStep[pass] : 1;
    for (int y = start; y < frame.height; y += step) {
      uint8_t* row = image.data.data() + (static_cast<size_t>(frame.y0 + y) * image.width + frame.x0);
      if (DGifGetLine(g, row, frame.width) == GIF_ERROR) throw fail();
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
