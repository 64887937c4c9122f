// The tanh approximation of GELU ("gelu_pytorch_tanh", SPEC §3.5).
#pragma once

#include <span>

namespace smolvlm::kernels {

// x = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3))), in place, in f32.
// Runs on the active ISA (an exp-based tanh, a few ulp from std::tanh) and the
// shared pool.
void gelu_tanh(std::span<float> x);

namespace reference {
void gelu_tanh(std::span<float> x);
}  // namespace reference

}  // namespace smolvlm::kernels
