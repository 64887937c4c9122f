// Pillow's resampling filters and the fixed-point coefficients of one axis
// (SPEC §6.8; Pillow src/libImaging/Resample.c, precompute_coeffs and
// normalize_coeffs_8bpc). Split from resample.cpp so the coefficient rules,
// which decide every rounding, can be read on their own.
#pragma once

#include <cstdint>
#include <vector>

#include "vision/resample.h"

namespace smolvlm {

// Fixed-point precision of the 8-bit passes: weights are scaled by 2^22.
inline constexpr int kResamplePrecisionBits = 22;

// Coefficients for resizing one axis of `in_size` samples to `out_size`
// (whole-image box [0, in_size]).
struct AxisCoefficients {
  int64_t taps = 0;              // Pillow's ksize: the stride of `weights`
  std::vector<int32_t> first;    // per output sample: first input index used
  std::vector<int32_t> count;    // per output sample: how many inputs it uses
  std::vector<int32_t> weights;  // out_size x taps, round-half-away 2^22 fixed point
};

// Throws Error("resize", ...) for Resample::Nearest (no kernel) or sizes < 1.
AxisCoefficients axis_coefficients(int64_t in_size, int64_t out_size, Resample filter);

}  // namespace smolvlm
