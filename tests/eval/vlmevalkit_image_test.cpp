// The JPEG VLMEvalKit writes for each TSV image (Pillow 9.4's Image.save with
// no options, after its RGBA/P/LA -> RGB conversion), against Pillow itself
// run under Debian's /usr/bin/python3 with python3-pil: the same bytes.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "common/fixtures.h"
#include "eval/vlmevalkit_image.h"

namespace smolvlm::eval {
namespace {

using testing::run_command;
using testing::shell_quote;

constexpr const char* kPillowPython = "/usr/bin/python3";

constexpr const char* kSaveScript = R"(
import io, sys
from PIL import Image
image = Image.open(sys.argv[1])
if image.mode in ('RGBA', 'P', 'LA'):
    image = image.convert('RGB')
image.save(sys.argv[2], format='JPEG')
)";

std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(VlmEvalKitImage, SavedJpegIsPillowsByteForByte) {
  if (run_command(std::string(kPillowPython) + " -c \"import PIL; assert PIL.__version__.startswith('9.4')\"")
          .exit_code != 0)
    GTEST_SKIP() << "Debian python3-pil 9.4 under /usr/bin/python3 is the oracle";
  testing::TempDir dir;
  std::ofstream(dir.file("save.py")) << kSaveScript;
  const std::string images = testing::fixtures_dir() + "/images/";
  for (const char* name : {"photo_320x240.jpg", "cmyk_160x120.jpg", "exif_rot6_240x160.jpg", "gray_180x180.png",
                           "la_150x150.png", "bw1bit_160x100.png", "palette_200x120.gif", "rgba_256x192.png",
                           "odd_333x97.png", "tiny_1x1.png", "photo_300x220.webp"}) {
    SCOPED_TRACE(name);
    const std::string out = dir.file(std::string(name) + ".jpg");
    const auto r = run_command(std::string(kPillowPython) + " " + shell_quote(dir.file("save.py")) + " " +
                               shell_quote(images + name) + " " + shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(vlmevalkit_saved_jpeg(read_bytes(images + name), name), read_bytes(out));
  }
}

TEST(VlmEvalKitImage, ModesPillowCannotWriteAreRowErrors) {
  const std::string path = testing::fixtures_dir() + "/images/gray16_170x130.png";
  try {
    vlmevalkit_saved_jpeg(read_bytes(path), "row 3 image");
    FAIL() << "I;16 is not writable as JPEG";
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "row 3 image: cannot write mode I;16 as JPEG");
  }
  const std::vector<uint8_t> junk = {'n', 'o', 't'};
  EXPECT_THROW(vlmevalkit_saved_jpeg(junk, "row 4 image"), std::runtime_error);
}

}  // namespace
}  // namespace smolvlm::eval
