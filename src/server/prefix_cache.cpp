#include "server/prefix_cache.h"

#include <algorithm>

#include "core/error.h"
#include "core/sha256.h"

namespace smolvlm::server {
namespace {

// How many of the first positions of `query` the entry `cached` can stand
// for: equal ids, and equal image digests for every image run that starts
// inside that length (a run cut short by the end of the entry is not reused).
int64_t shared_length(const PrefixKey& query, const PrefixKey& cached) {
  const size_t limit = std::min(query.ids.size(), cached.ids.size());
  int64_t n = std::mismatch(query.ids.begin(), query.ids.begin() + static_cast<std::ptrdiff_t>(limit),
                            cached.ids.begin())
                  .first -
              query.ids.begin();
  auto c = cached.image_runs.begin();
  for (const ImageRun& run : query.image_runs) {
    if (run.start >= n) break;
    while (c != cached.image_runs.end() && c->start < run.start) ++c;
    const bool same = c != cached.image_runs.end() && c->start == run.start && c->length == run.length &&
                      c->digest == run.digest && run.start + run.length <= n;
    if (!same) return run.start;
  }
  return n;
}

size_t bytes_per_position(const KvCache& c) { return c.bytes_per_position(); }

}  // namespace

PrefixKey prefix_key(std::span<const int32_t> ids, std::span<const float> embeddings, int64_t hidden,
                     int64_t image_token_id) {
  PrefixKey key;
  key.ids.assign(ids.begin(), ids.end());
  if (image_token_id < 0) return key;
  const auto n = static_cast<int64_t>(ids.size());
  for (int64_t i = 0; i < n;) {
    if (ids[i] != image_token_id) {
      ++i;
      continue;
    }
    int64_t end = i;
    while (end < n && ids[end] == image_token_id) ++end;
    Sha256 hash;
    hash.update(embeddings.data() + i * hidden, static_cast<size_t>((end - i) * hidden) * sizeof(float));
    key.image_runs.push_back({i, end - i, hash.hex_digest()});
    i = end;
  }
  return key;
}

void copy_positions(const KvCache& from, int64_t n, KvCache& to) {
  try {
    to.copy_prefix(from, n);
  } catch (const Error&) {
    throw Error("prefix cache", "KV caches of different shapes");
  }
}

PrefixCache::PrefixCache(size_t budget_bytes, int64_t min_tokens)
    : budget_bytes_(budget_bytes), min_tokens_(std::max<int64_t>(min_tokens, 1)) {}

int64_t PrefixCache::restore(const PrefixKey& key, int64_t max_positions, KvCache& into) {
  auto best = entries_.end();
  int64_t best_n = 0;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    const int64_t n = std::min(shared_length(key, it->key), max_positions);
    if (n > best_n) {
      best_n = n;
      best = it;
    }
  }
  if (best_n < min_tokens_) return 0;
  copy_positions(*best->cache, best_n, into);
  entries_.splice(entries_.begin(), entries_, best);
  ++stats_.hits;
  stats_.reused_tokens += static_cast<uint64_t>(best_n);
  return best_n;
}

void PrefixCache::store(PrefixKey key, const KvCache& cache) {
  const int64_t n = cache.size();
  const size_t bytes = static_cast<size_t>(n) * bytes_per_position(cache);
  if (n < min_tokens_ || bytes > budget_bytes_) return;
  key.ids.resize(static_cast<size_t>(n));
  std::erase_if(key.image_runs, [n](const ImageRun& r) { return r.start + r.length > n; });
  // An entry this one extends is redundant; one that extends this is better.
  for (auto it = entries_.begin(); it != entries_.end();) {
    const int64_t shared = shared_length(key, it->key);
    if (shared == n) return;
    if (shared == static_cast<int64_t>(it->key.ids.size())) {
      stats_.bytes -= static_cast<size_t>(it->cache->size()) * bytes_per_position(*it->cache);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  evict_until(bytes);
  auto copy = std::make_unique<KvCache>(cache.num_layers(), cache.num_kv_heads(), cache.head_dim(), n, cache.element());
  copy_positions(cache, n, *copy);
  entries_.push_front({std::move(key), std::move(copy)});
  stats_.bytes += bytes;
  stats_.entries = entries_.size();
}

void PrefixCache::evict_until(size_t free_bytes) {
  while (!entries_.empty() && stats_.bytes + free_bytes > budget_bytes_) {
    stats_.bytes -= static_cast<size_t>(entries_.back().cache->size()) * bytes_per_position(*entries_.back().cache);
    entries_.pop_back();
  }
  stats_.entries = entries_.size();
}

}  // namespace smolvlm::server
