// smolvlm bench: the speed and memory of a model on this machine, each figure
// as a fraction of the machine's own bound measured in the same run.
#include <algorithm>
#include <iostream>

#include "bench_run.h"
#include "cli_args.h"
#include "commands.h"
#include "core/thread_pool.h"
#include "model/synthetic_checkpoint.h"
#include "train_bench.h"

namespace smolvlm::cli {
namespace {

ArgParser make_parser() {
  std::string names;
  for (const std::string& n : synthetic_checkpoint_names()) names += (names.empty() ? "" : ", ") + n;
  ArgParser p("bench",
              "(--model DIR | --like NAME) [--threads N] [--reps N] [--video | --train [--method M] [--seq N]]"
              " [--json]",
              "Times one vision tile, a 512-token prefill, 128 decode steps and the time to first token\n"
              "for a 1536x1152 picture plus a 20-token question (median, min, max over --reps), and the\n"
              "peak RSS; then this machine's read bandwidth and BF16 / INT8 peaks, with each figure as a\n"
              "fraction of its bound. A benchmark: timings on a busy machine are noisy, read the fractions.\n"
              "Each timed decode run also gets a read-bandwidth probe just before it, and its tokens/s as a\n"
              "fraction of that probe's bound (JSON decode_next_to_probe): a shared host's bandwidth moves.\n"
              "With --video, also frames/s of decode + preprocess and of vision encoding of a 60 s 1280x720\n"
              "clip's sampled frames, and the time to first token for a question about it.\n"
              "With --train, fine-tuning instead (exact f32, gradient checkpointing, AdamW): one optimizer step\n"
              "per rep on --seq tokens holding one image (features from the vision encoder, once), split into\n"
              "forward / backward / optimizer, and the backward GEMMs' GFLOP/s against the BF16 peak;\n"
              "--dtype bf16 there: the BF16 training mode (BF16 forward products, f32 gradients).\n"
              "Shapes for --like: " + names + ".");
  p.option("model", "DIR", "Checkpoint folder")
      .option("like", "NAME", "Random weights of this model's shape, made in memory (no checkpoint needed)")
      .option("seed", "N", "Seed of the --like weights (default 0)")
      .option("dtype", "TYPE", "bf16 (BF16 products, default), f32 (exact), q8_0 / q4_0 / q4_k (weights quantized at load)")
      .option("kv-dtype", "TYPE", "KV cache storage: f32, bf16 or f16 (default: f32 with --dtype f32, else bf16)")
      .option("threads", "N", "Threads for the kernels (default: SMOLVLM_THREADS, else every core)")
      .option("reps", "N", "Timed repetitions of each measurement (default 5)")
      .option("warmup", "N", "Untimed runs before them (default 1)")
      .flag("video", "Also time a video (a synthetic 1280x720 30 fps H.264 clip made in a temporary folder)")
      .option("video-clip", "FILE", "Time this clip instead (implies --video)")
      .option("video-seconds", "N", "Length of the synthetic clip (default 60)")
      .flag("json", "Print one JSON object instead of the table")
      .flag("train", "Time fine-tuning instead: one optimizer step per rep, split, tokens/s, peak RSS, backward GEMMs")
      .option("method", "NAME", "With --train: lora (default), qlora or full")
      .option("seq", "N", "With --train: tokens in the sequence (default 1024)");
  return p;
}

int64_t at_least(const ArgParser& args, const std::string& name, int64_t fallback, int64_t min) {
  const int64_t v = args.get_int(name).value_or(fallback);
  if (v < min) throw UsageError("bench: --" + name + " must be at least " + std::to_string(min));
  return v;
}

bench::BenchOptions options_from_args(const ArgParser& args) {
  if (args.has("model") == args.has("like")) throw UsageError("bench: give exactly one of --model and --like");
  bench::BenchOptions o;
  if (auto like = args.get("like")) {
    const auto names = synthetic_checkpoint_names();
    if (std::find(names.begin(), names.end(), *like) == names.end())
      throw UsageError("bench: --like " + *like + " is not a known shape");
    o.like = *like;
    o.seed = static_cast<uint64_t>(at_least(args, "seed", 0, 0));
  } else {
    if (args.has("seed")) throw UsageError("bench: --seed goes with --like");
    o.model_dir = args.require("model");
  }
  o.dtype = args.get("dtype").value_or("bf16");
  if (!bench::compute_mode_for(o.dtype))
    throw UsageError("bench: --dtype must be bf16, f32, q8_0, q4_0 or q4_k, not \"" + o.dtype + "\"");
  o.kv_dtype = args.get("kv-dtype").value_or("");
  if (!o.kv_dtype.empty() && o.kv_dtype != "f32" && o.kv_dtype != "bf16" && o.kv_dtype != "f16")
    throw UsageError("bench: --kv-dtype must be f32, bf16 or f16, not \"" + o.kv_dtype + "\"");
  o.reps = {static_cast<int>(at_least(args, "reps", 5, 1)), static_cast<int>(at_least(args, "warmup", 1, 0))};
  o.video_clip = args.get("video-clip").value_or("");
  o.video = args.has("video") || !o.video_clip.empty();
  o.video_seconds = static_cast<int>(at_least(args, "video-seconds", 60, 2));
  if (args.has("video-seconds") && !o.video_clip.empty())
    throw UsageError("bench: --video-seconds is the synthetic clip's; it does not go with --video-clip");
  return o;
}

// `--train`: bench/train_bench.h.
int train_bench_main(const ArgParser& args) {
  if (args.has("model") == args.has("like")) throw UsageError("bench: give exactly one of --model and --like");
  for (const char* other : {"video", "video-clip", "video-seconds"})
    if (args.has(other)) throw UsageError(std::string("bench: --") + other + " does not go with --train");
  bench::TrainBenchOptions o;
  o.model_dir = args.get("model").value_or("");
  o.like = args.get("like").value_or("");
  o.seed = static_cast<uint64_t>(at_least(args, "seed", 0, 0));
  o.method = args.get("method").value_or("lora");
  o.seq_tokens = at_least(args, "seq", 1024, 2);
  const std::string dtype = args.get("dtype").value_or("f32");
  if (dtype != "f32" && dtype != "bf16") throw UsageError("bench: --train takes --dtype f32 (exact, default) or bf16");
  o.bf16_forward = dtype == "bf16";
  o.reps = {static_cast<int>(at_least(args, "reps", 5, 1)), static_cast<int>(at_least(args, "warmup", 1, 0))};
  if (args.has("threads")) set_shared_pool_threads(static_cast<int>(at_least(args, "threads", 1, 1)));
  o.progress = [](const std::string& line) { std::cerr << "bench: " << line << "\n"; };
  const Json report = bench::run_train_bench(o);
  std::cout << (args.has("json") ? report.dump() + "\n" : bench::train_report_table(report));
  return 0;
}

}  // namespace

int bench_main(int argc, char** argv) {
  ArgParser args = make_parser();
  if (!args.parse(argc, argv, 2)) return 0;
  if (args.has("train")) return train_bench_main(args);
  if (args.has("method") || args.has("seq")) throw UsageError("bench: --method and --seq go with --train");
  bench::BenchOptions options = options_from_args(args);
  // Before any kernel runs: the pool must not be replaced while in use.
  if (args.has("threads")) set_shared_pool_threads(static_cast<int>(at_least(args, "threads", 1, 1)));
  options.progress = [](const std::string& line) { std::cerr << "bench: " << line << "\n"; };

  const bench::BenchReport report = bench::run_bench(options);
  if (args.has("json"))
    std::cout << bench::report_json(report).dump() << "\n";
  else
    std::cout << bench::report_table(report);
  return 0;
}

}  // namespace smolvlm::cli
