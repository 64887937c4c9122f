// Shared pieces of the decoder tests: a loaded fixture model, golden readers,
// and the greedy loop that the parity and cache tests drive.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "io/model_config.h"
#include "io/safetensors.h"
#include "model/kv_cache.h"
#include "model/text_decoder.h"

namespace smolvlm::testing {

// A checkpoint folder opened the way the engine opens it. The store is
// declared first: the decoder reads its mapped tensors.
struct LoadedModel {
  explicit LoadedModel(const std::string& dir)
      : store(TensorStore::open_dir(dir)), config(load_model_config(dir)), decoder(store, config) {}
  TensorStore store;
  ModelConfig config;
  TextDecoder decoder;
};

inline std::vector<int32_t> read_i32(const TensorView& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.numel()));
  std::memcpy(v.data(), t.data, v.size() * sizeof(int32_t));
  return v;
}

inline float max_abs_diff(std::span<const float> a, std::span<const float> b) {
  float worst = 0.0f;
  for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

// Greedy pick: the largest logit, the lowest id among equals (torch.argmax).
inline int32_t argmax(std::span<const float> logits) {
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

// Logits of the prompt's last position, starting from an empty cache.
inline std::vector<float> prefill(const TextDecoder& d, std::span<const int32_t> ids, KvCache& cache) {
  const int64_t N = static_cast<int64_t>(ids.size()), H = d.config().hidden_size;
  std::vector<float> emb(N * H), logits(d.config().vocab_size);
  d.embed(ids, emb);
  d.forward(emb, N, cache, logits, false);
  return logits;
}

struct GreedyRun {
  std::vector<int32_t> ids;                // generated ids
  std::vector<std::vector<float>> logits;  // the logits each id was picked from
};

// Prefill, then up to max_new argmax steps through the KV cache; stops after
// emitting any of stop_ids (generation_config eos), like generate().
inline GreedyRun greedy(const TextDecoder& d, std::span<const int32_t> prompt, int64_t max_new,
                        const std::vector<int32_t>& stop_ids) {
  const int64_t H = d.config().hidden_size;
  KvCache cache(d.config(), static_cast<int64_t>(prompt.size()) + max_new);
  GreedyRun run;
  std::vector<float> logits = prefill(d, prompt, cache), emb(H);
  for (int64_t step = 0; step < max_new; ++step) {
    if (step > 0) {
      d.embed(std::span(&run.ids.back(), 1), emb);
      d.forward(emb, 1, cache, logits, false);
    }
    run.logits.push_back(logits);
    run.ids.push_back(argmax(logits));
    if (std::find(stop_ids.begin(), stop_ids.end(), run.ids.back()) != stop_ids.end()) break;
  }
  return run;
}

}  // namespace smolvlm::testing
