#include "model/kv_cache.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace smolvlm {

KvCache::KvCache(int64_t num_layers, int64_t num_kv_heads, int64_t head_dim, int64_t max_tokens)
    : num_layers_(num_layers), num_kv_heads_(num_kv_heads), head_dim_(head_dim), capacity_(max_tokens) {
  if (num_layers <= 0 || num_kv_heads <= 0 || head_dim <= 0 || max_tokens < 0)
    throw Error("KV cache", "bad geometry: " + std::to_string(num_layers) + " layers, " +
                                std::to_string(num_kv_heads) + " kv heads, head_dim " + std::to_string(head_dim) +
                                ", " + std::to_string(max_tokens) + " tokens");
  data_.resize(static_cast<size_t>(num_layers * 2 * num_kv_heads * max_tokens * head_dim));
}

KvCache::KvCache(const TextConfig& config, int64_t max_tokens)
    : KvCache(config.num_layers, config.num_kv_heads, config.head_dim, max_tokens) {}

void KvCache::truncate(int64_t n) {
  if (n < 0 || n > size_)
    throw Error("KV cache", "cannot truncate to " + std::to_string(n) + " positions; it holds " + std::to_string(size_));
  size_ = n;
}

std::span<const float> KvCache::layer_block(int64_t layer, int which) const {
  const int64_t BLOCK = num_kv_heads_ * capacity_ * head_dim_;
  if (layer < 0 || layer >= num_layers_)
    throw Error("KV cache", "layer " + std::to_string(layer) + " of " + std::to_string(num_layers_));
  return std::span<const float>(data_).subspan((2 * layer + which) * BLOCK, BLOCK);
}

float* KvCache::head_row(int64_t layer, int which, int64_t head, int64_t position) {
  return data_.data() + (((2 * layer + which) * num_kv_heads_ + head) * capacity_ + position) * head_dim_;
}

void KvCache::write(int64_t layer, int64_t first, int64_t n, std::span<const float> k, std::span<const float> v) {
  const int64_t NKV = num_kv_heads_, D = head_dim_;
  if (layer < 0 || layer >= num_layers_ || first < 0 || n < 0 || first + n > capacity_)
    throw Error("KV cache", "cannot write positions " + std::to_string(first) + ".." + std::to_string(first + n - 1) +
                                " of layer " + std::to_string(layer) + " (capacity " + std::to_string(capacity_) +
                                " positions, " + std::to_string(num_layers_) + " layers)");
  if (static_cast<int64_t>(k.size()) != n * NKV * D || static_cast<int64_t>(v.size()) != n * NKV * D)
    throw Error("KV cache", "write of " + std::to_string(n) + " positions needs " + std::to_string(n * NKV * D) +
                                " floats each for k and v");
  for (int64_t t = 0; t < n; ++t)
    for (int64_t h = 0; h < NKV; ++h) {
      const int64_t src = (t * NKV + h) * D;
      std::copy_n(k.data() + src, D, head_row(layer, 0, h, first + t));
      std::copy_n(v.data() + src, D, head_row(layer, 1, h, first + t));
    }
}

void KvCache::advance(int64_t n) {
  if (n < 0 || size_ + n > capacity_)
    throw Error("KV cache", "cannot hold " + std::to_string(size_ + n) + " positions; capacity is " +
                                std::to_string(capacity_));
  size_ += n;
}

}  // namespace smolvlm
