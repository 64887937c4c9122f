// The f32 products of exact-mode attention for any vector ISA V (the policy
// that attention_tiles.h runs): keys transposed once per kv head so the
// scores are register tiles of FMAs over head dims, and P·V as FMAs of
// broadcast probabilities with value rows read in place.
#pragma once

#include <cstdint>
#include <type_traits>

#include "kernels/backend.h"

namespace smolvlm::kernels::x86 {

template <class V>
constexpr int64_t attn_key_block() {
  return V::kAttnKeyVecs * V::L;
}

// fn(std::integral_constant<int, vecs>) for vecs in 1 .. N: a key block's
// products over only the vectors that hold a key some row may see.
template <int N, class Fn>
inline void with_key_vecs(int vecs, Fn&& fn) {
  if (vecs >= N) return fn(std::integral_constant<int, N>{});
  if constexpr (N > 1) with_key_vecs<N - 1>(vecs, fn);
}

// Lanes of K or V rows stored as E, widened exactly to f32: element i of
// `base` on; the _n form reads n < V::L elements, the rest 0.
template <class V, KvElement E>
inline typename V::F load_kv(const void* base, int64_t i) {
  if constexpr (E == KvElement::F32) return V::load(static_cast<const float*>(base) + i);
  else if constexpr (E == KvElement::BF16) return V::load_bf16(static_cast<const uint16_t*>(base) + i);
  else return V::load_f16(static_cast<const uint16_t*>(base) + i);
}
template <class V, KvElement E>
inline typename V::F load_kv_n(const void* base, int64_t i, int n) {
  if constexpr (E == KvElement::F32) return V::load_n(static_cast<const float*>(base) + i, n);
  else if constexpr (E == KvElement::BF16) return V::load_bf16_n(static_cast<const uint16_t*>(base) + i, n);
  else return V::load_f16_n(static_cast<const uint16_t*>(base) + i, n);
}

// kt[block][d][jj] = dim d of key (block * KB + jj) of kv head g, 0 past
// n_keys: L x L squares of keys and dims transposed in registers.
template <class V, KvElement E>
void pack_keys_transposed(const AttentionArgs& a, int64_t g, float* kt) {
  using F = typename V::F;
  const int64_t KB = attn_key_block<V>(), D = a.head_dim, n_padded = (a.n_keys + KB - 1) / KB * KB;
  const int64_t k = g * a.kv_head_stride;
  for (int64_t j0 = 0; j0 < n_padded; j0 += V::L)
    for (int64_t d0 = 0; d0 < D; d0 += V::L) {
      const int dims = static_cast<int>(D - d0 < V::L ? D - d0 : V::L);
      F rows[V::L];
      for (int i = 0; i < V::L; ++i)
        rows[i] = j0 + i < a.n_keys ? load_kv_n<V, E>(a.k, k + (j0 + i) * a.kv_row + d0, dims) : V::zero();
      V::transpose(rows);
      float* dst = kt + (j0 / KB * D + d0) * KB + j0 % KB;
      for (int i = 0; i < dims; ++i) V::store(dst + i * KB, rows[i]);
    }
}

// s[r][0 .. KC * L) = scale * q_r · the block's first KC vectors of keys, for r < R.
template <class V, int R, int KC>
inline void block_scores(const float* const* q, int64_t D, const float* ktb, float scale, float* s) {
  using F = typename V::F;
  constexpr int64_t KB = V::kAttnKeyVecs * V::L;
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
// vectors of dims, the last holding `last_n` lanes; v's rows start at element
// v0 of `v`, stored as E.
template <class V, KvElement E, int R, int DVC>
inline void block_pv(const float* p, int64_t n_keys, const void* v, int64_t v0, int64_t kv_row, int64_t d0,
                     int last_n, const float* alpha, float* o, int64_t ldo) {
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
    const int64_t vj = v0 + j * kv_row + d0;
#pragma GCC unroll 8
    for (int c = 0; c < DVC; ++c)
      vv[c] = c + 1 < DVC || last_n == V::L ? load_kv<V, E>(v, vj + c * V::L) : load_kv_n<V, E>(v, vj + c * V::L, last_n);
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
template <class V, KvElement E, int R, int DVC>
inline void block_pv_vecs(int vecs, const float* p, int64_t n_keys, const void* v, int64_t v0, int64_t kv_row,
                          int64_t d0, int last_n, const float* alpha, float* o, int64_t ldo) {
  if (vecs == DVC) return block_pv<V, E, R, DVC>(p, n_keys, v, v0, kv_row, d0, last_n, alpha, o, ldo);
  if constexpr (DVC > 1)
    block_pv_vecs<V, E, R, DVC - 1>(vecs, p, n_keys, v, v0, kv_row, d0, last_n, alpha, o, ldo);
}

// P·V over every dim, in chunks of kAttnDimVecs vectors (the last one shorter).
template <class V, KvElement E, int R>
inline void block_pv_all(const float* p, int64_t n_keys, const void* v, int64_t v0, int64_t kv_row, int64_t D,
                         const float* alpha, float* o, int64_t ldo) {
  constexpr int DV = V::kAttnDimVecs;
  for (int64_t d0 = 0; d0 < D; d0 += DV * V::L) {
    const int64_t left = D - d0 < DV * V::L ? D - d0 : DV * V::L;
    const int vecs = static_cast<int>((left + V::L - 1) / V::L), last = static_cast<int>(left - (vecs - 1) * V::L);
    block_pv_vecs<V, E, R, DV>(vecs, p, n_keys, v, v0, kv_row, d0, last, alpha, o, ldo);
  }
}

template <class V, KvElement E = KvElement::F32>
struct ExactProducts {
  static constexpr int64_t KB = attn_key_block<V>();
  static constexpr bool kBf16 = false;  // probabilities stay f32
  static int64_t scratch_floats(const AttentionArgs& a) { return (a.n_keys + KB - 1) / KB * KB * a.head_dim; }

  const AttentionArgs& a;
  float* kt;  // keys of the packed kv head, transposed
  int64_t v0 = 0;  // element of a.v where the packed kv head's values start

  void pack(int64_t g) {
    pack_keys_transposed<V, E>(a, g, kt);
    v0 = g * a.kv_head_stride;
  }
  template <int R>
  void load_queries(const float* const*) {}
  template <int R>
  void scores(const float* const* q, int64_t j0, int vecs, float* s) const {
    with_key_vecs<V::kAttnKeyVecs>(vecs, [&](auto kc) {
      block_scores<V, R, kc.value>(q, a.head_dim, kt + j0 * a.head_dim, a.scale, s);
    });
  }
  template <int R>
  void pv(const float* p, int64_t j0, int64_t n, const float* alpha, float* o, int64_t ldo) const {
    block_pv_all<V, E, R>(p, n, a.v, v0 + j0 * a.kv_row, a.kv_row, a.head_dim, alpha, o, ldo);
  }
};

}  // namespace smolvlm::kernels::x86
