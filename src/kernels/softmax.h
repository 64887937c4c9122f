// Softmax over one row of attention scores, as torch's CPU softmax computes it.
#pragma once

#include <span>

namespace smolvlm::kernels {

// p = exp(p - max(p)) / sum, in place: exp in f32, the sum in double, then one
// f32 multiply by the reciprocal of the sum (torch's CPU kernel normalises by
// the reciprocal, not by division). p must not be empty.
void softmax_in_place(std::span<float> p);

}  // namespace smolvlm::kernels
