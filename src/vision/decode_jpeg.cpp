// JPEG through libjpeg-turbo with the settings of Pillow 9.4's JpegDecode.c:
// libjpeg's defaults (JDCT_ISLOW, fancy upsampling on, colour space guessed
// by libjpeg from the markers), output mode chosen from the number of
// components as JpegImagePlugin does: 1 -> "L", 3 -> "RGB", 4 -> "CMYK"
// (libjpeg converts YCCK to CMYK; Pillow reads CMYK with the "CMYK;I" raw
// mode, i.e. every sample inverted, assuming Adobe's convention).
// Deliberate difference: Pillow first walks the markers in Python and refuses
// some files libjpeg decodes (a marker code outside its table, such as TEM;
// an EXIF block too short for a TIFF header, when no JFIF dpi is present).
// We decode those; the EXIF is then ignored.
#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE
#include <cstring>

#include <jerror.h>
#include <jpeglib.h>

#include "core/error.h"
#include "vision/jpeg_error.h"
#include "vision/decode_formats.h"
#include "vision/exif.h"

namespace smolvlm::detail {
namespace {

// Warnings (corrupt data libjpeg recovers from) pass silently, as in Pillow.
void output_message(j_common_ptr) {}

// The whole file is in memory. Pillow's source suspends when it runs dry:
// ImageFile.load then raises "image file is truncated" while scanlines are
// missing, but once every scanline is out a suspension is the end of decoding
// (jpeg_finish_decompress is cut short, so damage after the image data counts
// only if it lies within the file). Running dry is therefore an error until
// the image is complete, and a clean stop after that.
struct MemorySource {
  jpeg_source_mgr pub;  // first: libjpeg hands us &pub
  bool image_complete = false;
  bool ran_dry_after_image = false;
};

void init_source(j_decompress_ptr) {}
void term_source(j_decompress_ptr) {}

// Never returns: libjpeg cannot suspend here, so running dry leaves through
// error_exit, flagged as a clean stop once the image is complete.
boolean fill_input_buffer(j_decompress_ptr cinfo) {
  auto* src = reinterpret_cast<MemorySource*>(cinfo->src);
  src->ran_dry_after_image = src->image_complete;
  ERREXIT(cinfo, JERR_INPUT_EOF);
  return FALSE;
}

void skip_input_data(j_decompress_ptr cinfo, long count) {
  auto* src = reinterpret_cast<MemorySource*>(cinfo->src);
  if (count <= 0) return;
  if (static_cast<size_t>(count) > src->pub.bytes_in_buffer) fill_input_buffer(cinfo);
  src->pub.next_input_byte += count;
  src->pub.bytes_in_buffer -= static_cast<size_t>(count);
}

// Runs `step` (libjpeg calls only, trivially destructible locals) and reports
// whether it finished without a libjpeg error.
template <typename Step>
bool guarded(JpegErrorManager& err, Step&& step) {
  if (setjmp(err.jump) != 0) return false;
  step();
  return true;
}

class JpegDecoder {
 public:
  JpegDecoder(std::span<const uint8_t> bytes, const std::string& what) {
    cinfo_.err = jpeg_std_error(&err_.pub);
    err_.pub.error_exit = jpeg_error_exit;
    err_.pub.output_message = output_message;
    if (!guarded(err_, [&] { jpeg_create_decompress(&cinfo_); })) throw Error(what, err_.message);
    created_ = true;
    src_.pub.init_source = init_source;
    src_.pub.fill_input_buffer = fill_input_buffer;
    src_.pub.skip_input_data = skip_input_data;
    src_.pub.resync_to_restart = jpeg_resync_to_restart;
    src_.pub.term_source = term_source;
    src_.pub.next_input_byte = bytes.data();
    src_.pub.bytes_in_buffer = bytes.size();
    cinfo_.src = &src_.pub;
  }
  ~JpegDecoder() {
    if (created_) jpeg_destroy_decompress(&cinfo_);
  }
  JpegDecoder(const JpegDecoder&) = delete;
  JpegDecoder& operator=(const JpegDecoder&) = delete;

  jpeg_decompress_struct& cinfo() { return cinfo_; }
  JpegErrorManager& err() { return err_; }
  MemorySource& src() { return src_; }

 private:
  jpeg_decompress_struct cinfo_{};
  JpegErrorManager err_{};
  MemorySource src_{};
  bool created_ = false;
};

// Pillow takes EXIF from the first APP1 segment that starts with "Exif\0".
int orientation_from_markers(jpeg_decompress_struct& cinfo) {
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != nullptr; m = m->next) {
    if (m->marker == JPEG_APP0 + 1 && m->data_length >= 5 && std::memcmp(m->data, "Exif\0", 5) == 0) {
      return orientation_or_default(exif_orientation_tag({m->data, m->data_length}));
    }
  }
  return 1;
}

}  // namespace

Image decode_jpeg(std::span<const uint8_t> bytes, const std::string& what, const DecodeLimits& limits) {
  JpegDecoder dec(bytes, what);
  jpeg_decompress_struct& cinfo = dec.cinfo();
  const auto fail = [&] { return Error(what, std::string("corrupt or truncated JPEG: ") + dec.err().message); };

  if (!guarded(dec.err(), [&] {
        jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
        jpeg_read_header(&cinfo, TRUE);
      })) {
    throw fail();
  }

  PixelMode mode;
  switch (cinfo.num_components) {
    case 1: mode = PixelMode::Gray; cinfo.out_color_space = JCS_GRAYSCALE; break;
    case 3: mode = PixelMode::RGB; cinfo.out_color_space = JCS_RGB; break;
    case 4: mode = PixelMode::CMYK; cinfo.out_color_space = JCS_CMYK; break;
    default: throw Error(what, "cannot handle a JPEG with " + std::to_string(cinfo.num_components) + " components");
  }
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;

  Image image = new_image(cinfo.image_width, cinfo.image_height, mode, what, limits);
  image.exif_orientation = orientation_from_markers(cinfo);

  if (!guarded(dec.err(), [&] { jpeg_start_decompress(&cinfo); })) throw fail();
  if (cinfo.output_width != cinfo.image_width || cinfo.output_height != cinfo.image_height ||
      cinfo.output_components != channels_of(mode)) {
    throw Error(what, "unexpected JPEG decoder output layout");
  }
  const size_t row_bytes = image.row_bytes();
  uint8_t* const pixels = image.data.data();
  MemorySource& src = dec.src();
  const bool clean = guarded(dec.err(), [&] {
    while (cinfo.output_scanline < cinfo.output_height) {
      JSAMPROW row = pixels + static_cast<size_t>(cinfo.output_scanline) * row_bytes;
      if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) break;
    }
    src.image_complete = cinfo.output_scanline == cinfo.output_height;
    if (src.image_complete) jpeg_finish_decompress(&cinfo);
  });
  if (!clean && !src.ran_dry_after_image) throw fail();
  if (!src.image_complete) throw Error(what, "truncated JPEG data");

  if (mode == PixelMode::CMYK) {
    for (uint8_t& v : image.data) v = static_cast<uint8_t>(255 - v);
  }
  return image;
}

}  // namespace smolvlm::detail
