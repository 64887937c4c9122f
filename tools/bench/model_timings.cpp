#include "model_timings.h"

#include <random>

namespace smolvlm::bench {
namespace {

// Fixed seeds: every run of the benchmark feeds the same inputs.
std::vector<int32_t> random_ids(int64_t n, int64_t vocab) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> id(0, static_cast<int32_t>(vocab - 1));
  std::vector<int32_t> ids(static_cast<size_t>(n));
  for (int32_t& v : ids) v = id(rng);
  return ids;
}

}  // namespace

std::vector<double> time_vision_tile(const VisionEncoder& vision, const Repetitions& r) {
  const int64_t S = vision.tile_size();
  // Normalised pixels lie in [-1, 1]; noise exercises the same arithmetic as a photo.
  std::mt19937 rng(5678);
  std::uniform_real_distribution<float> pixel(-1.0f, 1.0f);
  std::vector<float> pixels(static_cast<size_t>(3 * S * S));
  for (float& p : pixels) p = pixel(rng);
  std::vector<float> out(static_cast<size_t>(vision.tokens_per_tile() * vision.output_dim()));
  return repeat(r, [&] { vision.encode(pixels, 1, out); });
}

TextTimings time_text(const TextDecoder& decoder, int64_t prefill_tokens, int64_t decode_tokens, const Repetitions& r,
                      const std::function<void()>& before_decode) {
  const TextConfig& t = decoder.config();
  const auto hidden = static_cast<size_t>(t.hidden_size);
  const std::vector<int32_t> prompt = random_ids(prefill_tokens, t.vocab_size);
  const std::vector<int32_t> answer = random_ids(decode_tokens, t.vocab_size);
  std::vector<float> embeddings(prompt.size() * hidden), step(hidden), logits(static_cast<size_t>(t.vocab_size));
  decoder.embed(prompt, embeddings);
  KvCache cache(t, prefill_tokens + decode_tokens, decoder.kv_element());

  TextTimings out;
  out.prefill_s = repeat(r, [&] {
    cache.clear();
    decoder.forward(embeddings, prefill_tokens, cache, logits, false);
  });
  out.decode_s = repeat(r, [&] {
    cache.truncate(prefill_tokens);
    for (const int32_t id : answer) {
      decoder.embed(std::span(&id, 1), step);
      decoder.forward(step, 1, cache, logits, false);
    }
  }, before_decode);
  return out;
}

}  // namespace smolvlm::bench
