// Tiled attention with online softmax for any vector ISA V, the products
// supplied by a policy P (attention_exact.h: f32 FMAs; attention_bf16.h: BF16
// dot products). One task = one query head x up to kAttnRows queries:
//   for each block of KB keys: S = scale * Q·Kᵀ, keys a query may not see set
//   to -inf; m' = max(m, max S); P = exp(S - m'); l = l·e^(m-m') + ΣP;
//   O = O·e^(m-m') + P·V; finally out = O / l.
// Key blocks start at multiples of KB from key 0 and a block with no visible
// key leaves a row's (m, l, O) bit-identical (e^0 = 1, P = 0), so a query's
// result does not depend on which other queries share its task: decode, a
// chunked prefill and a full prefill agree bit for bit.
#pragma once

#include <cstdint>

#include "kernels/backend.h"
#include "kernels/x86/vec_math.h"

namespace smolvlm::kernels::x86 {

// Floats of scratch besides the policy's: scores/probabilities and O rows.
template <class V, class P>
int64_t attention_scratch_floats(const AttentionArgs& a) {
  const int64_t dim_padded = (a.head_dim + V::L - 1) / V::L * V::L;
  return P::scratch_floats(a) + V::kAttnRows * (P::KB + dim_padded);
}

// Queries t0 .. t0 + R - 1 of head h against the packed keys of its kv head.
template <class V, class P, int R>
void attention_rows(const AttentionArgs& a, P& products, int64_t h, int64_t t0, float* s, float* o) {
  using F = typename V::F;
  constexpr int KC = V::kAttnKeyVecs;
  constexpr int64_t KB = KC * V::L;
  static_assert(P::KB == KB);
  const int64_t D = a.head_dim, ldo = (D + V::L - 1) / V::L * V::L;
  const float* q[R];
  float m[R], l[R], alpha[R];
  int64_t limit[R];  // last visible key of each row
  int64_t last_key = 0;
  for (int r = 0; r < R; ++r) {
    q[r] = a.q + (t0 + r) * a.q_row + h * D;
    m[r] = -__builtin_inff();
    l[r] = 0.0f;
    limit[r] = a.causal_offset < 0 || a.causal_offset + t0 + r >= a.n_keys ? a.n_keys - 1 : a.causal_offset + t0 + r;
    last_key = limit[r] > last_key ? limit[r] : last_key;
    for (int64_t d = 0; d < ldo; ++d) o[r * ldo + d] = 0.0f;
  }
  float lane_index[V::L];
  for (int i = 0; i < V::L; ++i) lane_index[i] = static_cast<float>(i);
  const F lanes = V::load(lane_index), minus_inf = V::set1(-__builtin_inff());
  products.template load_queries<R>(q);
  for (int64_t j0 = 0; j0 <= last_key; j0 += KB) {
    products.template scores<R>(q, j0, s);
    const int64_t n_block = last_key - j0 + 1 < KB ? last_key - j0 + 1 : KB;
    float m_use[R], shift[V::L] = {};
    for (int r = 0; r < R; ++r) {
      float* sr = s + r * KB;
      F mx = minus_inf;
      const bool all_visible = limit[r] >= j0 + KB - 1;
      for (int c = 0; c < KC; ++c) {
        F sc = V::load(sr + c * V::L);
        if (!all_visible) {
          // Lane i holds key jc + i: visible while jc + i <= limit (exact in f32 below 2^24 keys).
          const int64_t jc = j0 + c * V::L;
          sc = V::select(V::lt(lanes, V::set1(static_cast<float>(limit[r] - jc + 1))), sc, minus_inf);
          V::store(sr + c * V::L, sc);
        }
        mx = V::max(mx, sc);
      }
      const float block_max = V::reduce_max(mx), m_new = m[r] > block_max ? m[r] : block_max;
      m_use[r] = m_new == -__builtin_inff() ? 0.0f : m_new;  // no visible key yet: P = 0
      shift[r] = m[r] - m_use[r];
      m[r] = m_new;
    }
    // e^(m - m') of every row in one vector exp.
    float alpha_lanes[V::L];
    V::store(alpha_lanes, exp<V>(V::load(shift)));
    for (int r = 0; r < R; ++r) {
      float* sr = s + r * KB;
      alpha[r] = alpha_lanes[r];
      F sum = V::zero();
      const F mv = V::set1(m_use[r]);
      for (int c = 0; c < KC; ++c) {
        const F p = exp<V>(V::sub(V::load(sr + c * V::L), mv));
        V::store(sr + c * V::L, p);
        sum = V::add(sum, p);
      }
      l[r] = l[r] * alpha[r] + V::reduce_add(sum);
    }
    products.template pv<R>(s, j0, n_block, alpha, o, ldo);
  }
  for (int r = 0; r < R; ++r) {
    float* out = a.out + (t0 + r) * a.out_row + h * D;
    const float inv = 1.0f / l[r];
    for (int64_t d = 0; d < D; ++d) out[d] = o[r * ldo + d] * inv;
  }
}

template <class V, class P, int R>
void attention_rows_upto(const AttentionArgs& a, P& products, int64_t h, int64_t t0, int64_t rows, float* s,
                         float* o) {
  if (rows == R) return attention_rows<V, P, R>(a, products, h, t0, s, o);
  if constexpr (R > 1) attention_rows_upto<V, P, R - 1>(a, products, h, t0, rows, s, o);
}

// Tasks [task0, task1): task = head * query_blocks + block. Keys are packed
// once per kv head the range touches.
template <class V, class P>
void attention(const AttentionArgs& a, int64_t task0, int64_t task1, float* scratch) {
  constexpr int QR = V::kAttnRows;
  const int64_t q_blocks = (a.n_queries + QR - 1) / QR;
  P products{a, scratch};
  float* s = scratch + P::scratch_floats(a);
  float* o = s + QR * P::KB;
  int64_t packed = -1;
  for (int64_t task = task0; task < task1; ++task) {
    const int64_t h = task / q_blocks, t0 = task % q_blocks * QR;
    if (h / a.group != packed) products.pack(packed = h / a.group);
    const int64_t rows = a.n_queries - t0 < QR ? a.n_queries - t0 : QR;
    attention_rows_upto<V, P, QR>(a, products, h, t0, rows, s, o);
  }
}

}  // namespace smolvlm::kernels::x86
