// The integer matmul tile kernels over block-quantized weights, one table per
// ISA that has them (x86/avx512vnni_quant.cpp), chosen by quant_matmul.cpp.
#pragma once

#include <cstdint>

#include "kernels/weight_view.h"

namespace smolvlm::kernels {

// y = x·Wᵀ (+ bias) with x already quantized (quantize_activations).
struct QuantGemmArgs {
  const int8_t* xq = nullptr;  // [n, k]
  const float* xs = nullptr;   // [n, k / 32 * 8]: each block's scale 8 times
  const int32_t* xsum = nullptr;  // [n, k / 32]: each block's Σ q
  int64_t n = 0, k = 0;
  WeightView w;                 // [out, k], Q8_0 or Q4_0 as rows or panels, or Q4_K
  const float* bias = nullptr;  // [out] or none
  float* y = nullptr;           // [n, out]
};

struct QuantKernels {
  // Rows [r0, r1) times outputs [c0, c1); scratch holds scratch_floats(k) floats.
  void (*gemm)(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch) = nullptr;
  int64_t (*scratch_floats)(int64_t k) = nullptr;
  // quantize_activations (quant_matmul.h) over n values, the same bits.
  void (*quantize_activations)(const float* x, int64_t n, int8_t* q, float* scales, int32_t* sums) = nullptr;
};

namespace x86 {
// AVX-512 F/BW/VL + VNNI (vpdpbusd); only where the CPU has them.
const QuantKernels& avx512vnni_quant_kernels();
// Its gemm for Q4_K weights (avx512vnni_q4_k.cpp), with scratch of at least
// k / 32 floats (more rows at a time with more).
void quant_gemm_q4_k(const QuantGemmArgs& a, int64_t r0, int64_t r1, int64_t c0, int64_t c1, float* scratch,
                     int64_t scratch_floats);
}  // namespace x86

}  // namespace smolvlm::kernels
