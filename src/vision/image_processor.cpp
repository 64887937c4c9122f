#include "vision/image_processor.h"

#include <algorithm>
#include <array>
#include <string>

#include "core/error.h"
#include "vision/convert_to_rgb.h"
#include "vision/image_convert.h"
#include "vision/processor_sizes.h"
#include "vision/resample.h"

namespace smolvlm {
namespace {

Image with_mode(const Image& in, PixelMode mode, std::vector<uint8_t> data) {
  Image out;
  out.width = in.width;
  out.height = in.height;
  out.mode = mode;
  out.data = std::move(data);
  return out;
}

// The image as transformers holds it after np.array(): 1, 3 or 4 channels.
// Its Pillow mode for every resize follows the channel count (§6.2): one
// channel is a "P" image (our Palette, carrying the saved palette: empty for
// L and "1", whose samples then read as grey), three "RGB", four "RGBA".
Image working_image(const Image& in) {
  const size_t pixels = static_cast<size_t>(in.width * in.height);
  switch (in.mode) {
    case PixelMode::RGB:
    case PixelMode::RGBA:
      return in;
    case PixelMode::Palette: {
      Image out = with_mode(in, PixelMode::Palette, in.data);
      out.palette = in.palette;  // palette_alpha is not saved by transformers
      return out;
    }
    case PixelMode::Gray:
      return with_mode(in, PixelMode::Palette, in.data);
    case PixelMode::Bilevel: {
      // np.array of a "1" image is bool; uint8 of it is 0/1, not 0/255.
      std::vector<uint8_t> bits(pixels);
      for (size_t i = 0; i < pixels; ++i) bits[i] = in.data[i] != 0 ? 1 : 0;
      return with_mode(in, PixelMode::Palette, std::move(bits));
    }
    case PixelMode::CMYK:
      // Reproduced: transformers makes any 4-channel array an "RGBA" PIL image,
      // so K is read as alpha (fixture proc_cmyk_160x120_jpg_pilopen).
      return with_mode(in, PixelMode::RGBA, in.data);
    case PixelMode::GrayAlpha:
      // Divergence (4.51.3 cannot infer a 2-channel format and raises):
      // composited like RGBA, grey replicated as Pillow's convert("RGBA") does.
      return convert_image(in, PixelMode::RGBA);
    case PixelMode::Gray16:
      // Divergence (4.51.3 raises on values above 255): Pillow's
      // convert("RGB"), which clips, as on the load_image path.
      return convert_image(in, PixelMode::RGB);
  }
  throw Error("image processor", "unsupported image mode");
}

Image crop(const Image& in, int64_t x0, int64_t y0, int64_t x1, int64_t y1) {
  const int64_t ch = channels_of(in.mode);
  Image out = with_mode(in, in.mode, {});
  out.palette = in.palette;
  out.width = x1 - x0;
  out.height = y1 - y0;
  out.data.resize(static_cast<size_t>(out.width * out.height * ch));
  for (int64_t y = y0; y < y1; ++y) {
    const auto* src = in.data.data() + (y * in.width + x0) * ch;
    std::copy_n(src, out.width * ch, out.data.data() + (y - y0) * out.width * ch);
  }
  return out;
}

Size2D size_of(const Image& im) { return {im.width, im.height}; }

struct Tiles {
  std::vector<Image> images;  // in output order
  TileGrid grid;              // rows = cols = 0: one image, not split
};

// §6.4 + §6.5: stretch to multiples of M, cut row-major, then the global view.
Tiles split_into_tiles(const Image& image, const ImageProcessorConfig& config) {
  const int64_t m = config.tile_size;
  const Size2D target = vision_encoder_size(size_of(image), m);
  Tiles out;
  Image stretched = resize(image, target.width, target.height, config.resample);
  out.grid = tile_grid(size_of(stretched), m);
  if (out.grid.rows == 0) {  // already M x M: kept whole, no global view
    out.images.push_back(std::move(stretched));
    return out;
  }
  const TileGrid& g = out.grid;
  for (int64_t r = 0; r < g.rows; ++r) {
    for (int64_t c = 0; c < g.cols; ++c) {
      const int64_t x0 = c * g.tile_width;
      const int64_t y0 = r * g.tile_height;
      out.images.push_back(crop(stretched, x0, y0, std::min(x0 + g.tile_width, stretched.width),
                                std::min(y0 + g.tile_height, stretched.height)));
    }
  }
  // 4.51.3 calls this resize without the configured filter: always LANCZOS.
  out.images.push_back(resize(stretched, m, m, Resample::Lanczos));
  return out;
}

// §6.2 steps 7-8 depend only on the byte and the channel: one table each.
using ChannelTables = std::array<std::array<float, 256>, 3>;

ChannelTables float_tables(const ImageProcessorConfig& config) {
  ChannelTables t{};
  for (size_t c = 0; c < 3; ++c) {
    for (int u = 0; u < 256; ++u) {
      // rescale: float64 product, then float32; normalise: float32 throughout.
      float v = config.do_rescale ? static_cast<float>(static_cast<double>(u) * config.rescale_factor)
                                  : static_cast<float>(u);
      if (config.do_normalize) v = (v - config.image_mean[c]) / config.image_std[c];
      t[c][u] = v;
    }
  }
  return t;
}

}  // namespace

ProcessedImage preprocess_image(const Image& image, const ImageProcessorConfig& config) {
  if (image.width < 1 || image.height < 1) throw Error("image processor", "the image is empty");
  if (image.data.size() != image.row_bytes() * static_cast<size_t>(image.height)) {
    throw Error("image processor", "image samples do not match its " + std::to_string(image.width) + "x" +
                                       std::to_string(image.height) + " " + std::string(pixel_mode_name(image.mode)) +
                                       " size");
  }
  Image work = working_image(image);
  if (config.do_resize) {
    const Size2D target = longest_edge_size(size_of(work), config.longest_edge);
    work = resize(work, target.width, target.height, config.resample);
  }
  Tiles tiles;
  if (config.do_image_splitting) {
    tiles = split_into_tiles(work, config);
  } else {  // one M x M image, aspect not kept (§6.2 step 5)
    tiles.images.push_back(resize(work, config.tile_size, config.tile_size, config.resample));
  }

  ProcessedImage out;
  out.tiles = static_cast<int64_t>(tiles.images.size());
  out.tile_size = config.tile_size;
  out.rows = tiles.grid.rows;
  out.cols = tiles.grid.cols;
  const int64_t plane = config.tile_size * config.tile_size;
  out.pixel_values.resize(static_cast<size_t>(out.tiles * 3 * plane));
  const ChannelTables tables = float_tables(config);
  for (int64_t t = 0; t < out.tiles; ++t) {
    const Image rgb = convert_to_rgb(tiles.images[t]);
    if (rgb.width != config.tile_size || rgb.height != config.tile_size) {
      throw Error("image processor", "internal: tile is " + std::to_string(rgb.width) + "x" +
                                         std::to_string(rgb.height));
    }
    float* dst = out.pixel_values.data() + t * 3 * plane;
    for (int64_t i = 0; i < plane; ++i) {
      for (int64_t c = 0; c < 3; ++c) dst[c * plane + i] = tables[c][rgb.data[i * 3 + c]];
    }
  }
  return out;
}

}  // namespace smolvlm
