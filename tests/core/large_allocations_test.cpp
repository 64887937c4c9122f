// map_large_allocations_separately(): a large buffer's pages leave the
// resident set when it is freed, in the case where glibc's default keeps
// them: after a bigger buffer was freed (its threshold rises, so the next
// buffers come from the heap) and with a small allocation made above them.
#include "core/large_allocations.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

namespace smolvlm {
namespace {

size_t resident_bytes() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  const int read = std::fscanf(f, "%ld %ld", &pages, &resident);
  std::fclose(f);
  return read == 2 ? static_cast<size_t>(resident) * static_cast<size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

TEST(LargeAllocations, FreedBuffersLeaveTheResidentSet) {
  if (resident_bytes() == 0) GTEST_SKIP() << "no /proc/self/statm";
  map_large_allocations_separately();
  constexpr size_t kMiB = size_t{1} << 20;
  { std::vector<char> earlier(24 * kMiB, 1); }  // glibc's default: the threshold becomes 24 MiB
  const size_t before = resident_bytes();
  std::vector<std::vector<char>> buffers;
  for (int i = 0; i < 8; ++i) buffers.emplace_back(8 * kMiB, 1);  // 64 MiB, every page touched
  const std::vector<char> above(4096, 1);                          // a small allocation after them
  EXPECT_GE(resident_bytes(), before + 60 * kMiB);
  buffers.clear();
  EXPECT_LT(resident_bytes(), before + 8 * kMiB);
}

}  // namespace
}  // namespace smolvlm
