#include "kernels/dot.h"

namespace smolvlm::kernels {

float dot_f32(const float* a, const float* b, int64_t len) {
  // Eight independent accumulators keep the loop free of a serial dependency,
  // so it vectorizes without -ffast-math (no reassociation is needed).
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= len; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
  float tail = 0;
  for (; i < len; ++i) tail += a[i] * b[i];
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

}  // namespace smolvlm::kernels
