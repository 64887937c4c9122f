// The per-ISA kernel tables, each defined in a file compiled with that ISA's
// flags (CMakeLists.txt, "per-ISA kernel files"). Only isa.cpp reads them,
// after checking that the CPU supports the ISA.
#pragma once

#include "kernels/backend.h"

namespace smolvlm::kernels::x86 {

const Backend& avx2_backend();
const Backend& avx512_backend();

}  // namespace smolvlm::kernels::x86
