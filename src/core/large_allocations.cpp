#include "core/large_allocations.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace smolvlm {

void map_large_allocations_separately() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kSeparatelyMappedBytes));
#endif
}

}  // namespace smolvlm
