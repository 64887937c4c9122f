// Helpers for the tests that run every kernel on each ISA this CPU supports
// (kernels/isa.h), against the scalar reference kernels.
#pragma once

#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/isa.h"

namespace smolvlm::kernels::testing {

// Scalar first, then every SIMD ISA the machine can run.
inline std::vector<Isa> supported_isas() {
  std::vector<Isa> isas;
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512Bf16})
    if (isa_supported(isa)) isas.push_back(isa);
  return isas;
}

inline std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) { return isa_name(info.param); }

// The shared pool resized for one test, back to the default afterwards.
class ScopedThreads {
 public:
  explicit ScopedThreads(int n) { set_shared_pool_threads(n); }
  ~ScopedThreads() { set_shared_pool_threads(default_thread_count()); }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;
};

}  // namespace smolvlm::kernels::testing
