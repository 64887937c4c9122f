// Causal grouped-query attention for training (SPEC §2): whole sequences, no
// KV cache, positions 0 .. n-1. The forward also saves each query's
// log-sum-exp of the scaled scores, so the backward recomputes the softmax
// instead of keeping the n x n probabilities. Both run per head over blocks
// of queries, every product a GEMM on the shared pool (matmul and
// matmul_backward_*: the causal block's scores, P·V, dP, dQ, dK and dV).
//   s_tj = q_t·k_j * scale (j <= t), p_tj = exp(s_tj - lse_t), out_t = sum_j p_tj v_j
//   dv_j = sum_t p_tj dout_t,  dp_tj = dout_t·v_j,  D_t = dout_t·out_t,
//   ds_tj = p_tj (dp_tj - D_t),  dq_t = scale sum_j ds_tj k_j,  dk_j = scale sum_t ds_tj q_t
// Query head h reads kv head h / (n_heads / n_kv_heads).
#pragma once

#include <cstdint>
#include <span>

namespace smolvlm::kernels {

struct TrainAttentionShape {
  int64_t n_tokens = 0;
  int64_t n_heads = 0;
  int64_t n_kv_heads = 0;
  int64_t head_dim = 0;
};

// q [n, n_heads * head_dim] and k, v [n, n_kv_heads * head_dim] (token-major,
// RoPE already applied), out [n, n_heads * head_dim], lse [n_heads, n].
// Scale head_dim^-0.5; softmax sums in double.
void causal_attention_train_forward(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                                    const TrainAttentionShape& shape, std::span<float> out, std::span<float> lse);

// Given the forward's inputs, out and lse, and dout (as out): writes dq, dk,
// dv (as q, k, v; overwritten).
void causal_attention_train_backward(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                                     std::span<const float> out, std::span<const float> lse,
                                     std::span<const float> dout, const TrainAttentionShape& shape,
                                     std::span<float> dq, std::span<float> dk, std::span<float> dv);

}  // namespace smolvlm::kernels
