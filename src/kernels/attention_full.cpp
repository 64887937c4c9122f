#include "kernels/attention_full.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/attention_driver.h"
#include "kernels/dot.h"
#include "kernels/isa.h"
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

void check_shape(std::span<const float> q, std::span<const float> k, std::span<const float> v,
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
}

}  // namespace

void full_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                    const FullAttentionShape& shape, std::span<const uint8_t> key_valid, std::span<float> out,
                    ComputeMode mode) {
  if (active_isa() == Isa::Scalar) return reference::full_attention(q, k, v, shape, key_valid, out);
  check_shape(q, k, v, shape, key_valid, out);
  const int64_t T = shape.n_tokens, D = shape.head_dim, ROW = shape.n_heads * D;
  AttentionArgs a;
  a.k = k.data();
  a.v = v.data();
  a.n_keys = T;
  // Left-out keys are dropped from copies of k and v, so their contents
  // (even NaN) never reach the arithmetic; tiles with a padded patch are rare.
  std::vector<float> kept_k, kept_v;
  if (std::find(key_valid.begin(), key_valid.end(), uint8_t{0}) != key_valid.end()) {
    const std::vector<int64_t> keys = attended_keys(key_valid, T);
    for (int64_t j : keys) {
      kept_k.insert(kept_k.end(), k.begin() + j * ROW, k.begin() + (j + 1) * ROW);
      kept_v.insert(kept_v.end(), v.begin() + j * ROW, v.begin() + (j + 1) * ROW);
    }
    a.k = kept_k.data();
    a.v = kept_v.data();
    a.n_keys = static_cast<int64_t>(keys.size());
  }
  a.q = q.data();
  a.out = out.data();
  a.q_row = a.kv_row = a.out_row = ROW;
  a.kv_head_stride = D;  // kv head h is column block h of every token row
  a.n_queries = T;
  a.n_heads = shape.n_heads;
  a.head_dim = D;
  // transformers: scale = head_dim ** -0.5 (a Python float), applied to the f32 scores.
  a.scale = static_cast<float>(std::pow(static_cast<double>(D), -0.5));
  a.fast = mode == ComputeMode::Fast;
  run_attention(a);
}

void reference::full_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                               const FullAttentionShape& shape, std::span<const uint8_t> key_valid,
                               std::span<float> out) {
  check_shape(q, k, v, shape, key_valid, out);
  const int64_t T = shape.n_tokens, NH = shape.n_heads, D = shape.head_dim, ROW = NH * D;
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
