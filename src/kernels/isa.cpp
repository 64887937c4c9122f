#include "kernels/isa.h"

#include <atomic>
#include <string>

#include "core/error.h"
#include "kernels/backend.h"
#if defined(__x86_64__)
#include "kernels/x86/backends.h"
#endif

namespace smolvlm::kernels {
namespace {

Isa best_supported() {
  if (isa_supported(Isa::Avx512Bf16)) return Isa::Avx512Bf16;
  if (isa_supported(Isa::Avx2)) return Isa::Avx2;
  return Isa::Scalar;
}

// Probed once, on first use; ScopedIsa overrides it for tests (-1: none).
Isa detected() {
  static const Isa best = best_supported();
  return best;
}
std::atomic<int> g_forced{-1};

const Backend& table_for(Isa isa) {
  static const Backend scalar{};
#if defined(__x86_64__)
  if (isa == Isa::Avx512Bf16) return x86::avx512_backend();
  if (isa == Isa::Avx2) return x86::avx2_backend();
#endif
  return scalar;
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512Bf16: return "avx512bf16";
  }
  return "unknown";
}

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return true;
#if defined(__x86_64__)
    // libgcc's probe also checks that the OS saves the ymm/zmm state (XCR0).
    case Isa::Avx2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    case Isa::Avx512Bf16:
      return isa_supported(Isa::Avx2) && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512bf16");
#endif
    default: return false;
  }
}

Isa active_isa() {
  const int forced = g_forced.load(std::memory_order_relaxed);
  return forced < 0 ? detected() : static_cast<Isa>(forced);
}

const Backend& backend() { return table_for(active_isa()); }

ScopedIsa::ScopedIsa(Isa isa) : previous_(active_isa()) {
  if (!isa_supported(isa))
    throw Error("kernels", std::string("this CPU cannot run the ") + isa_name(isa) + " kernels");
  g_forced.store(static_cast<int>(isa), std::memory_order_relaxed);
}

ScopedIsa::~ScopedIsa() { g_forced.store(static_cast<int>(previous_), std::memory_order_relaxed); }

}  // namespace smolvlm::kernels
