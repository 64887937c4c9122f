// The table of SIMD kernels for one ISA, filled by src/kernels/x86/*_backend.cpp
// (each compiled with its own -m flags) and chosen once at start-up. Entries
// work on a slice of an op (rows, columns, heads) and take their scratch from
// the caller: the drivers (matmul.cpp, attention.cpp, ...) own threading and
// memory, so the ISA files hold arithmetic only and instantiate no library
// templates that could leak instructions into code shared with other ISAs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/isa.h"
#include "kernels/kv_element.h"
#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// y = x·Wᵀ (+ bias) for one matmul. Exact reads x; Fast reads x_bf16.
struct GemmArgs {
  const float* x = nullptr;          // [n, k] f32
  const uint16_t* x_bf16 = nullptr;  // [n, k] BF16 bits (Fast only)
  int64_t n = 0, k = 0;
  WeightView w;                  // [out, k]
  const float* bias = nullptr;   // [out] f32, or none
  float* y = nullptr;            // [n, out]
};

// Multi-head attention with online softmax; queries attend to keys 0 ..
// n_keys - 1, or causally to 0 .. causal_offset + t. One task is one query
// head times one block of attention_rows queries, numbered head-major.
struct AttentionArgs {
  const float* q = nullptr;  // q[t * q_row + h * head_dim + d]
  const void* k = nullptr;  // k[g * kv_head_stride + j * kv_row + d], g = h / group
  const void* v = nullptr;  // as k
  KvElement kv_element = KvElement::F32;  // of k and v, read in place
  float* out = nullptr;      // out[t * out_row + h * head_dim + d]
  int64_t q_row = 0, kv_row = 0, kv_head_stride = 0, out_row = 0;
  int64_t n_queries = 0, n_keys = 0, n_heads = 0, group = 1, head_dim = 0;
  int64_t causal_offset = -1;  // < 0: not causal
  float scale = 1.0f;
  bool fast = false;  // BF16 products (needs attention_bf16)
};

// Attention runs in tasks of up to `rows` query rows that share a kv head:
// a block of queries of one head or, for a single query (a decode step), the
// heads of one kv group, so each kv head's keys and values are read once per
// step. Each row is computed on its own: the grouping changes no bit.
inline bool attention_rows_are_heads(const AttentionArgs& a) { return a.n_queries == 1 && a.group > 1; }
inline int64_t attention_tasks(const AttentionArgs& a, int64_t rows) {
  if (attention_rows_are_heads(a)) return a.n_heads / a.group * ((a.group + rows - 1) / rows);
  return a.n_heads * ((a.n_queries + rows - 1) / rows);
}

// C [m, b.cols] += A·B summed over p < b.rows, A(m, p) = a[m * a_m + p * a_p]
// (kernels/matmul_backward.h: dx = dy·W and dW += dyᵀ·x).
struct GemmAccArgs {
  const float* a = nullptr;
  int64_t a_m = 0, a_p = 0;
  WeightView b;         // [P, N], row p of B
  float* c = nullptr;   // [M, N]
};

struct Backend {
  Isa isa = Isa::Scalar;

  // Exact matmul of rows [r0, r1) and outputs [c0, c1). scratch holds
  // gemm_scratch_floats(r1 - r0) floats.
  void (*gemm_exact)(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch) = nullptr;
  int64_t (*gemm_scratch_floats)(int64_t rows) = nullptr;
  // Fast matmul over BF16 weights (null where the CPU has no BF16 dot
  // product); scratch holds gemm_bf16_scratch_floats(r1 - r0) floats.
  void (*gemm_bf16)(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch) = nullptr;
  int64_t (*gemm_bf16_scratch_floats)(int64_t rows) = nullptr;
  // Fast matmul over BF16_PANELS weights (kernels/bf16_panels.h); c0 is a
  // multiple of 16 and no scratch is needed. Null where gemm_bf16 is.
  void (*gemm_bf16_panels)(const GemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch) = nullptr;
  // C rows [m0, m1), columns [n0, n1) += the products over p in [p0, p1).
  void (*gemm_accumulate)(const GemmAccArgs& g, int64_t m0, int64_t m1, int64_t n0, int64_t n1, int64_t p0,
                          int64_t p1) = nullptr;
  // out[i] = x[i] rounded to BF16 (nearest even), i < n.
  void (*to_bf16)(const float* x, int64_t n, uint16_t* out) = nullptr;

  // Attention tasks [t0, t1); scratch holds attention_scratch_floats(a) floats.
  void (*attention)(const AttentionArgs& a, int64_t t0, int64_t t1, float* scratch) = nullptr;
  int64_t (*attention_scratch_floats)(const AttentionArgs& a) = nullptr;
  int64_t attention_rows = 1;  // queries per task
  bool attention_bf16 = false;

  // Element-wise ops on n contiguous floats; out may alias an input.
  void (*gelu_tanh)(float* x, int64_t n) = nullptr;
  void (*silu_mul)(const float* gate, const float* up, float* out, int64_t n) = nullptr;
  void (*add)(float* x, const float* delta, int64_t n) = nullptr;
  // Row norms over `rows` rows of `dim` (weights already f32); y may alias x.
  void (*rms_norm)(const float* x, int64_t rows, int64_t dim, const float* w, float eps, float* y) = nullptr;
  void (*layer_norm)(const float* x, int64_t rows, int64_t dim, const float* w, const float* b, float eps,
                     float* y) = nullptr;
};

// The active ISA's table (isa.h); for Isa::Scalar every entry is null and the
// drivers run the reference kernels.
const Backend& backend();

}  // namespace smolvlm::kernels
