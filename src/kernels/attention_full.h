// Bidirectional multi-head attention over one sequence (SPEC §3.5: the vision
// encoder's self-attention; every query sees every valid key).
#pragma once

#include <cstdint>
#include <span>

#include "kernels/compute_mode.h"

namespace smolvlm::kernels {

struct FullAttentionShape {
  int64_t n_tokens = 0;
  int64_t n_heads = 0;
  int64_t head_dim = 0;  // any positive size (64 and 72 in SigLIP towers)
};

// q, k, v, out [n_tokens, n_heads * head_dim], token-major as the projections
// write them (head h in columns h*head_dim ..). Scores = q·k * head_dim^-0.5,
// softmax in f32. key_valid is empty (every key attended) or [n_tokens] with 0
// for keys to leave out: transformers adds finfo.min to them, whose exp is
// exactly 0. At least one key must be valid.
// Runs on the active ISA and the shared pool (tiled, online softmax); Fast
// mode may round the products to BF16 (compute_mode.h).
void full_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                    const FullAttentionShape& shape, std::span<const uint8_t> key_valid, std::span<float> out,
                    ComputeMode mode = ComputeMode::Exact);

namespace reference {
// The scalar oracle: one full softmax per query over the attended keys.
void full_attention(std::span<const float> q, std::span<const float> k, std::span<const float> v,
                    const FullAttentionShape& shape, std::span<const uint8_t> key_valid, std::span<float> out);
}  // namespace reference

}  // namespace smolvlm::kernels
