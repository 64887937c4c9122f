// How a kernel may round: the arithmetic contract an engine picks once.
#pragma once

namespace smolvlm::kernels {

enum class ComputeMode {
  // f32 activations times weights widened exactly to f32, f32 accumulation:
  // the parity path, within 1e-4 of the transformers goldens.
  Exact,
  // Activations rounded to BF16 and BF16 dot products (vdpbf16ps) with f32
  // accumulation where the CPU has them and they pay off: matmuls over BF16
  // weights, attention over 16 or more queries (a decode step stays f32).
  // Judged by top-1 agreement and KL against Exact, not by goldens. CPUs
  // without BF16 instructions run Exact.
  Fast,
};

}  // namespace smolvlm::kernels
