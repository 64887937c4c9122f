// What the CPU (and the OS, which must save AVX-512 state) can run, probed in
// a baseline-compiled file before any ISA-specific loop is called.
#pragma once

namespace smolvlm::bench {

bool cpu_has_avx512f();
bool cpu_has_avx512_bf16();
bool cpu_has_avx512_vnni();

}  // namespace smolvlm::bench
