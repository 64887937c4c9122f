#include "kernels/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "kernels/attention_driver.h"
#include "kernels/dot.h"
#include "kernels/isa.h"
#include "kernels/shape_check.h"
#include "kernels/softmax.h"

namespace smolvlm::kernels {
namespace {

void check_shape(const AttentionShape& s, size_t q_size, size_t k_size, size_t v_size, size_t out_size) {
  if (s.n_tokens <= 0 || s.n_past < 0 || s.head_dim <= 0 || s.n_kv_heads <= 0 || s.n_heads % s.n_kv_heads != 0 ||
      s.n_past + s.n_tokens > s.kv_capacity)
    throw Error("kernels::causal_attention",
                "bad shape: n_tokens " + std::to_string(s.n_tokens) + ", n_past " + std::to_string(s.n_past) +
                    ", heads " + std::to_string(s.n_heads) + "/" + std::to_string(s.n_kv_heads) + ", head_dim " +
                    std::to_string(s.head_dim) + ", kv_capacity " + std::to_string(s.kv_capacity));
  check_size("causal_attention", "q", q_size, s.n_tokens * s.n_heads * s.head_dim);
  check_size("causal_attention", "k", k_size, s.n_kv_heads * s.kv_capacity * s.head_dim);
  check_size("causal_attention", "v", v_size, s.n_kv_heads * s.kv_capacity * s.head_dim);
  check_size("causal_attention", "out", out_size, s.n_tokens * s.n_heads * s.head_dim);
}

std::vector<float> widened(KvSpan x) {
  std::vector<float> out(x.size);
  if (x.element == KvElement::F32) {
    std::copy_n(static_cast<const float*>(x.data), x.size, out.begin());
    return out;
  }
  const auto* bits = static_cast<const uint16_t*>(x.data);
  for (size_t i = 0; i < x.size; ++i) out[i] = x.element == KvElement::BF16 ? bf16_to_f32(bits[i]) : f16_to_f32(bits[i]);
  return out;
}

}  // namespace

void causal_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                      const AttentionShape& shape, std::span<float> out, ComputeMode mode) {
  causal_attention(q, KvSpan(k), KvSpan(v), shape, out, mode);
}

void causal_attention(std::span<const float> q, KvSpan k, KvSpan v, const AttentionShape& shape,
                      std::span<float> out, ComputeMode mode) {
  if (k.element != v.element) throw Error("kernels::causal_attention", "keys and values stored as different types");
  if (active_isa() == Isa::Scalar) return reference::causal_attention(q, k, v, shape, out);
  check_shape(shape, q.size(), k.size, v.size, out.size());
  const int64_t D = shape.head_dim, ROW = shape.n_heads * D;
  AttentionArgs a;
  a.q = q.data();
  a.k = k.data;
  a.v = v.data;
  a.kv_element = k.element;
  a.out = out.data();
  a.q_row = a.out_row = ROW;
  a.kv_row = D;
  a.kv_head_stride = shape.kv_capacity * D;
  a.n_queries = shape.n_tokens;
  a.n_keys = shape.n_past + shape.n_tokens;
  a.n_heads = shape.n_heads;
  a.group = shape.n_heads / shape.n_kv_heads;
  a.head_dim = D;
  a.causal_offset = shape.n_past;
  a.scale = static_cast<float>(std::pow(static_cast<double>(D), -0.5));
  a.fast = mode == ComputeMode::Fast;
  run_attention(a);
}

void reference::causal_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                                 const AttentionShape& shape, std::span<float> out) {
  check_shape(shape, q.size(), k.size(), v.size(), out.size());
  const int64_t T = shape.n_tokens, P = shape.n_past, NH = shape.n_heads, D = shape.head_dim;
  const int64_t GROUP = NH / shape.n_kv_heads, HEAD_STRIDE = shape.kv_capacity * D;
  // transformers: scaling = head_dim ** -0.5 (a Python float), applied to the f32 scores.
  const float scale = static_cast<float>(std::pow(static_cast<double>(D), -0.5));
  std::vector<float> probs(P + T);
  for (int64_t t = 0; t < T; ++t) {
    const int64_t n_keys = P + t + 1;  // causal: keys 0 .. P + t
    for (int64_t h = 0; h < NH; ++h) {
      const float* qh = q.data() + (t * NH + h) * D;
      const float* kh = k.data() + (h / GROUP) * HEAD_STRIDE;
      const float* vh = v.data() + (h / GROUP) * HEAD_STRIDE;
      for (int64_t j = 0; j < n_keys; ++j) probs[j] = dot_f32(qh, kh + j * D, D) * scale;
      softmax_in_place(std::span(probs.data(), n_keys));
      float* oh = out.data() + (t * NH + h) * D;
      std::fill(oh, oh + D, 0.0f);
      for (int64_t j = 0; j < n_keys; ++j) {
        const float pj = probs[j];
        const float* vj = vh + j * D;
        for (int64_t i = 0; i < D; ++i) oh[i] += pj * vj[i];
      }
    }
  }
}

void reference::causal_attention(std::span<const float> q, KvSpan k, KvSpan v, const AttentionShape& shape,
                                 std::span<float> out) {
  if (k.element != v.element) throw Error("kernels::causal_attention", "keys and values stored as different types");
  if (k.element == KvElement::F32)
    return reference::causal_attention(q, std::span(static_cast<const float*>(k.data), k.size),
                            std::span(static_cast<const float*>(v.data), v.size), shape, out);
  const std::vector<float> kf = widened(k), vf = widened(v);
  reference::causal_attention(q, std::span<const float>(kf), std::span<const float>(vf), shape, out);
}

}  // namespace smolvlm::kernels
