// Attention at the model's shapes: the vision towers' full attention (1024
// patches x 12 heads x 64, 729 x 16 x 72) and the decoder's causal attention
// (prefill, and one decode step over a long cache; f32 and BF16 caches). Counter: GFLOP/s of the
// two products (4 * queries * keys * head_dim per head; half for causal prefill).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "kernels/attention.h"
#include "kernels/attention_full.h"
#include "core/dtype.h"

namespace smolvlm::kernels {
namespace {

std::vector<float> random_vector(int64_t n) {
  std::mt19937 rng(2);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

void BM_FullAttention(benchmark::State& state, ComputeMode mode) {
  const int64_t T = state.range(0), NH = state.range(1), D = state.range(2);
  const auto q = random_vector(T * NH * D), k = random_vector(T * NH * D), v = random_vector(T * NH * D);
  std::vector<float> out(T * NH * D);
  for (auto _ : state) {
    full_attention(q, k, v, FullAttentionShape{T, NH, D}, {}, out, mode);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(4.0 * T * T * D * NH * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// {new tokens, cached tokens}: SmolLM2-135M heads (9 query, 3 kv, dim 64).
void BM_CausalAttention(benchmark::State& state, ComputeMode mode, KvElement element) {
  const int64_t T = state.range(0), P = state.range(1), NH = 9, NKV = 3, D = 64, CAP = P + T;
  const auto q = random_vector(T * NH * D), k = random_vector(NKV * CAP * D), v = random_vector(NKV * CAP * D);
  // The engine's fast mode caches BF16 by default.
  std::vector<uint16_t> k_half(k.size()), v_half(v.size());
  for (size_t i = 0; i < k.size(); ++i) k_half[i] = f32_to_bf16(k[i]), v_half[i] = f32_to_bf16(v[i]);
  const KvSpan ks = element == KvElement::F32 ? KvSpan(k) : KvSpan(k_half, element);
  const KvSpan vs = element == KvElement::F32 ? KvSpan(v) : KvSpan(v_half, element);
  std::vector<float> out(T * NH * D);
  for (auto _ : state) {
    causal_attention(q, ks, vs, AttentionShape{T, P, NH, NKV, D, CAP}, out, mode);
    benchmark::DoNotOptimize(out.data());
  }
  const double pairs = T == 1 ? static_cast<double>(P + 1) : T * (P + (T + 1) / 2.0);
  state.counters["GFLOP/s"] = benchmark::Counter(4.0 * pairs * D * NH * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// One decode step over a BF16 cache that is in no cache level, as in a
// model's decode, where the weights streamed between two steps of a layer
// evict its keys: the steps go round enough layers' caches to fill 4x a 32
// MiB L3. {cached tokens}; counter: GB/s of keys and values read.
void BM_DecodeAttentionFromDram(benchmark::State& state) {
  const int64_t P = state.range(0), NH = 9, NKV = 3, D = 64, CAP = P + 1;
  const int64_t layer_elements = NKV * CAP * D;
  const int64_t layers = (int64_t{128} << 20) / (2 * 2 * layer_elements) + 1;
  std::vector<uint16_t> k(layers * layer_elements), v(layers * layer_elements);
  const auto values = random_vector(layer_elements);
  for (int64_t i = 0; i < layers * layer_elements; ++i) {
    k[i] = f32_to_bf16(values[i % layer_elements]);
    v[i] = f32_to_bf16(-values[i % layer_elements]);
  }
  const auto q = random_vector(NH * D);
  std::vector<float> out(NH * D);
  int64_t layer = 0;
  for (auto _ : state) {
    const auto at = [&](std::vector<uint16_t>& x) {
      return KvSpan(std::span<const uint16_t>(x).subspan(layer * layer_elements, layer_elements), KvElement::BF16);
    };
    causal_attention(q, at(k), at(v), AttentionShape{1, P, NH, NKV, D, CAP}, out, ComputeMode::Fast);
    benchmark::DoNotOptimize(out.data());
    layer = (layer + 1) % layers;
  }
  state.counters["GB/s"] =
      benchmark::Counter(2.0 * 2 * NKV * (P + 1) * D * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK_CAPTURE(BM_FullAttention, exact, ComputeMode::Exact)
    ->Args({1024, 12, 64})->Args({729, 16, 72})->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_FullAttention, fast, ComputeMode::Fast)
    ->Args({1024, 12, 64})->Args({729, 16, 72})->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CausalAttention, exact, ComputeMode::Exact, KvElement::F32)
    ->Args({512, 0})->Args({1, 1024})->Args({1, 4096})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_CausalAttention, fast, ComputeMode::Fast, KvElement::F32)
    ->Args({512, 0})->Args({1, 1024})->Args({1, 4096})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_CausalAttention, fast_bf16_cache, ComputeMode::Fast, KvElement::BF16)
    ->Args({512, 0})->Args({1, 640})->Args({1, 1024})->Args({1, 4096})->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DecodeAttentionFromDram)->Arg(640)->Arg(4096)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace smolvlm::kernels
