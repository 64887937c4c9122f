// The loops behind the peak rates: independent multiply-accumulate chains that
// live in registers, so the rate they reach is the core's arithmetic limit.
// Each is compiled for its own instruction set (CMakeLists.txt): call one only
// after the CPU was found to have it (machine_bounds.cpp).
#pragma once

#include <cstdint>

namespace smolvlm::bench {

// `rounds` rounds of vdpbf16ps (512-bit) on the calling thread; returns the
// FLOPs done (a multiply-add counts 2), or 0 where this build has no such loop.
double bf16_peak_loop(int64_t rounds);

// `rounds` rounds of vpdpbusd (512-bit, u8 x s8 into s32) on the calling
// thread; returns the operations done (a multiply-add counts 2), or 0 where
// this build has no such loop.
double int8_peak_loop(int64_t rounds);

}  // namespace smolvlm::bench
