#include "test_image.h"

#include <png.h>

#include <cstdint>
#include <vector>

#include "core/error.h"

namespace smolvlm::bench {

void write_test_png(const std::string& path, int width, int height) {
  std::vector<uint8_t> rgb(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      uint8_t* p = &rgb[(static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)) * 3];
      const int texture = ((x * 7) ^ (y * 13)) & 15;
      p[0] = static_cast<uint8_t>(x * 255 / width);
      p[1] = static_cast<uint8_t>(y * 255 / height);
      p[2] = static_cast<uint8_t>(128 + texture * 4);
    }
  // libpng's simplified API: no setjmp error handling to manage.
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(width);
  image.height = static_cast<png_uint_32>(height);
  image.format = PNG_FORMAT_RGB;
  if (png_image_write_to_file(&image, path.c_str(), 0, rgb.data(), 0, nullptr) == 0)
    throw Error(path, std::string("cannot write the test image: ") + image.message);
}

}  // namespace smolvlm::bench
