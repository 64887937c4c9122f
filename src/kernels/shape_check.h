// Argument checks shared by the kernels: a wrong buffer size is a caller bug
// that must fail loudly, never read or write out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>

namespace smolvlm::kernels {

// Throws Error("kernels::<kernel>", "<what> has <got> elements, expected <expected>") when they differ.
void check_size(const char* kernel, const char* what, size_t got, int64_t expected);

}  // namespace smolvlm::kernels
