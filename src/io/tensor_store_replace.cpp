// TensorStore::with_replacements (a checkpoint with some tensors swapped for
// ones held in memory: weights quantized at load) and release_pages.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#include "core/error.h"
#include "io/safetensors.h"

namespace smolvlm {

TensorStore TensorStore::with_replacements(TensorStore base, std::vector<TensorToWrite> replacements) {
  for (const TensorToWrite& t : replacements)
    if (!base.contains(t.name)) throw Error(base.location_ + ": tensor " + t.name, "replaced but not in the checkpoint");
  TensorStore added = from_memory(base.location_, std::move(replacements));
  for (auto& [name, view] : added.owned_views_) {
    // A replaced tensor the store held in memory gives its bytes back.
    if (auto old = base.owned_views_.find(name); old != base.owned_views_.end()) {
      const uint8_t* data = old->second.data;
      auto bytes = std::find_if(base.owned_bytes_.begin(), base.owned_bytes_.end(),
                                [&](const std::vector<uint8_t>& b) { return b.data() == data; });
      if (bytes != base.owned_bytes_.end()) std::vector<uint8_t>().swap(*bytes);
      base.owned_views_.erase(old);
    }
  }
#if defined(__GLIBC__)
  // Buffers freed above may sit in malloc's heap rather than in their own
  // mappings; without this the process keeps both copies resident.
  malloc_trim(0);
#endif
  // Map nodes and vector buffers keep their addresses when moved.
  for (auto& bytes : added.owned_bytes_) base.owned_bytes_.push_back(std::move(bytes));
  while (!added.owned_views_.empty()) {
    auto node = added.owned_views_.extract(added.owned_views_.begin());
    const auto it = base.owned_views_.insert(std::move(node)).position;
    base.index_[it->first] = &it->second;
  }
  return base;
}

void TensorStore::release_pages(const std::string& name) const {
  if (owned_views_.count(name) != 0) return;  // MADV_DONTNEED would zero heap bytes
  const TensorView& t = get(name);
  // Whole pages inside the tensor only: its neighbours' pages stay.
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<uintptr_t>(t.data) + page - 1) / page * page;
  const auto end = (reinterpret_cast<uintptr_t>(t.data) + t.size_bytes) / page * page;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace smolvlm
