// TensorStore::from_memory: a checkpoint's tensors without a file behind them.
#include <cstdint>
#include <optional>

#include "core/error.h"
#include "io/safetensors.h"

namespace smolvlm {
namespace {

// dtype x shape in bytes; nullopt for a negative dimension or a size past
// `limit` (checked before each multiply, so the product never overflows).
std::optional<uint64_t> bytes_needed(DType dtype, const std::vector<int64_t>& shape, uint64_t limit) {
  if (dtype_size_bytes(dtype) == 0) {  // rows of blocks or panels, sized by their count
    const std::optional<uint64_t> bytes = dtype_tensor_bytes(dtype, shape);
    return bytes && *bytes <= limit ? bytes : std::nullopt;
  }
  uint64_t bytes = dtype_size_bytes(dtype);
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && bytes > limit / static_cast<uint64_t>(d))) return std::nullopt;
    bytes *= static_cast<uint64_t>(d);
  }
  return bytes;
}

}  // namespace

TensorStore TensorStore::from_memory(std::string location, std::vector<TensorToWrite> tensors) {
  TensorStore store;
  store.location_ = std::move(location);
  store.owned_bytes_.reserve(tensors.size());
  for (TensorToWrite& t : tensors) {
    const std::string where = store.location_ + ": tensor " + t.name;
    const std::optional<uint64_t> needed = bytes_needed(t.dtype, t.shape, t.bytes.size());
    if (needed != t.bytes.size())
      throw Error(where, "holds " + std::to_string(t.bytes.size()) + " bytes, which does not match " +
                             std::string(dtype_name(t.dtype)) + " of its shape");
    if (store.owned_views_.count(t.name) != 0) throw Error(where, "given twice");

    TensorView view;
    view.name = t.name;
    view.dtype = t.dtype;
    view.shape = std::move(t.shape);
    view.size_bytes = t.bytes.size();
    store.owned_bytes_.push_back(std::move(t.bytes));
    view.data = store.owned_bytes_.back().data();
    const auto it = store.owned_views_.emplace(t.name, std::move(view)).first;
    store.index_[it->first] = &it->second;
  }
  return store;
}

}  // namespace smolvlm
