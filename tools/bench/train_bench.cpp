#include "train_bench.h"

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>

#include "bench_model.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/isa.h"
#include "kernels/matmul_backward.h"
#include "machine_bounds.h"
#include "peak_rss.h"
#include "summary.h"
#include "train/adamw.h"
#include "train/grad_clip.h"
#include "train/lora_init.h"
#include "train/optimizer_params.h"
#include "train/trainable_decoder.h"

namespace smolvlm::bench {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The 1-minute load average: a benchmark's figures mean little without it.
double load_average() {
  std::ifstream in("/proc/loadavg");
  double load = -1;
  in >> load;
  return load;
}

Json summary_json(const std::vector<double>& samples) {
  const Summary s = summarize(samples);
  return {{"median", s.median}, {"min", s.min}, {"max", s.max}};
}

// One 512-px (the tower's tile size) image through the real vision encoder,
// as training computes features once per image: [tokens_per_tile, hidden],
// and the connector's inputs when the connector trains (full fine-tuning).
void encode_image(const LoadedModel& model, uint64_t seed, bool connector_trains, train::TrainingExample& e,
                  double& seconds) {
  if (!model.vision) return;
  const VisionEncoder& v = *model.vision;
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::uniform_real_distribution<float> pixel(-1.0f, 1.0f);  // normalised values
  std::vector<float> pixels(3 * v.tile_size() * v.tile_size());
  for (float& p : pixels) p = pixel(rng);
  e.image_features.resize(v.tokens_per_tile() * v.output_dim());
  const auto start = Clock::now();
  if (connector_trains) {
    e.connector_inputs.resize(v.tokens_per_tile() * v.connector_input_dim());
    v.encode_with_connector_inputs(pixels, 1, e.image_features, e.connector_inputs);
  } else {
    v.encode(pixels, 1, e.image_features);
  }
  seconds = seconds_since(start);
}

// The ids and labels of a sequence of `n` tokens: position 0 a text token, then the image's
// tokens, then random text; every text target labelled (the notebook masks
// only <image> and padding).
void add_tokens(const ModelConfig& config, int64_t n, uint64_t seed, train::TrainingExample& e) {
  const int64_t image_tokens = static_cast<int64_t>(e.image_features.size()) / config.text.hidden_size;
  if (n < image_tokens + 2)
    throw Error("bench --train", "--seq " + std::to_string(n) + " leaves no text beside the image's " +
                                     std::to_string(image_tokens) + " tokens");
  std::mt19937 rng(static_cast<uint32_t>(seed) + 1);
  std::uniform_int_distribution<int32_t> token(0, static_cast<int32_t>(config.text.vocab_size) - 1);
  e.input_ids.resize(n);
  e.labels.resize(n);
  for (int64_t t = 0; t < n; ++t) {
    int32_t id = token(rng);
    if (id == config.image_token_id) id = 0;
    if (t >= 1 && t <= image_tokens) id = static_cast<int32_t>(config.image_token_id);
    e.input_ids[t] = id;
    e.labels[t] = id == config.image_token_id ? train::kIgnoreLabel : id;
  }
}

struct StepSeconds {
  std::vector<double> forward, backward, optimizer, total;
};

// One optimizer step per repetition: forward, backward, clip + AdamW.
StepSeconds time_steps(train::TrainableDecoder& decoder, const train::TrainingExample& e, const Repetitions& reps) {
  train::AdamW adamw(train::AdamWConfig{.weight_decay = 0.01});
  const std::vector<train::ParamRef> params = train::optimizer_params(decoder.tensors());
  StepSeconds s;
  for (int i = 0; i < reps.warmup + reps.reps; ++i) {
    decoder.zero_gradients();
    const auto t0 = Clock::now();
    const train::SequencePass pass = decoder.forward(e, true);
    const auto t1 = Clock::now();
    decoder.backward(pass, 1.0 / static_cast<double>(pass.loss.n_tokens));
    const auto t2 = Clock::now();
    train::clip_grad_norm(params, 1.0);
    adamw.step(params, 1e-4);
    const auto t3 = Clock::now();
    if (i < reps.warmup) continue;
    s.forward.push_back(std::chrono::duration<double>(t1 - t0).count());
    s.backward.push_back(std::chrono::duration<double>(t2 - t1).count());
    s.optimizer.push_back(std::chrono::duration<double>(t3 - t2).count());
    s.total.push_back(std::chrono::duration<double>(t3 - t0).count());
  }
  return s;
}

struct GemmRate {
  double flops = 0, seconds = 0;
};

// The backward GEMMs of one decoder layer's seven Linears and of lm_head
// over `n` rows, as the step runs them: dx = dy·W through the weight as the
// method holds it (stored dtype frozen, f32 master copy when it trains), and
// dW += dyᵀ·x when the weights train. Timed on their own (the step's
// backward also holds attention, norms and recomputation).
GemmRate time_backward_gemms(const LoadedModel& model, bool weights_train, int64_t n) {
  const train::TrainableWeights w = train::bind_frozen_weights(model.weights, model.config);
  std::vector<kernels::WeightView> views;
  for (const train::TrainableLinear& l : w.layers.front().proj) views.push_back(l.weight);
  views.push_back(w.lm_head);
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  GemmRate rate;
  for (const kernels::WeightView& stored : views) {
    const int64_t out = stored.rows, in = stored.cols;
    std::vector<float> dy(n * out), x(n * in), dx(n * in), master, dw;
    for (float& v : dy) v = normal(rng);
    for (float& v : x) v = normal(rng);
    kernels::WeightView weight = stored;
    if (weights_train) {
      master.resize(out * in);
      for (float& v : master) v = normal(rng);
      weight = kernels::WeightView{DType::F32, out, in, master.data()};
      dw.assign(out * in, 0.0f);
    }
    const auto start = Clock::now();
    kernels::matmul_backward_input(dy, n, weight, dx, false);
    if (weights_train) kernels::matmul_backward_weight(dy, x, n, out, in, dw);
    rate.seconds += seconds_since(start);
    rate.flops += 2.0 * static_cast<double>(n * out * in) * (weights_train ? 2 : 1);
  }
  return rate;
}

WeightDtypes quantize_for(const std::string& method) {
  if (method == "lora" || method == "full") return {};
  if (method == "qlora") {
    WeightDtypes d;
    d.text = DType::Q4_0;
    return d;
  }
  throw Error("bench --train", "method must be lora, qlora or full, not \"" + method + "\"");
}

Json nullable(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

}  // namespace

Json run_train_bench(const TrainBenchOptions& o) {
  const auto say = [&](const std::string& line) { if (o.progress) o.progress(line); };
  const WeightDtypes quantize = quantize_for(o.method);
  const double load_before = load_average();
  // Bounds first, then the peak RSS restarts so it is the training's alone.
  say("machine bounds: read bandwidth, BF16 and INT8 peaks");
  const MachineBounds bounds = measure_machine_bounds();
  reset_peak_rss();

  say(o.like.empty() ? "loading " + o.model_dir : "making random " + o.like + " weights in memory");
  const kernels::ComputeMode exact = kernels::ComputeMode::Exact;  // training's arithmetic
  BenchModel bm = o.like.empty() ? open_bench_model(o.model_dir, exact, quantize)
                                 : make_bench_model(o.like, o.seed, exact, quantize);
  const LoadedModel& model = *bm.model;
  say("vision encoder: one image's features");
  const bool full = o.method == "full";
  double vision_s = 0;
  train::TrainingExample example;
  encode_image(model, o.seed, full, example, vision_s);
  add_tokens(model.config, o.seq_tokens, o.seed, example);

  train::FinetuneConfig lora_config;
  LoraAdapter adapter;
  if (!full) adapter = train::new_lora_adapter(model.config, lora_config, o.seed);
  const train::TrainOptions options{.gradient_checkpointing = true, .bf16_forward = o.bf16_forward};
  std::unique_ptr<train::TrainableDecoder> decoder =
      full ? std::make_unique<train::TrainableDecoder>(model.weights, model.config, train::FullFineTuning{}, options)
           : std::make_unique<train::TrainableDecoder>(model.weights, model.config, adapter, options);
  int64_t trainable = 0;
  for (const train::TrainableTensor& t : decoder->tensors()) trainable += static_cast<int64_t>(t.value.size());

  say(o.method + " steps on " + std::to_string(o.seq_tokens) + " tokens");
  const StepSeconds steps = time_steps(*decoder, example, o.reps);
  const double peak_rss = peak_rss_mb();
  say("backward GEMMs at the step's shapes");
  const GemmRate gemm = time_backward_gemms(model, full, o.seq_tokens);
  const double gemm_gflops = gemm.flops / gemm.seconds / 1e9;

  const double n = static_cast<double>(o.seq_tokens);
  Json j = {{"benchmark", "train"},
            {"model", bm.name},
            {"weights", bm.weights},
            {"method", o.method},
            {"arithmetic", o.bf16_forward ? "bf16 forward products, f32 backward" : "exact f32"},
            {"isa", kernels::isa_name(kernels::active_isa())},
            {"threads", shared_pool().size()},
            {"reps", o.reps.reps},
            {"warmup", o.reps.warmup},
            {"seq_tokens", o.seq_tokens},
            {"image_tokens", static_cast<int64_t>(example.image_features.size()) / model.config.text.hidden_size},
            {"gradient_checkpointing", true},
            {"trainable_params", trainable},
            {"vision_encode_s", vision_s},
            {"train_step_s", summary_json(steps.total)},
            {"forward_s", summary_json(steps.forward)},
            {"backward_s", summary_json(steps.backward)},
            {"optimizer_s", summary_json(steps.optimizer)},
            {"train_tok_s", n / summarize(steps.total).median},
            {"train_peak_rss_mb", peak_rss},
            {"backward_gemm_flops", gemm.flops},
            {"backward_gemm_gflops", gemm_gflops},
            {"bf16_peak_gflops", nullable(bounds.bf16_peak_gflops)},
            {"backward_gemm_fraction_of_bf16_peak",
             bounds.bf16_peak_gflops ? Json(gemm_gflops / *bounds.bf16_peak_gflops) : Json(nullptr)},
            {"read_bandwidth_gb_s", bounds.bandwidth_gb_s},
            {"load_average_1m", {{"before", load_before}, {"after", load_average()}}}};
  return j;
}

std::string train_report_table(const Json& j) {
  std::ostringstream t;
  t.precision(4);
  const auto summary = [&](const char* label, const char* key) {
    t << label << j[key]["median"].get<double>() << " s (min " << j[key]["min"].get<double>() << ", max "
      << j[key]["max"].get<double>() << ")\n";
  };
  t << "train bench: " << j["model"].get<std::string>() << " (" << j["weights"].get<std::string>() << "), "
    << j["method"].get<std::string>() << ", " << j["seq_tokens"].get<int64_t>() << " tokens with "
    << j["image_tokens"].get<int64_t>() << " image tokens, " << j["threads"].get<int>() << " threads, "
    << j["isa"].get<std::string>() << "\n";
  summary("  step       ", "train_step_s");
  summary("  forward    ", "forward_s");
  summary("  backward   ", "backward_s");
  summary("  optimizer  ", "optimizer_s");
  t << "  tokens/s    " << j["train_tok_s"].get<double>() << "\n";
  t << "  peak RSS    " << j["train_peak_rss_mb"].get<double>() << " MiB\n";
  t << "  backward GEMMs " << j["backward_gemm_gflops"].get<double>() << " GFLOP/s";
  if (!j["bf16_peak_gflops"].is_null())
    t << " = " << 100 * j["backward_gemm_fraction_of_bf16_peak"].get<double>() << " % of the BF16 peak ("
      << j["bf16_peak_gflops"].get<double>() << " GFLOP/s)";
  t << "\n  load average " << j["load_average_1m"]["before"].get<double>() << " -> "
    << j["load_average_1m"]["after"].get<double>() << "\n";
  return t.str();
}

}  // namespace smolvlm::bench
