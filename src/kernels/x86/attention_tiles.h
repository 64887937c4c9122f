// Tiled attention with online softmax for any vector ISA V, the products
// supplied by a policy P (attention_exact.h: f32 FMAs; attention_bf16.h and
// attention_bf16_rows.h: BF16 dot products). One task = up to kAttnRows query
// rows of one kv head (queries of a head, or a decode step's heads of a group):
//   for each block of KB keys: S = scale * Q·Kᵀ, keys a query may not see set
//   to -inf; m' = max(m, max S); P = exp(S - m'); l = l·e^(m-m') + ΣP;
//   O = O·e^(m-m') + P·V; finally out = O / l.
// Key blocks start at multiples of KB from key 0 and a block with no visible
// key leaves a row's (m, l, O) bit-identical (e^0 = 1, P = 0), so a query's
// result does not depend on which other rows share its task: decode, a
// chunked prefill and a full prefill agree bit for bit (for the same policy).
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstdint>

#include "kernels/backend.h"
#include "kernels/x86/attention_exact.h"
#include "kernels/x86/prefetch.h"
#include "kernels/x86/vec_math.h"

namespace smolvlm::kernels::x86 {

// Floats of scratch besides the policy's: scores/probabilities and O rows.
template <class V, class P>
int64_t attention_scratch_floats(const AttentionArgs& a) {
  const int64_t dim_padded = (a.head_dim + V::L - 1) / V::L * V::L;
  return P::scratch_floats(a) + V::kAttnRows * (P::KB + dim_padded);
}

// The query rows of one task, all of one kv head: a query's row in its head,
// the row its result goes to, and the last key it may see.
struct TileRows {
  static constexpr int kMost = 8;
  const float* q[kMost];
  float* out[kMost];
  int64_t limit[kMost];
  int count = 0;

  void add(const AttentionArgs& a, int64_t t, int64_t h) {
    q[count] = a.q + t * a.q_row + h * a.head_dim;
    out[count] = a.out + t * a.out_row + h * a.head_dim;
    limit[count] = a.causal_offset < 0 || a.causal_offset + t >= a.n_keys ? a.n_keys - 1 : a.causal_offset + t;
    ++count;
  }
};

// One key block's online-softmax step for R rows, over its first KC vectors
// of scores (s, rows KB apart), in place: keys past a row's limit set to
// -inf; m' = max(m, max S); P = e^(S - m'); alpha = e^(m - m'); l = l·alpha +
// ΣP. The rows go side by side so that their exp chains overlap; the row sums
// take reduce_add's tree (reduce_add4), so no bit depends on R. Where P is
// rounded to BF16 next (kBf16), P = 2^((S - m')·log2 e) to 3e-6 is plenty:
// exp2_nonpositive_bf16, which took the softmax from ~24 % of a vision
// attention's time to ~13 %.
template <class V, int R, int KC, bool kBf16>
inline void softmax_block(float* s, int64_t j0, const int64_t* limit, float* m, float* l, float* alpha) {
  using F = typename V::F;
  constexpr int64_t KB = V::kAttnKeyVecs * V::L;
  float lane_index[V::L];
  for (int i = 0; i < V::L; ++i) lane_index[i] = static_cast<float>(i);
  const F lanes = V::load(lane_index), minus_inf = V::set1(-__builtin_inff());
  F sc[R][KC];
  float m_use[R], shift[V::L] = {};
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    F mx = minus_inf;
    const bool all_visible = limit[r] >= j0 + KC * V::L - 1;
#pragma GCC unroll 4
    for (int c = 0; c < KC; ++c) {
      sc[r][c] = V::load(s + r * KB + c * V::L);
      // Lane i holds key jc + i: visible while jc + i <= limit (exact in f32 below 2^24 keys).
      if (!all_visible)
        sc[r][c] = V::select(V::lt(lanes, V::set1(static_cast<float>(limit[r] - j0 - c * V::L + 1))), sc[r][c],
                             minus_inf);
      mx = V::max(mx, sc[r][c]);
    }
    const float block_max = V::reduce_max(mx), m_new = m[r] > block_max ? m[r] : block_max;
    m_use[r] = m_new == -__builtin_inff() ? 0.0f : m_new;  // no visible key yet: P = 0
    shift[r] = m[r] - m_use[r];
    m[r] = m_new;
  }
  // e^(m - m') of every row in one vector exp.
  float alpha_lanes[V::L];
  V::store(alpha_lanes, exp_nonpositive<V>(V::load(shift)));
  F sum[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    // kBf16: (S - m')·log2 e as one FMA, S·log2 e - m'·log2 e.
    constexpr float kLog2e = 1.44269504088896341f;
    const F mv = V::set1(m_use[r]), log2e = V::set1(kLog2e), m_log2e = V::set1(-m_use[r] * kLog2e);
    sum[r] = V::zero();
#pragma GCC unroll 4
    for (int c = 0; c < KC; ++c) {
      const F p = kBf16 ? exp2_nonpositive_bf16<V>(V::fma(sc[r][c], log2e, m_log2e))
                        : exp_nonpositive<V>(V::sub(sc[r][c], mv));
      V::store(s + r * KB + c * V::L, p);
      sum[r] = V::add(sum[r], p);
    }
  }
  float sums[(R + 3) / 4 * 4];
  for (int r = 0; r < R; r += 4) {
    const F zero = V::zero();
    _mm_storeu_ps(sums + r, V::reduce_add4(sum[r], r + 1 < R ? sum[r + 1] : zero, r + 2 < R ? sum[r + 2] : zero,
                                           r + 3 < R ? sum[r + 3] : zero));
  }
  for (int r = 0; r < R; ++r) {
    alpha[r] = alpha_lanes[r];
    l[r] = l[r] * alpha[r] + sums[r];
  }
}

// The first R rows of `rows` against the packed keys of their kv head.
template <class V, class P, int R>
void attention_rows(const AttentionArgs& a, P& products, const TileRows& rows, float* s, float* o) {
  constexpr int KC = V::kAttnKeyVecs;
  constexpr int64_t KB = KC * V::L;
  static_assert(P::KB == KB && R <= TileRows::kMost);
  const int64_t D = a.head_dim, ldo = (D + V::L - 1) / V::L * V::L;
  const int64_t* limit = rows.limit;
  float m[R], l[R], alpha[R];
  int64_t last_key = 0;
  for (int r = 0; r < R; ++r) {
    m[r] = -__builtin_inff();
    l[r] = 0.0f;
    last_key = limit[r] > last_key ? limit[r] : last_key;
  }
  // Vector stores: std::fill_n became a memset call, 3 % of a vision attention.
  for (int64_t i = 0; i < R * ldo; i += V::L) V::store(o + i, V::zero());
  products.template load_queries<R>(rows.q);
  for (int64_t j0 = 0; j0 <= last_key; j0 += KB) {
    // Vectors past the tile's last key would hold only masked keys: P = 0
    // there adds nothing to l or O, so they are skipped.
    const int64_t n_block = last_key - j0 + 1 < KB ? last_key - j0 + 1 : KB;
    const int vecs = static_cast<int>((n_block + V::L - 1) / V::L);
    products.template scores<R>(rows.q, j0, vecs, s);
    with_key_vecs<KC>(vecs, [&](auto kc) { softmax_block<V, R, kc.value, P::kBf16>(s, j0, limit, m, l, alpha); });
    products.template pv<R>(s, j0, n_block, alpha, o, ldo);
  }
  for (int r = 0; r < R; ++r) {
    const float inv = 1.0f / l[r];
    for (int64_t d = 0; d < D; ++d) rows.out[r][d] = o[r * ldo + d] * inv;
  }
}

template <class V, class P, int R>
void attention_rows_upto(const AttentionArgs& a, P& products, const TileRows& rows, float* s, float* o) {
  if (rows.count == R) return attention_rows<V, P, R>(a, products, rows, s, o);
  if constexpr (R > 1) attention_rows_upto<V, P, R - 1>(a, products, rows, s, o);
}

// The query block of a head's i-th task: causal blocks alternate from both
// ends (0, last, 1, last - 1, ...) so that any run of tasks costs about its
// length and equal chunks of them keep the threads equally busy.
inline int64_t query_block(int64_t i, int64_t blocks, bool heads) {
  return heads || i % 2 == 0 ? (heads ? i : i / 2) : blocks - 1 - i / 2;
}

// The first query row (or, for one query, head of its group) of task `task`
// as attention_tasks() numbers them: blocks of rows_most per head or group.
inline int64_t task_first_row(const AttentionArgs& a, int64_t task, int64_t blocks, int rows_most) {
  return query_block(task % blocks, blocks, attention_rows_are_heads(a)) * rows_most;
}

// The rows of task `task` (see task_first_row), and the kv head they share.
inline TileRows task_rows(const AttentionArgs& a, int64_t task, int64_t blocks, int rows_most, int64_t& kv_head) {
  const int64_t first = task_first_row(a, task, blocks, rows_most);
  TileRows rows;
  if (attention_rows_are_heads(a)) {
    kv_head = task / blocks;
    for (int64_t h = kv_head * a.group + first; h < (kv_head + 1) * a.group && rows.count < rows_most; ++h)
      rows.add(a, 0, h);
  } else {
    kv_head = task / blocks / a.group;
    for (int64_t t = first; t < a.n_queries && rows.count < rows_most; ++t) rows.add(a, t, task / blocks);
  }
  return rows;
}

// Prefetches the query rows of task `task` (see task_rows): a head's rows lie
// a token's width apart, where the hardware prefetcher does not follow.
inline void prefetch_task_queries(const AttentionArgs& a, int64_t task, int64_t blocks, int rows_most) {
  const bool heads = attention_rows_are_heads(a);
  const int64_t first = task_first_row(a, task, blocks, rows_most);
  const int64_t rows = std::min<int64_t>(rows_most, (heads ? a.group : a.n_queries) - first);
  for (int64_t r = 0; r < rows; ++r)
    prefetch_bytes(heads ? a.q + (task / blocks * a.group + first + r) * a.head_dim
                         : a.q + (first + r) * a.q_row + task / blocks * a.head_dim,
                   a.head_dim * static_cast<int64_t>(sizeof(float)));
}

// Tasks [task0, task1) as attention_tasks() numbers them: a block of queries
// of one head, or of one query the heads of a kv group. Keys are packed once
// per kv head the range touches; the next task's queries are prefetched while
// this one runs (their loads had taken 6 % of a vision attention in a profile).
template <class V, class P>
void attention(const AttentionArgs& a, int64_t task0, int64_t task1, float* scratch) {
  constexpr int QR = V::kAttnRows;
  static_assert(QR <= TileRows::kMost);
  P products{a, scratch};
  float* s = scratch + P::scratch_floats(a);
  float* o = s + QR * P::KB;
  const int64_t blocks = ((attention_rows_are_heads(a) ? a.group : a.n_queries) + QR - 1) / QR;
  int64_t packed = -1;
  for (int64_t task = task0; task < task1; ++task) {
    int64_t g = 0;
    const TileRows rows = task_rows(a, task, blocks, QR, g);
    if (task + 1 < task1) prefetch_task_queries(a, task + 1, blocks, QR);
    if (g != packed) products.pack(packed = g);
    attention_rows_upto<V, P, QR>(a, products, rows, s, o);
  }
}

}  // namespace smolvlm::kernels::x86
