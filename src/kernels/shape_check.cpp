#include "kernels/shape_check.h"

#include <string>

#include "core/error.h"

namespace smolvlm::kernels {

void check_size(const char* kernel, const char* what, size_t got, int64_t expected) {
  if (expected >= 0 && got == static_cast<size_t>(expected)) return;
  throw Error(std::string("kernels::") + kernel,
              std::string(what) + " has " + std::to_string(got) + " elements, expected " + std::to_string(expected));
}

}  // namespace smolvlm::kernels
