// Per-layer keys (after RoPE) and values (SPEC §2 "KV cache"), nkv heads
// (before the GQA repeat), preallocated for a fixed number of positions so a
// decode step never allocates. Stored as F32 (the exact mode's, bit-identical
// to the unrounded projections) or BF16/F16 (half the bytes a decode step
// reads; attention widens them in place). Reusable across turns via
// truncate()/clear().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "io/model_config.h"
#include "kernels/kv_element.h"

namespace smolvlm {

using kernels::KvElement;

// "f32", "bf16", "f16" (the --kv-dtype spellings); none for anything else.
std::optional<KvElement> kv_element_from_name(std::string_view name);
std::string_view kv_element_name(KvElement e);

class KvCache {
 public:
  KvCache(int64_t num_layers, int64_t num_kv_heads, int64_t head_dim, int64_t max_tokens,
          KvElement element = KvElement::F32);
  KvCache(const TextConfig& config, int64_t max_tokens, KvElement element = KvElement::F32);

  int64_t size() const { return size_; }             // positions held
  int64_t capacity() const { return capacity_; }     // positions it can hold
  KvElement element() const { return element_; }
  // K and V of one position over every layer and kv head.
  size_t bytes_per_position() const {
    return static_cast<size_t>(num_layers_ * 2 * num_kv_heads_ * head_dim_) * kernels::kv_element_bytes(element_);
  }
  size_t size_bytes() const { return static_cast<size_t>(capacity_) * bytes_per_position(); }  // preallocated
  int64_t num_layers() const { return num_layers_; }
  int64_t num_kv_heads() const { return num_kv_heads_; }
  int64_t head_dim() const { return head_dim_; }

  // Keeps the first n positions (n <= size()), e.g. the shared prefix of the next turn.
  void truncate(int64_t n);
  void clear() { size_ = 0; }

  // Stores rows for positions first .. first+n-1 of `layer`: k and v are
  // [n, num_kv_heads * head_dim] (token-major, as the projections produce them),
  // rounded to nearest even when the cache holds BF16/F16.
  // size() is unchanged until advance().
  void write(int64_t layer, int64_t first, int64_t n, std::span<const float> k, std::span<const float> v);
  // Marks n more positions as held once every layer has written them.
  void advance(int64_t n);

  // Copies the first n positions of `from` (same shape and element type) into
  // this empty cache and holds them: a reused prompt prefix.
  void copy_prefix(const KvCache& from, int64_t n);

  // One layer's keys / values, [num_kv_heads, capacity, head_dim] (head-major,
  // so each head's keys are contiguous for attention), as stored.
  kernels::KvSpan key_rows(int64_t layer) const { return layer_block(layer, 0); }
  kernels::KvSpan value_rows(int64_t layer) const { return layer_block(layer, 1); }
  // The same as f32; only for an F32 cache (throws Error otherwise).
  std::span<const float> keys(int64_t layer) const { return f32_block(layer, 0); }
  std::span<const float> values(int64_t layer) const { return f32_block(layer, 1); }

 private:
  kernels::KvSpan layer_block(int64_t layer, int which) const;
  std::span<const float> f32_block(int64_t layer, int which) const;
  size_t row_offset(int64_t layer, int which, int64_t head, int64_t position) const;

  int64_t num_layers_, num_kv_heads_, head_dim_, capacity_;
  KvElement element_;
  int64_t size_ = 0;
  // [layer][k|v][head][position][head_dim] in one of the two, by element_.
  std::vector<float> f32_;
  std::vector<uint16_t> half_;
};

}  // namespace smolvlm
