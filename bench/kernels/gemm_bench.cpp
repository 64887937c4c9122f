// matmul at the model's shapes: vision tower and prefill GEMMs (many rows) and
// decode GEMVs (one row), exact and fast, on the active ISA and the shared
// pool (SMOLVLM_THREADS). Counters: GFLOP/s, and weight GB/s for the GEMVs.
#include <benchmark/benchmark.h>

#include <random>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "kernels/bf16_panels.h"
#include "kernels/matmul.h"
#include "kernels/quant_formats.h"
#include "kernels/quant_panels.h"

namespace smolvlm::kernels {
namespace {

struct Problem {
  std::vector<float> x, y;
  std::vector<uint16_t> w;  // BF16 [out, in]
  WeightView view;
  std::vector<uint16_t> panels;  // the same as BF16_PANELS
  WeightView panels_view;
};

Problem make_problem(int64_t n, int64_t in, int64_t out) {
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  Problem p{std::vector<float>(n * in), std::vector<float>(n * out), std::vector<uint16_t>(out * in), {}, {}, {}};
  for (float& v : p.x) v = dist(rng);
  for (uint16_t& v : p.w) v = f32_to_bf16(0.05f * dist(rng));
  p.view = WeightView{DType::BF16, out, in, p.w.data()};
  p.panels.resize(bf16_panel_count(out) * kPanelRows * in);
  pack_bf16_panels(p.view, p.panels);
  p.panels_view = WeightView{DType::BF16_PANELS, out, in, p.panels.data()};
  return p;
}

void BM_Matmul(benchmark::State& state, ComputeMode mode, bool panels) {
  const int64_t n = state.range(0), out = state.range(1), in = state.range(2);
  Problem p = make_problem(n, in, out);
  for (auto _ : state) {
    matmul(p.x, n, panels ? p.panels_view : p.view, p.y, mode);
    benchmark::DoNotOptimize(p.y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * in * out * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["weight_GB/s"] =
      benchmark::Counter(2.0 * in * out * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// {n, out, in}: SigLIP-B q/k/v/o and fc1/fc2 (1024 patches), so400m fc1 (729
// patches), a 512-token SmolLM2-135M q_proj (9 panels for 2 threads) and down_proj, the
// connector, a 128-token SmolLM2-135M prefill projection, a 512-token
// SmolLM2-1.7B prefill's q_proj, gate/up and down.
void gemm_shapes(benchmark::internal::Benchmark* b) {
  b->Args({1024, 768, 768})->Args({1024, 3072, 768})->Args({1024, 768, 3072})->Args({729, 4304, 1152});
  b->Args({729, 1152, 1152})->Args({729, 1152, 4304});  // so400m q/k/v/o and fc2
  b->Args({512, 576, 576})->Args({512, 576, 1536})->Args({64, 576, 12288})->Args({128, 1536, 576})->Args({512, 2048, 2048})->Args({512, 8192, 2048})->Args({512, 2048, 8192});
}

// {1, out, in}: SmolLM2-135M MLP and lm_head, SmolLM2-1.7B MLP.
void gemv_shapes(benchmark::internal::Benchmark* b) {
  b->Args({1, 1536, 576})->Args({1, 576, 1536})->Args({1, 49280, 576})->Args({1, 8192, 2048})->Args({1, 2048, 8192});
}

// A prefill's case: a model's weights are read from DRAM once per layer, not
// kept in L3 as BM_Matmul's repeated matrix is. `copies` panel sets past
// 128 MiB, taken in turn, times one input. {n, out, in}.
void BM_PanelGemmFromDram(benchmark::State& state) {
  const int64_t n = state.range(0), out = state.range(1), in = state.range(2);
  const int64_t copies = (int64_t{128} << 20) / (2 * out * in) + 1;
  const Problem p = make_problem(n, in, out);
  std::vector<std::vector<uint16_t>> panels(static_cast<size_t>(copies), p.panels);
  std::vector<float> y(p.y.size());
  int64_t next = 0;
  for (auto _ : state) {
    const WeightView w{DType::BF16_PANELS, out, in, panels[static_cast<size_t>(next++ % copies)].data()};
    matmul(p.x, n, w, y, ComputeMode::Fast);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * n * in * out * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// Decode's case: one row times weights that are not in any cache (a set of
// `copies` matrices far larger than L3, taken in turn), panels.
void BM_GemvFromDram(benchmark::State& state) {
  const int64_t out = state.range(0), in = state.range(1), copies = 256LL * 1024 * 1024 / (2 * out * in);
  std::vector<Problem> set;
  for (int64_t i = 0; i < copies; ++i) set.push_back(make_problem(1, in, out));
  int64_t next = 0;
  for (auto _ : state) {
    Problem& p = set[next++ % copies];
    matmul(p.x, 1, p.panels_view, p.y, ComputeMode::Fast);
    benchmark::DoNotOptimize(p.y.data());
  }
  state.counters["weight_GB/s"] =
      benchmark::Counter(2.0 * in * out * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
// The same for block-quantized weights (Q8_0, Q4_0, Q4_K) in their GGUF rows
// or, as the fast mode loads Q8_0 and Q4_0, in panels; the third argument is
// the rows of x (several sequences decoding together).
void BM_QuantGemvFromDram(benchmark::State& state, DType dtype, bool panels) {
  const int64_t out = state.range(0), in = state.range(1), n = state.range(2);
  const int64_t row_bytes = static_cast<int64_t>(quant_row_bytes(dtype, in));
  const int64_t copies = 256LL * 1024 * 1024 / (row_bytes * out);
  std::vector<std::vector<uint8_t>> set;
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> row(in), x(n * in), y(n * out);
  for (float& v : x) v = dist(rng);
  for (int64_t i = 0; i < copies; ++i) {
    std::vector<uint8_t> w(out * row_bytes);
    for (int64_t o = 0; o < out; ++o) {
      for (float& v : row) v = 0.05f * dist(rng);
      quantize_row(dtype, row, w.data() + o * row_bytes);
    }
    if (panels) {
      std::vector<uint8_t> packed(*dtype_tensor_bytes(quant_panels_of(dtype), {out, in}));
      pack_quant_panels(WeightView{dtype, out, in, w.data()}, packed);
      w = std::move(packed);
    }
    set.push_back(std::move(w));
  }
  const DType stored = panels ? quant_panels_of(dtype) : dtype;
  int64_t next = 0;
  for (auto _ : state) {
    const WeightView w{stored, out, in, set[next++ % copies].data()};
    matmul(x, n, w, y, ComputeMode::Fast);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["weight_GB/s"] =
      benchmark::Counter(static_cast<double>(row_bytes * out) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
void gemv_shapes_from_dram(benchmark::internal::Benchmark* b) {
  for (const auto& [out, in] : {std::pair{576, 576}, {1536, 576}, {576, 1536}, {8192, 2048}}) b->Args({out, in, 1});
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}
BENCHMARK_CAPTURE(BM_QuantGemvFromDram, q8_0, DType::Q8_0, false)->Apply(gemv_shapes_from_dram);
BENCHMARK_CAPTURE(BM_QuantGemvFromDram, q4_0, DType::Q4_0, false)->Apply(gemv_shapes_from_dram);
BENCHMARK_CAPTURE(BM_QuantGemvFromDram, q8_0_panels, DType::Q8_0, true)->Apply(gemv_shapes_from_dram);
BENCHMARK_CAPTURE(BM_QuantGemvFromDram, q4_0_panels, DType::Q4_0, true)->Apply(gemv_shapes_from_dram)->Args({1536, 576, 2})->Args({1536, 576, 6});
// Q4_K rows are whole super-blocks of 256: the SmolLM2-1.7B shapes.
BENCHMARK_CAPTURE(BM_QuantGemvFromDram, q4_k, DType::Q4_K, false)->Args({8192, 2048, 1})->Args({2048, 8192, 1})->UseRealTime()->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_PanelGemmFromDram)->Args({512, 576, 576})->Args({512, 1536, 576})->Args({512, 2048, 2048})->Args({512, 8192, 2048})->Args({512, 2048, 8192})->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GemvFromDram)->Args({576, 576})->Args({192, 576})->Args({1536, 576})->Args({576, 1536})->Args({8192, 2048})->UseRealTime()->Unit(benchmark::kMicrosecond);

// fast: BF16 weights row-major (the dot-product kernel); panels: BF16_PANELS (the broadcast kernel).
BENCHMARK_CAPTURE(BM_Matmul, gemm_exact, ComputeMode::Exact, false)->Apply(gemm_shapes)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Matmul, gemm_fast, ComputeMode::Fast, false)->Apply(gemm_shapes)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Matmul, gemm_panels, ComputeMode::Fast, true)->Apply(gemm_shapes)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Matmul, gemv_exact, ComputeMode::Exact, false)->Apply(gemv_shapes)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Matmul, gemv_fast, ComputeMode::Fast, false)->Apply(gemv_shapes)->UseRealTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_Matmul, gemv_panels, ComputeMode::Fast, true)->Apply(gemv_shapes)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace smolvlm::kernels
