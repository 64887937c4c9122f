// The loops behind the machine's bounds, each compiled for its own instruction
// set (CMakeLists.txt) so the rest of the program stays baseline x86-64. A
// getter returns null where this build has no such loop; call a loop only
// after the CPU was found to have its instructions (cpu_features.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace smolvlm::bench {

// `rounds` rounds of independent multiply-accumulate chains that live in
// registers, on the calling thread; returns the operations done (a
// multiply-add counts 2). Their rate is the core's arithmetic limit.
using PeakLoop = double (*)(int64_t rounds);
PeakLoop avx512_bf16_peak_loop();  // vdpbf16ps: BF16 pairs into f32
PeakLoop avx512_vnni_peak_loop();  // vpdpbusd: u8 x s8 quads into s32

// The sum of n words, read with 512-bit loads: wide loads keep more bytes in
// flight per instruction than the baseline loop, nearer the memory's limit.
using SumLoop = uint64_t (*)(const uint64_t* words, size_t n);
SumLoop avx512_sum_loop();

}  // namespace smolvlm::bench
