// The backward of the SwiGLU gate out = silu(g) * u (kernels/activations.h),
// with σ = sigmoid(g), silu(g) = g σ, silu'(g) = σ (1 + g (1 - σ)):
//   du = dout * silu(g),   dg = dout * u * σ (1 + g (1 - σ)).
#pragma once

#include <span>

namespace smolvlm::kernels {

// gate, up, dout, dgate, dup: n floats each; dgate and dup are overwritten
// (they may alias gate and up, which are read first element by element).
void silu_mul_backward(std::span<const float> gate, std::span<const float> up, std::span<const float> dout,
                       std::span<float> dgate, std::span<float> dup);

}  // namespace smolvlm::kernels
