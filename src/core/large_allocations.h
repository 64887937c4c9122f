// Where the process's large buffers live. The engine's big transient buffers
// (a prefill chunk's activations, a vision tile's scratch, a request's KV
// cache, decoded images) are plain std::vectors. glibc's malloc raises its
// mmap threshold to the size of any mapped chunk that is freed (up to
// 32 MiB); from then on buffers of that size come from the heap, and their
// pages stay resident after they are freed whenever a longer-lived
// allocation sits above them. Resident memory then grows with each phase
// (encode, prefill, decode) instead of following what is alive.
#pragma once

#include <cstddef>

namespace smolvlm {

// Buffers of at least this many bytes get their own mapping, given back to
// the system when freed. Smaller ones (a decode step's rows) stay on the heap.
inline constexpr size_t kSeparatelyMappedBytes = size_t{1} << 20;

// Fixes malloc's mmap threshold at kSeparatelyMappedBytes, which also turns
// off glibc's raising of it. For a process's main() before the model loads;
// does nothing where the C library is not glibc.
void map_large_allocations_separately();

}  // namespace smolvlm
