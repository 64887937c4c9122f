// Element-wise ops of the decoder: the SwiGLU gate and the residual add.
#pragma once

#include <span>

namespace smolvlm::kernels {

// out = silu(gate) * up, silu(x) = x / (1 + exp(-x)) in f32 (SPEC §2 MLP).
// out may alias gate or up.
void silu_mul(std::span<const float> gate, std::span<const float> up, std::span<float> out);

// x += delta (the residual connections around attention and MLP).
void add_in_place(std::span<float> x, std::span<const float> delta);

// The scalar oracles of the two (the functions above run on the active ISA).
namespace reference {
void silu_mul(std::span<const float> gate, std::span<const float> up, std::span<float> out);
void add_in_place(std::span<float> x, std::span<const float> delta);
}  // namespace reference

}  // namespace smolvlm::kernels
