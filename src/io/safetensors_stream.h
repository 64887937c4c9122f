// Writing a safetensors file tensor by tensor, so a checkpoint bigger than
// memory (a merged 2B model) is produced without holding it: the header is
// known up front, each tensor's bytes are handed over in order.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace smolvlm {

struct TensorHeader {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t size_bytes() const;
};

// Writes `path` (not atomically: callers write into a temp path or folder).
// write_tensor(i, emit) must pass tensor i's bytes to emit, in one or more
// pieces totalling exactly headers[i].size_bytes(); else Error naming it.
// A failed write (disk full) throws Error naming the file.
using EmitBytes = std::function<void(std::span<const uint8_t>)>;
void write_safetensors_streamed(const std::string& path, const std::vector<TensorHeader>& headers,
                                const std::map<std::string, std::string>& metadata,
                                const std::function<void(size_t index, const EmitBytes& emit)>& write_tensor);

}  // namespace smolvlm
