// The backward of RoPE (kernels/rope.h): the rotation of each pair (i, i + d/2)
// by the angle of the position is orthogonal, so the gradient is rotated back
// by the opposite angle (sin negated).
#pragma once

#include <cstdint>
#include <span>

namespace smolvlm::kernels {

// dx [n_heads, head_dim] (one token), the gradient of rope_apply's output, is
// turned in place into the gradient of its input; cos/sin as rope_apply got them.
void rope_apply_backward(std::span<float> dx, int64_t n_heads, std::span<const float> cos,
                         std::span<const float> sin);

}  // namespace smolvlm::kernels
