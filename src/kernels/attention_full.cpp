#include "kernels/attention_full.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/dot.h"
#include "kernels/shape_check.h"
#include "kernels/softmax.h"

namespace smolvlm::kernels {
namespace {

// The indices of the keys every query attends to.
std::vector<int64_t> attended_keys(std::span<const uint8_t> key_valid, int64_t n_tokens) {
  std::vector<int64_t> keys;
  for (int64_t j = 0; j < n_tokens; ++j)
    if (key_valid.empty() || key_valid[j] != 0) keys.push_back(j);
  if (keys.empty()) throw Error("kernels::full_attention", "every key is masked out");
  return keys;
}

}  // namespace

void full_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                    const FullAttentionShape& shape, std::span<const uint8_t> key_valid, std::span<float> out) {
  const int64_t T = shape.n_tokens, NH = shape.n_heads, D = shape.head_dim, ROW = NH * D;
  if (T <= 0 || NH <= 0 || D <= 0)
    throw Error("kernels::full_attention", "bad shape: n_tokens " + std::to_string(T) + ", heads " +
                                               std::to_string(NH) + ", head_dim " + std::to_string(D));
  check_size("full_attention", "q", q.size(), T * ROW);
  check_size("full_attention", "k", k.size(), T * ROW);
  check_size("full_attention", "v", v.size(), T * ROW);
  check_size("full_attention", "out", out.size(), T * ROW);
  if (!key_valid.empty()) check_size("full_attention", "key_valid", key_valid.size(), T);
  const std::vector<int64_t> keys = attended_keys(key_valid, T);
  const int64_t NK = static_cast<int64_t>(keys.size());
  // transformers: scale = head_dim ** -0.5 (a Python float), applied to the f32 scores.
  const float scale = static_cast<float>(std::pow(static_cast<double>(D), -0.5));
  std::vector<float> probs(NK);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t h = 0; h < NH; ++h) {
      const float* qh = q.data() + t * ROW + h * D;
      for (int64_t j = 0; j < NK; ++j) probs[j] = dot_f32(qh, k.data() + keys[j] * ROW + h * D, D) * scale;
      softmax_in_place(probs);
      float* oh = out.data() + t * ROW + h * D;
      std::fill(oh, oh + D, 0.0f);
      for (int64_t j = 0; j < NK; ++j) {
        const float pj = probs[j];
        const float* vj = v.data() + keys[j] * ROW + h * D;
        for (int64_t i = 0; i < D; ++i) oh[i] += pj * vj[i];
      }
    }
}

}  // namespace smolvlm::kernels
