#include "model/kv_cache.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/dtype.h"
#include "core/error.h"

namespace smolvlm {

std::optional<KvElement> kv_element_from_name(std::string_view name) {
  if (name == "f32") return KvElement::F32;
  if (name == "bf16") return KvElement::BF16;
  if (name == "f16") return KvElement::F16;
  return std::nullopt;
}

std::string_view kv_element_name(KvElement e) {
  switch (e) {
    case KvElement::F32: return "f32";
    case KvElement::BF16: return "bf16";
    case KvElement::F16: return "f16";
  }
  return "?";
}

KvCache::KvCache(int64_t num_layers, int64_t num_kv_heads, int64_t head_dim, int64_t max_tokens, KvElement element)
    : num_layers_(num_layers),
      num_kv_heads_(num_kv_heads),
      head_dim_(head_dim),
      capacity_(max_tokens),
      element_(element) {
  if (num_layers <= 0 || num_kv_heads <= 0 || head_dim <= 0 || max_tokens < 0)
    throw Error("KV cache", "bad geometry: " + std::to_string(num_layers) + " layers, " +
                                std::to_string(num_kv_heads) + " kv heads, head_dim " + std::to_string(head_dim) +
                                ", " + std::to_string(max_tokens) + " tokens");
  const auto elements = static_cast<size_t>(num_layers * 2 * num_kv_heads * max_tokens * head_dim);
  if (element == KvElement::F32) f32_.resize(elements);
  else half_.resize(elements);
}

KvCache::KvCache(const TextConfig& config, int64_t max_tokens, KvElement element)
    : KvCache(config.num_layers, config.num_kv_heads, config.head_dim, max_tokens, element) {}

void KvCache::truncate(int64_t n) {
  if (n < 0 || n > size_)
    throw Error("KV cache", "cannot truncate to " + std::to_string(n) + " positions; it holds " + std::to_string(size_));
  size_ = n;
}

kernels::KvSpan KvCache::layer_block(int64_t layer, int which) const {
  const auto BLOCK = static_cast<size_t>(num_kv_heads_ * capacity_ * head_dim_);
  if (layer < 0 || layer >= num_layers_)
    throw Error("KV cache", "layer " + std::to_string(layer) + " of " + std::to_string(num_layers_));
  const size_t first = (2 * layer + which) * BLOCK;
  if (element_ == KvElement::F32) return std::span<const float>(f32_).subspan(first, BLOCK);
  return kernels::KvSpan(std::span<const uint16_t>(half_).subspan(first, BLOCK), element_);
}

std::span<const float> KvCache::f32_block(int64_t layer, int which) const {
  if (element_ != KvElement::F32)
    throw Error("KV cache", "holds " + std::string(kv_element_name(element_)) + ", not f32 rows");
  const kernels::KvSpan s = layer_block(layer, which);
  return {static_cast<const float*>(s.data), s.size};
}

size_t KvCache::row_offset(int64_t layer, int which, int64_t head, int64_t position) const {
  return static_cast<size_t>((((2 * layer + which) * num_kv_heads_ + head) * capacity_ + position) * head_dim_);
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
  const auto store = [&](const float* src, size_t dst) {
    if (element_ == KvElement::F32) return void(std::copy_n(src, D, f32_.data() + dst));
    uint16_t* out = half_.data() + dst;
    if (element_ == KvElement::BF16)
      for (int64_t d = 0; d < D; ++d) out[d] = f32_to_bf16(src[d]);
    else
      for (int64_t d = 0; d < D; ++d) out[d] = f32_to_f16(src[d]);
  };
  for (int64_t t = 0; t < n; ++t)
    for (int64_t h = 0; h < NKV; ++h) {
      const int64_t src = (t * NKV + h) * D;
      store(k.data() + src, row_offset(layer, 0, h, first + t));
      store(v.data() + src, row_offset(layer, 1, h, first + t));
    }
}

void KvCache::advance(int64_t n) {
  if (n < 0 || size_ + n > capacity_)
    throw Error("KV cache", "cannot hold " + std::to_string(size_ + n) + " positions; capacity is " +
                                std::to_string(capacity_));
  size_ += n;
}

void KvCache::copy_prefix(const KvCache& from, int64_t n) {
  if (size_ != 0 || n < 0 || n > from.size() || n > capacity_ || num_layers_ != from.num_layers_ ||
      num_kv_heads_ != from.num_kv_heads_ || head_dim_ != from.head_dim_ || element_ != from.element_)
    throw Error("KV cache", "cannot copy " + std::to_string(n) + " positions between caches of different shapes or "
                            "element types, or into a cache that is not empty");
  // Each (layer, k|v, head) run of n positions is contiguous in both; the strides differ by capacity.
  const size_t run = static_cast<size_t>(n * head_dim_);
  for (int64_t layer = 0; layer < num_layers_; ++layer)
    for (int which = 0; which < 2; ++which)
      for (int64_t h = 0; h < num_kv_heads_; ++h) {
        const size_t src = from.row_offset(layer, which, h, 0), dst = row_offset(layer, which, h, 0);
        if (element_ == KvElement::F32) std::copy_n(from.f32_.data() + src, run, f32_.data() + dst);
        else std::copy_n(from.half_.data() + src, run, half_.data() + dst);
      }
  size_ = n;
}

}  // namespace smolvlm
