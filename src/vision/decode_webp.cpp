// WebP as Pillow 9.4 reads it (its _webp.c with libwebp's animation API):
// WebPAnimDecoder with default options renders the first frame to an RGBA
// canvas; the mode is "RGBA" when WebPGetFeatures reports alpha (or cannot
// tell), else "RGB" (the canvas's alpha byte dropped). EXIF comes from the
// first "EXIF" chunk.
#include <webp/decode.h>
#include <webp/demux.h>

#include <algorithm>

#include "core/error.h"
#include "vision/decode_formats.h"
#include "vision/exif.h"

namespace smolvlm::detail {
namespace {

class Demuxer {
 public:
  explicit Demuxer(const WebPData& data) : demux_(WebPDemux(&data)) {}
  ~Demuxer() { WebPDemuxDelete(demux_); }
  Demuxer(const Demuxer&) = delete;
  Demuxer& operator=(const Demuxer&) = delete;
  WebPDemuxer* get() const { return demux_; }

 private:
  WebPDemuxer* demux_;
};

class AnimDecoder {
 public:
  explicit AnimDecoder(const WebPData& data) : decoder_(WebPAnimDecoderNew(&data, nullptr)) {}
  ~AnimDecoder() { WebPAnimDecoderDelete(decoder_); }
  AnimDecoder(const AnimDecoder&) = delete;
  AnimDecoder& operator=(const AnimDecoder&) = delete;
  WebPAnimDecoder* get() const { return decoder_; }

 private:
  WebPAnimDecoder* decoder_;
};

int webp_orientation(WebPDemuxer* demux) {
  WebPChunkIterator chunk;
  int orientation = 1;
  if (WebPDemuxGetChunk(demux, "EXIF", 1, &chunk)) {
    orientation = orientation_or_default(exif_orientation_tag({chunk.chunk.bytes, chunk.chunk.size}));
  }
  WebPDemuxReleaseChunkIterator(&chunk);
  return orientation;
}

}  // namespace

Image decode_webp(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits) {
  const WebPData data{bytes.data(), bytes.size()};
  // The canvas size is checked before WebPAnimDecoderNew allocates the canvas.
  const Demuxer demux(data);
  if (demux.get() == nullptr) throw Error(what, "corrupt or truncated WebP");
  const int64_t width = WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_WIDTH);
  const int64_t height = WebPDemuxGetI(demux.get(), WEBP_FF_CANVAS_HEIGHT);
  WebPBitstreamFeatures features;
  const bool has_alpha = WebPGetFeatures(bytes.data(), bytes.size(), &features) != VP8_STATUS_OK || features.has_alpha;
  Image image = new_image(width, height, has_alpha ? PixelMode::RGBA : PixelMode::RGB, what, limits);
  image.exif_orientation = webp_orientation(demux.get());

  const AnimDecoder decoder(data);
  uint8_t* canvas = nullptr;
  int timestamp = 0;
  if (decoder.get() == nullptr || !WebPAnimDecoderGetNext(decoder.get(), &canvas, &timestamp)) {
    throw Error(what, "corrupt WebP image data");
  }
  const size_t pixels = static_cast<size_t>(width * height);
  if (has_alpha) {
    std::copy_n(canvas, pixels * 4, image.data.begin());
  } else {
    for (size_t i = 0; i < pixels; ++i) std::copy_n(canvas + 4 * i, 3, image.data.begin() + 3 * i);
  }
  return image;
}

}  // namespace smolvlm::detail
