// Per-layer keys (after RoPE) and values (SPEC §2 "KV cache"), f32, nkv heads
// (before the GQA repeat), preallocated for a fixed number of positions so a
// decode step never allocates. Reusable across turns via truncate()/clear().
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "io/model_config.h"

namespace smolvlm {

class KvCache {
 public:
  KvCache(int64_t num_layers, int64_t num_kv_heads, int64_t head_dim, int64_t max_tokens);
  KvCache(const TextConfig& config, int64_t max_tokens);

  int64_t size() const { return size_; }             // positions held
  int64_t capacity() const { return capacity_; }     // positions it can hold
  size_t size_bytes() const { return data_.size() * sizeof(float); }
  int64_t num_layers() const { return num_layers_; }
  int64_t num_kv_heads() const { return num_kv_heads_; }
  int64_t head_dim() const { return head_dim_; }

  // Keeps the first n positions (n <= size()), e.g. the shared prefix of the next turn.
  void truncate(int64_t n);
  void clear() { size_ = 0; }

  // Stores rows for positions first .. first+n-1 of `layer`: k and v are
  // [n, num_kv_heads * head_dim] (token-major, as the projections produce them).
  // size() is unchanged until advance().
  void write(int64_t layer, int64_t first, int64_t n, std::span<const float> k, std::span<const float> v);
  // Marks n more positions as held once every layer has written them.
  void advance(int64_t n);

  // One layer's keys / values, [num_kv_heads, capacity, head_dim] (head-major,
  // so each head's keys are contiguous for attention).
  std::span<const float> keys(int64_t layer) const { return layer_block(layer, 0); }
  std::span<const float> values(int64_t layer) const { return layer_block(layer, 1); }

 private:
  std::span<const float> layer_block(int64_t layer, int which) const;
  float* head_row(int64_t layer, int which, int64_t head, int64_t position);

  int64_t num_layers_, num_kv_heads_, head_dim_, capacity_;
  int64_t size_ = 0;
  std::vector<float> data_;  // [layer][k|v][head][position][head_dim]
};

}  // namespace smolvlm
