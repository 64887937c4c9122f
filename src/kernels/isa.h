// Run-time choice of the SIMD instruction set the kernels use. The CPU is
// probed once (cpuid via __builtin_cpu_supports); every kernel then calls
// through the table of the best supported ISA (kernels/backend.h), so model
// code never sees an ISA.
#pragma once

namespace smolvlm::kernels {

enum class Isa {
  Scalar,      // the reference kernels: portable C++, the test oracle
  Avx2,        // AVX2 + FMA + F16C
  Avx512Bf16,  // AVX-512 F/BW/VL/DQ + BF16 (Zen 4, Sapphire Rapids)
};

const char* isa_name(Isa isa);

// True when this CPU (and this build) can run `isa`. Scalar always can.
bool isa_supported(Isa isa);

// The ISA the kernels use now: the best supported one, unless a test forced another.
Isa active_isa();

// Test hook: the kernels use `isa` while this object lives (so each fast path
// can be checked against the reference on one machine). Throws Error when the
// CPU cannot run it. Not for concurrent use with running kernels.
class ScopedIsa {
 public:
  explicit ScopedIsa(Isa isa);
  ~ScopedIsa();
  ScopedIsa(const ScopedIsa&) = delete;
  ScopedIsa& operator=(const ScopedIsa&) = delete;

 private:
  Isa previous_;
};

}  // namespace smolvlm::kernels
