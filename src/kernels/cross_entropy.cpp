#include "kernels/cross_entropy.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "kernels/parallel.h"
#include "kernels/shape_check.h"

namespace smolvlm::kernels {
namespace {

void check_target(int32_t target, int64_t row, int64_t vocab) {
  if (target >= vocab)
    throw Error("cross entropy", "target " + std::to_string(target) + " of row " + std::to_string(row) +
                                     " is outside the vocabulary [0, " + std::to_string(vocab) + ")");
}

}  // namespace

void cross_entropy_forward(std::span<const float> logits, int64_t n, int64_t vocab, std::span<const int32_t> targets,
                           std::span<float> loss, std::span<float> lse) {
  check_size("cross_entropy_forward", "logits", logits.size(), n * vocab);
  check_size("cross_entropy_forward", "targets", targets.size(), n);
  check_size("cross_entropy_forward", "loss", loss.size(), n);
  check_size("cross_entropy_forward", "lse", lse.size(), n);
  for (int64_t t = 0; t < n; ++t) check_target(targets[t], t, vocab);
  shared_pool().parallel_for(n, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const float* row = logits.data() + t * vocab;
      // f32 exponentials (of values <= 0, within an ulp), summed in double.
      const float max = *std::max_element(row, row + vocab);
      double sum = 0.0;
      for (int64_t j = 0; j < vocab; ++j) sum += std::exp(row[j] - max);
      const double log_sum_exp = static_cast<double>(max) + std::log(sum);
      lse[t] = static_cast<float>(log_sum_exp);
      loss[t] = targets[t] < 0 ? 0.0f : static_cast<float>(log_sum_exp - row[targets[t]]);
    }
  });
}

void cross_entropy_backward(std::span<float> logits, int64_t n, int64_t vocab, std::span<const int32_t> targets,
                            std::span<const float> lse, std::span<const float> scale) {
  check_size("cross_entropy_backward", "logits", logits.size(), n * vocab);
  check_size("cross_entropy_backward", "targets", targets.size(), n);
  check_size("cross_entropy_backward", "lse", lse.size(), n);
  check_size("cross_entropy_backward", "scale", scale.size(), n);
  for (int64_t t = 0; t < n; ++t) check_target(targets[t], t, vocab);
  shared_pool().parallel_for(n, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      float* row = logits.data() + t * vocab;
      if (targets[t] < 0) {
        std::fill(row, row + vocab, 0.0f);
        continue;
      }
      const float s = scale[t], l = lse[t];
      for (int64_t j = 0; j < vocab; ++j) row[j] = s * std::exp(row[j] - l);
      row[targets[t]] -= s;
    }
  });
}

}  // namespace smolvlm::kernels
