// Whole-model timings on a checkpoint folder, exact and fast: one vision tile,
// a prefill, and decode steps. The folder is SMOLVLM_BENCH_MODEL, default
// /tmp/m256 (make one with
//   smolvlm make-model --like SmolVLM-256M-Instruct --out /tmp/m256).
// Threads: SMOLVLM_THREADS. Vision: the time is per tile; text: a tok/s counter.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "io/model_config.h"
#include "io/safetensors.h"
#include "model/kv_cache.h"
#include "model/text_decoder.h"
#include "model/vision_encoder.h"
#include "model/weight_packing.h"

namespace smolvlm {
namespace {

struct Checkpoint {
  TensorStore store;
  ModelConfig config;
  TensorStore fast_store;  // as the engine loads it for the fast mode
  const TensorStore& for_mode(kernels::ComputeMode mode) const {
    return mode == kernels::ComputeMode::Fast ? fast_store : store;
  }
};

// Loaded once for every benchmark; null (and each benchmark skips) when absent.
const Checkpoint* checkpoint() {
  static const std::unique_ptr<Checkpoint> loaded = []() -> std::unique_ptr<Checkpoint> {
    const char* env = std::getenv("SMOLVLM_BENCH_MODEL");
    const std::string dir = env ? env : "/tmp/m256";
    if (!std::filesystem::exists(dir + "/config.json")) return nullptr;
    ModelConfig config = load_model_config(dir);
    TensorStore fast = pack_store_for_fast_matmul(TensorStore::open_dir(dir), config);
    return std::make_unique<Checkpoint>(Checkpoint{TensorStore::open_dir(dir), std::move(config), std::move(fast)});
  }();
  return loaded.get();
}

std::vector<float> random_vector(size_t n, float scale) {
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

void BM_VisionTile(benchmark::State& state, kernels::ComputeMode mode) {
  const Checkpoint* c = checkpoint();
  if (!c || !c->config.vision) return state.SkipWithError("no checkpoint with a vision tower (SMOLVLM_BENCH_MODEL)");
  const VisionEncoder encoder(c->for_mode(mode), c->config, mode);
  const int64_t S = encoder.tile_size();
  const auto pixels = random_vector(3 * S * S, 0.5f);
  std::vector<float> out(encoder.tokens_per_tile() * encoder.output_dim());
  for (auto _ : state) encoder.encode(pixels, 1, out);
}

void BM_Prefill(benchmark::State& state, kernels::ComputeMode mode) {
  const Checkpoint* c = checkpoint();
  if (!c) return state.SkipWithError("no checkpoint (SMOLVLM_BENCH_MODEL)");
  const TextDecoder decoder(c->for_mode(mode), c->config, mode);
  const int64_t N = state.range(0), H = decoder.config().hidden_size;
  const auto embeddings = random_vector(N * H, 0.02f);
  std::vector<float> logits(decoder.config().vocab_size);
  KvCache cache(decoder.config(), N, decoder.kv_element());
  for (auto _ : state) {
    cache.clear();
    decoder.forward(embeddings, N, cache, logits, false);
  }
  state.counters["tok/s"] = benchmark::Counter(static_cast<double>(N), benchmark::Counter::kIsIterationInvariantRate);
}

// One token after a context of range(0) tokens (the cache is cut back each
// step), the cache stored as the engine's default for the mode (f32 exact, BF16 fast).
void BM_Decode(benchmark::State& state, kernels::ComputeMode mode) {
  const Checkpoint* c = checkpoint();
  if (!c) return state.SkipWithError("no checkpoint (SMOLVLM_BENCH_MODEL)");
  TextDecoder decoder(c->for_mode(mode), c->config, mode);
  if (mode == kernels::ComputeMode::Fast) decoder.set_kv_element(KvElement::BF16);
  const int64_t CONTEXT = state.range(0), H = decoder.config().hidden_size;
  const auto embeddings = random_vector((CONTEXT + 1) * H, 0.02f);
  std::vector<float> logits(decoder.config().vocab_size);
  KvCache cache(decoder.config(), CONTEXT + 1, decoder.kv_element());
  decoder.forward(std::span(embeddings).first(CONTEXT * H), CONTEXT, cache, logits, false);
  for (auto _ : state) {
    cache.truncate(CONTEXT);
    decoder.forward(std::span(embeddings).subspan(CONTEXT * H, H), 1, cache, logits, false);
  }
  state.counters["tok/s"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}

using kernels::ComputeMode;
BENCHMARK_CAPTURE(BM_VisionTile, exact, ComputeMode::Exact)->Iterations(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_VisionTile, fast, ComputeMode::Fast)->Iterations(3)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Prefill, exact, ComputeMode::Exact)->Arg(128)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Prefill, fast, ComputeMode::Fast)->Arg(128)->Arg(512)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, exact, ComputeMode::Exact)->Arg(128)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decode, fast, ComputeMode::Fast)->Arg(128)->Arg(640)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace smolvlm
