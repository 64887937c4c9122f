// Causal grouped-query attention over cached keys and values (SPEC §2).
#pragma once

#include <cstdint>
#include <span>

#include "kernels/compute_mode.h"
#include "kernels/kv_element.h"

namespace smolvlm::kernels {

struct AttentionShape {
  int64_t n_tokens = 0;     // new query positions
  int64_t n_past = 0;       // cached positions before them
  int64_t n_heads = 0;      // query heads
  int64_t n_kv_heads = 0;   // key/value heads; n_heads is a multiple of it
  int64_t head_dim = 0;
  int64_t kv_capacity = 0;  // rows per kv head in k and v (the cache's stride)
};

// q   [n_tokens, n_heads * head_dim], already rotated;
// k,v [n_kv_heads, kv_capacity, head_dim], rows 0 .. n_past + n_tokens - 1 valid
//     (the new tokens' keys/values already written);
// out [n_tokens, n_heads * head_dim].
// Query t sits at position n_past + t and attends to keys 0 .. n_past + t; query
// head h reads kv head h / (n_heads / n_kv_heads). Scores = q·k * head_dim^-0.5,
// softmax in f32; masked keys are left out (transformers adds finfo.min, whose
// exp is exactly 0).
// Runs on the active ISA and the shared pool (tiled, online softmax); Fast
// mode may round the products to BF16 (compute_mode.h).
void causal_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                      const AttentionShape& shape, std::span<float> out, ComputeMode mode = ComputeMode::Exact);
// The same over keys and values stored as BF16 or F16 (or F32), read in place
// and widened exactly: equal to the f32 overload over the widened values.
void causal_attention(std::span<const float> q, KvSpan k, KvSpan v, const AttentionShape& shape,
                      std::span<float> out, ComputeMode mode = ComputeMode::Exact);

namespace reference {
// The scalar oracle: one full softmax per query, as transformers computes it.
void causal_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                      const AttentionShape& shape, std::span<float> out);
// Over stored BF16/F16 rows: widened to f32, then the f32 oracle.
void causal_attention(std::span<const float> q, KvSpan k, KvSpan v, const AttentionShape& shape,
                      std::span<float> out);
}  // namespace reference

}  // namespace smolvlm::kernels
