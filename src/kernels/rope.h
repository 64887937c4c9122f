// Rotary position embedding, default type, rotate_half (NeoX) pairing (SPEC §2).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace smolvlm::kernels {

// inv_freq[i] = 1 / theta^((2i) / head_dim) for i < head_dim / 2, in float32 as
// transformers computes it: exponent = float32(2i) / float32(head_dim), then a
// float32 power of float32(theta), then a float32 reciprocal.
std::vector<float> rope_inv_freq(int64_t head_dim, double theta);

// cos/sin [head_dim] for one position: freqs = float32(position) * inv_freq,
// emb = concat(freqs, freqs), cos and sin in float32.
void rope_cos_sin(std::span<const float> inv_freq, int64_t position, std::span<float> cos, std::span<float> sin);

// Rotates x [n_heads, head_dim] (one token) in place:
// x' = x * cos + rotate_half(x) * sin, rotate_half(x) = concat(-x[d/2:], x[:d/2]).
void rope_apply(std::span<float> x, int64_t n_heads, std::span<const float> cos, std::span<const float> sin);

}  // namespace smolvlm::kernels
