// smolvlm bench-serve: how continuous batching scales. For each stream count
// N, N identical requests (ignore EOS, fixed token budget) run through the
// server's scheduler at once, and the aggregate decode rate is reported.
#include <time.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli_args.h"
#include "commands.h"
#include "engine/loaded_model.h"
#include "engine/request_settings.h"
#include "server/scheduler.h"

namespace smolvlm::cli {
namespace {

std::vector<int64_t> stream_counts(const std::string& list) {
  std::vector<int64_t> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    try {
      out.push_back(std::stoll(item));
    } catch (const std::exception&) {
      throw UsageError("bench-serve: --streams takes numbers separated by commas, not \"" + list + "\"");
    }
    if (out.back() <= 0) throw UsageError("bench-serve: stream counts must be positive");
  }
  return out;
}

struct Run {
  double wall_seconds = 0;
  double cpu_seconds = 0;  // the whole process, all threads
  server::SchedulerStats stats;
};

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

Run run_streams(LoadedModel& model, int64_t streams, int64_t tokens, const Conversation& prompt) {
  GenerationOptions options;
  options.max_new_tokens = tokens;
  options.ignore_eos = true;
  options.do_sample = false;
  server::SchedulerOptions so;
  so.max_batch = streams;
  so.max_waiting = streams;
  so.prefill_chunk = 512;
  so.kv_budget_bytes = size_t{64} << 30;
  so.prefix_cache_bytes = 0;  // identical prompts: decode alone is measured
  server::Scheduler scheduler(model.decoder, model.prompts.tokenizer(), so);
  std::vector<server::Job> jobs;
  for (int64_t i = 0; i < streams; ++i) {
    server::Job job;
    job.prompt = model.prompts.prepare(prompt, options);
    job.request = settle_request(options, model.generation_config, static_cast<int64_t>(job.prompt.ids.size()),
                                 model.config.text.max_position_embeddings);
    jobs.push_back(std::move(job));
  }
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = process_cpu_seconds();
  std::vector<std::shared_ptr<server::SequenceChannel>> channels;
  for (server::Job& job : jobs) channels.push_back(scheduler.submit(*scheduler.try_reserve(), std::move(job)));
  for (auto& channel : channels) {
    for (;;) {
      server::SequenceChannel::Update u = channel->wait(std::chrono::milliseconds(100));
      if (!u.result) continue;
      if (!u.result->error.empty()) throw std::runtime_error("bench-serve: " + u.result->error);
      break;
    }
  }
  Run run;
  run.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.cpu_seconds = process_cpu_seconds() - cpu_start;
  run.stats = scheduler.stats();
  return run;
}

}  // namespace

int bench_serve_main(int argc, char** argv) {
  ArgParser args("bench-serve", "--model DIR [--streams 1,4,8,16] [--tokens 64]",
                 "Measures aggregate decode throughput of the server's continuous batching: N concurrent\n"
                 "streams of --tokens tokens each (EOS ignored, greedy, short text prompt). 'decode tok/s'\n"
                 "counts batched decode steps only; 'end-to-end' is all tokens over the wall time (prefill\n"
                 "included); 'tok/CPU-s' is all tokens over the process's CPU time, which other load on\n"
                 "the machine hardly changes (with SMOLVLM_THREADS=1: the rate of one undisturbed core).\n"
                 "Each row is the fastest of --repeat runs. Try it on\n"
                 "`smolvlm make-model --like SmolVLM-256M-Instruct --out DIR`.");
  args.option("model", "DIR", "Checkpoint folder")
      .option("streams", "LIST", "Concurrent stream counts (default 1,4,8,16)")
      .option("tokens", "N", "Tokens per stream (default 64)")
      .option("repeat", "N", "Runs per stream count; the fastest is reported, as the least disturbed (default 3)");
  if (!args.parse(argc, argv, 2)) return 0;
  const std::vector<int64_t> counts = stream_counts(args.get("streams").value_or("1,4,8,16"));
  const int64_t tokens = args.get_int("tokens").value_or(64);
  const int64_t repeat = args.get_int("repeat").value_or(3);
  if (tokens <= 0 || repeat <= 0) throw UsageError("bench-serve: --tokens and --repeat must be positive");
  LoadedModel model(args.require("model"));
  const Conversation prompt = {{"user", {Content::text_item("Write a long story about a lighthouse keeper.")}}};
  run_streams(model, 1, 4, prompt);  // warm-up: page in the weights

  std::cout << "streams  decode tok/s  speedup  end-to-end tok/s  tok/CPU-s  speedup  mean batch\n";
  double single = 0, single_cpu = 0;  // the 1-stream rates, when measured
  for (int64_t n : counts) {
    Run r;
    double decode_rate = 0;
    for (int64_t i = 0; i < repeat; ++i) {
      const Run candidate = run_streams(model, n, tokens, prompt);
      const double rate = static_cast<double>(candidate.stats.decode_rows) / candidate.stats.decode_seconds;
      if (rate > decode_rate) {
        r = candidate;
        decode_rate = rate;
      }
    }
    const double cpu_rate = static_cast<double>(n * tokens) / r.cpu_seconds;
    if (n == 1) {
      single = decode_rate;
      single_cpu = cpu_rate;
    }
    std::cout << std::setw(7) << n << std::fixed << std::setprecision(1) << std::setw(14) << decode_rate << std::setw(8)
              << (single > 0 ? decode_rate / single : 0.0) << "x" << std::setw(18)
              << static_cast<double>(n * tokens) / r.wall_seconds << std::setw(11) << cpu_rate << std::setw(8)
              << (single_cpu > 0 ? cpu_rate / single_cpu : 0.0) << "x" << std::setw(12)
              << static_cast<double>(r.stats.decode_rows) / static_cast<double>(r.stats.decode_steps) << "\n"
              << std::flush;
  }
  return 0;
}

}  // namespace smolvlm::cli
