// KV caches of finished sequences, kept so a request that extends an earlier
// conversation (the next turn of a chat re-sends the whole history) starts
// from a copy of the shared prefix instead of prefilling it again.
//
// Exactness: a cached position holds the bits a fresh prefill would write
// there (chunked prefill and batched decode give every position the
// single-pass bits; see scheduler.h), so a restored prefix plus the prefill of
// the rest gives the same logits as prefilling everything.
//
// Matching is on the prompt ids (after image expansion) and, for image
// positions, whose ids are all the same placeholder, on the SHA-256 of the
// image features placed there: a prefix with another image is never reused.
//
// Memory: entries hold only the positions they cover (a compact copy), an
// LRU within a byte budget. Used by the scheduler thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "model/kv_cache.h"

namespace smolvlm::server {

// A run of consecutive image-token positions and the digest of their embeddings.
struct ImageRun {
  int64_t start = 0;
  int64_t length = 0;
  std::string digest;
};

// What the tokens at the positions of a sequence are.
struct PrefixKey {
  std::vector<int32_t> ids;
  std::vector<ImageRun> image_runs;  // by start
};

// The key of a prompt: `embeddings` is [ids.size(), hidden]. image_token_id < 0: no image positions.
PrefixKey prefix_key(std::span<const int32_t> ids, std::span<const float> embeddings, int64_t hidden,
                     int64_t image_token_id);

struct PrefixCacheStats {
  uint64_t hits = 0;
  uint64_t reused_tokens = 0;  // positions restored instead of prefilled
  size_t bytes = 0;
  size_t entries = 0;
};

class PrefixCache {
 public:
  // Prefixes shorter than min_tokens are not worth a lookup's copy.
  explicit PrefixCache(size_t budget_bytes, int64_t min_tokens = 16);

  // Copies the longest cached prefix of `key`, at most max_positions long,
  // into `into` (which must be empty) and returns its length; 0 when none.
  int64_t restore(const PrefixKey& key, int64_t max_positions, KvCache& into);

  // Keeps the first cache.size() positions of a finished sequence whose
  // tokens are `key` (key.ids may run past them: the last generated token is
  // never fed). Entries that are prefixes of it are dropped.
  void store(PrefixKey key, const KvCache& cache);

  const PrefixCacheStats& stats() const { return stats_; }

 private:
  struct Entry {
    PrefixKey key;  // key.ids.size() == cache->size()
    std::unique_ptr<KvCache> cache;
  };
  void evict_until(size_t free_bytes);

  size_t budget_bytes_;
  int64_t min_tokens_;
  std::list<Entry> entries_;  // most recently used first
  PrefixCacheStats stats_;
};

// The first n positions of `from` appended to `to` (empty, same geometry).
void copy_positions(const KvCache& from, int64_t n, KvCache& to);

}  // namespace smolvlm::server
