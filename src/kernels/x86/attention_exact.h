// Tiled attention with online softmax for any vector ISA V, in f32 (exact
// mode). One task = one query head x up to kAttnRows queries:
//   for each block of KB keys: S = scale * Q·Kᵀ (keys pre-transposed per kv
//   head so the scores are register tiles of FMAs), masked keys set to -inf;
//   m' = max(m, max S); P = exp(S - m'); l = l·e^(m-m') + ΣP;
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

template <class V>
constexpr int64_t attn_key_block() {
  return V::kAttnKeyVecs * V::L;
}

template <class V>
int64_t attention_scratch_floats(const AttentionArgs& a) {
  const int64_t KB = attn_key_block<V>(), n_blocks = (a.n_keys + KB - 1) / KB;
  const int64_t dim_padded = (a.head_dim + V::L - 1) / V::L * V::L;
  return n_blocks * a.head_dim * KB + V::kAttnRows * (KB + dim_padded);
}

// kt[block][d][jj] = dim d of key (block * KB + jj) of kv head g, 0 past n_keys.
template <class V>
void pack_keys_transposed(const AttentionArgs& a, int64_t g, float* kt) {
  const int64_t KB = attn_key_block<V>(), D = a.head_dim, n_blocks = (a.n_keys + KB - 1) / KB;
  for (int64_t j = 0; j < n_blocks * KB; ++j) {
    float* dst = kt + (j / KB) * D * KB + j % KB;
    const float* src = a.k + g * a.kv_head_stride + j * a.kv_row;
    for (int64_t d = 0; d < D; ++d) dst[d * KB] = j < a.n_keys ? src[d] : 0.0f;
  }
}

// s[r][0 .. KB) = scale * q_r · keys of the block, for r < R.
template <class V, int R>
inline void block_scores(const float* const* q, int64_t D, const float* ktb, float scale, float* s) {
  using F = typename V::F;
  constexpr int KC = V::kAttnKeyVecs;
  constexpr int64_t KB = KC * V::L;
  F acc[R][KC];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (int c = 0; c < KC; ++c) acc[r][c] = V::zero();
  for (int64_t d = 0; d < D; ++d) {
    F kv[KC];
#pragma GCC unroll 8
    for (int c = 0; c < KC; ++c) kv[c] = V::load(ktb + d * KB + c * V::L);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const F qd = V::set1(q[r][d]);
#pragma GCC unroll 8
      for (int c = 0; c < KC; ++c) acc[r][c] = V::fma(qd, kv[c], acc[r][c]);
    }
  }
  const F vs = V::set1(scale);
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < KC; ++c) V::store(s + r * KB + c * V::L, V::mul(acc[r][c], vs));
}

// o[r][d0 ..] = o[r][d0 ..] * alpha[r] + Σ_j p[r][j] v[j][d0 ..] over DVC
// vectors of dims, the last holding `last_n` lanes.
template <class V, int R, int DVC>
inline void block_pv(const float* p, int64_t n_keys, const float* v, int64_t kv_row, int64_t d0, int last_n,
                     const float* alpha, float* o, int64_t ldo) {
  using F = typename V::F;
  constexpr int64_t KB = V::kAttnKeyVecs * V::L;
  F acc[R][DVC];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    const F ar = V::set1(alpha[r]);
#pragma GCC unroll 8
    for (int c = 0; c < DVC; ++c) acc[r][c] = V::mul(V::load(o + r * ldo + d0 + c * V::L), ar);
  }
  for (int64_t j = 0; j < n_keys; ++j) {
    F vv[DVC];
    const float* vj = v + j * kv_row + d0;
#pragma GCC unroll 8
    for (int c = 0; c < DVC; ++c) vv[c] = c + 1 < DVC ? V::load(vj + c * V::L) : V::load_n(vj + c * V::L, last_n);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const F pr = V::set1(p[r * KB + j]);
#pragma GCC unroll 8
      for (int c = 0; c < DVC; ++c) acc[r][c] = V::fma(pr, vv[c], acc[r][c]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < DVC; ++c) V::store(o + r * ldo + d0 + c * V::L, acc[r][c]);
}

// block_pv for `vecs` (1 .. DVC) vectors of dims: one instantiation per count.
template <class V, int R, int DVC>
inline void block_pv_vecs(int vecs, const float* p, int64_t n_keys, const float* v, int64_t kv_row, int64_t d0,
                          int last_n, const float* alpha, float* o, int64_t ldo) {
  if (vecs == DVC) return block_pv<V, R, DVC>(p, n_keys, v, kv_row, d0, last_n, alpha, o, ldo);
  if constexpr (DVC > 1) block_pv_vecs<V, R, DVC - 1>(vecs, p, n_keys, v, kv_row, d0, last_n, alpha, o, ldo);
}

// P·V over every dim, in chunks of kAttnDimVecs vectors (the last one shorter).
template <class V, int R>
inline void block_pv_all(const float* p, int64_t n_keys, const float* v, int64_t kv_row, int64_t D,
                         const float* alpha, float* o, int64_t ldo) {
  constexpr int DV = V::kAttnDimVecs;
  for (int64_t d0 = 0; d0 < D; d0 += DV * V::L) {
    const int64_t left = D - d0 < DV * V::L ? D - d0 : DV * V::L;
    const int vecs = static_cast<int>((left + V::L - 1) / V::L), last = static_cast<int>(left - (vecs - 1) * V::L);
    block_pv_vecs<V, R, DV>(vecs, p, n_keys, v, kv_row, d0, last, alpha, o, ldo);
  }
}

// Queries t0 .. t0 + R - 1 of head h against kt (keys of h's kv head).
template <class V, int R>
void attention_rows(const AttentionArgs& a, int64_t h, int64_t t0, const float* kt, float* s, float* o) {
  using F = typename V::F;
  constexpr int KC = V::kAttnKeyVecs;
  constexpr int64_t KB = KC * V::L;
  const int64_t D = a.head_dim, g = h / a.group, ldo = (D + V::L - 1) / V::L * V::L;
  const float* vg = a.v + g * a.kv_head_stride;
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
  for (int64_t j0 = 0; j0 <= last_key; j0 += KB) {
    block_scores<V, R>(q, D, kt + j0 * D, a.scale, s);
    const int64_t n_block = last_key - j0 + 1 < KB ? last_key - j0 + 1 : KB;
    for (int r = 0; r < R; ++r) {
      float* sr = s + r * KB;
      F mx = minus_inf;
      for (int c = 0; c < KC; ++c) {
        const int64_t jc = j0 + c * V::L;
        F sc = V::load(sr + c * V::L);
        // Lane i holds key jc + i: visible while jc + i <= limit (exact in f32 below 2^24 keys).
        sc = V::select(V::lt(lanes, V::set1(static_cast<float>(limit[r] - jc + 1))), sc, minus_inf);
        V::store(sr + c * V::L, sc);
        mx = V::max(mx, sc);
      }
      const float m_new = m[r] > V::reduce_max(mx) ? m[r] : V::reduce_max(mx);
      const float m_use = m_new == -__builtin_inff() ? 0.0f : m_new;  // no visible key yet: P = 0
      alpha[r] = __builtin_expf(m[r] - m_use);
      F sum = V::zero();
      const F mv = V::set1(m_use);
      for (int c = 0; c < KC; ++c) {
        const F p = exp<V>(V::sub(V::load(sr + c * V::L), mv));
        V::store(sr + c * V::L, p);
        sum = V::add(sum, p);
      }
      l[r] = l[r] * alpha[r] + V::reduce_add(sum);
      m[r] = m_new;
    }
    block_pv_all<V, R>(s, n_block, vg + j0 * a.kv_row, a.kv_row, D, alpha, o, ldo);
  }
  for (int r = 0; r < R; ++r) {
    float* out = a.out + (t0 + r) * a.out_row + h * D;
    const float inv = 1.0f / l[r];
    for (int64_t d = 0; d < D; ++d) out[d] = o[r * ldo + d] * inv;
  }
}

template <class V, int R>
void attention_rows_upto(const AttentionArgs& a, int64_t h, int64_t t0, int64_t rows, const float* kt, float* s,
                         float* o) {
  if (rows == R) return attention_rows<V, R>(a, h, t0, kt, s, o);
  if constexpr (R > 1) attention_rows_upto<V, R - 1>(a, h, t0, rows, kt, s, o);
}

// Tasks [task0, task1): task = head * query_blocks + block. Keys are packed
// once per kv head the range touches.
template <class V>
void attention(const AttentionArgs& a, int64_t task0, int64_t task1, float* scratch) {
  constexpr int QR = V::kAttnRows;
  const int64_t KB = attn_key_block<V>(), n_blocks = (a.n_keys + KB - 1) / KB;
  const int64_t q_blocks = (a.n_queries + QR - 1) / QR;
  float* kt = scratch;
  float* s = kt + n_blocks * a.head_dim * KB;
  float* o = s + QR * KB;
  int64_t packed = -1;
  for (int64_t task = task0; task < task1; ++task) {
    const int64_t h = task / q_blocks, t0 = task % q_blocks * QR;
    if (h / a.group != packed) pack_keys_transposed<V>(a, packed = h / a.group, kt);
    const int64_t rows = a.n_queries - t0 < QR ? a.n_queries - t0 : QR;
    attention_rows_upto<V, QR>(a, h, t0, rows, kt, s, o);
  }
}

}  // namespace smolvlm::kernels::x86
