// Runs attention tasks (backend.h) of the active ISA on the shared pool; the
// shape checks and the reference fallback stay with attention.cpp and
// attention_full.cpp.
#pragma once

#include "kernels/backend.h"

namespace smolvlm::kernels {

// Needs a SIMD backend (active_isa() != Isa::Scalar).
void run_attention(const AttentionArgs& args);

}  // namespace smolvlm::kernels
