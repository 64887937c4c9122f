#include "cpu_features.h"

namespace smolvlm::bench {

// __builtin_cpu_supports checks the OS's XSAVE state too; it takes literals only.
#if defined(__x86_64__)
bool cpu_has_avx512f() { return __builtin_cpu_supports("avx512f"); }
bool cpu_has_avx512_bf16() { return cpu_has_avx512f() && __builtin_cpu_supports("avx512bf16"); }
bool cpu_has_avx512_vnni() { return cpu_has_avx512f() && __builtin_cpu_supports("avx512vnni"); }
#else
bool cpu_has_avx512f() { return false; }
bool cpu_has_avx512_bf16() { return false; }
bool cpu_has_avx512_vnni() { return false; }
#endif

}  // namespace smolvlm::bench
