// The TTFT picture: a PNG of smooth colour gradients with a fine texture, so
// it compresses and decodes like a photo rather than like noise or a flat fill.
#pragma once

#include <string>

namespace smolvlm::bench {

// Throws Error when the file cannot be written.
void write_test_png(const std::string& path, int width, int height);

}  // namespace smolvlm::bench
