#include "bench_run.h"

#include <algorithm>
#include <cctype>

#include "bench_model.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "cost_model.h"
#include "kernels/isa.h"
#include "model/kv_cache.h"
#include "model_timings.h"
#include "peak_rss.h"
#include "temp_dir.h"
#include "test_image.h"
#include "ttft.h"
#include "video_bench.h"

namespace smolvlm::bench {
namespace {

// The workload: a 512-token prompt, a 128-token answer, and one
// 1536x1152 picture (13 encodes on the 2.2B shape) with a 20-token question.
constexpr int64_t kPrefillTokens = 512;
constexpr int64_t kDecodeTokens = 128;
constexpr int kImageWidth = 1536, kImageHeight = 1152;
constexpr int64_t kQuestionTokens = 20;

// The decoder's stored weights dtype, lower-case as on the command line ("bf16").
std::string stored_dtype(const LoadedModel& m) {
  DType dtype = m.weights.get(m.config.text_prefix + "layers.0.self_attn.q_proj.weight").dtype;
  // The same values, laid out for the fast kernels.
  if (dtype == DType::BF16_PANELS) dtype = DType::BF16;
  if (dtype == DType::Q8_0_PANELS) dtype = DType::Q8_0;
  if (dtype == DType::Q4_0_PANELS) dtype = DType::Q4_0;
  std::string name(dtype_name(dtype));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

// Read-bandwidth probes taken just before each timed decode run. The host's
// bandwidth swings within minutes (43-77 GB/s on one day), so a bound
// measured before and after the model can be far from what a decode run had;
// each probe is within a second of its run. The probe's 1 GiB buffer is kept
// out of the model's peak RSS: the peak so far is read before each probe and
// started over after it.
struct DecodeProbes {
  static constexpr int kTries = 3;
  std::vector<double> bandwidth_gb_s;
  double peak_rss_before_mb = 0;

  void operator()() {
    peak_rss_before_mb = std::max(peak_rss_before_mb, peak_rss_mb());
    bandwidth_gb_s.push_back(measure_bandwidth_gb_s(kTries));
    reset_peak_rss();
  }
};

// Raw timings and the work behind them, until the machine's bounds are known.
struct ModelRun {
  std::optional<std::vector<double>> vision_s;
  TextTimings text;
  std::optional<TtftResult> ttft;
  std::optional<VideoBenchResult> video;
  double vision_flops = 0, prefill_flops = 0, ttft_flops = 0, video_ttft_flops = 0;
  double weight_bytes = 0, kv_bytes = 0;
  size_t kv_cache_bytes = 0;  // preallocated for the prefill and the answer
};

// The clip given, or one made for the run in `dir`.
std::string bench_clip(const BenchOptions& o, const TempDir& dir, std::string& label) {
  if (!o.video_clip.empty()) {
    label = o.video_clip;
    return o.video_clip;
  }
  const VideoClipSpec spec{1280, 720, 30, o.video_seconds};
  if (o.progress) o.progress("making a " + std::to_string(spec.seconds) + " s 1280x720 30 fps H.264 clip");
  const std::string path = dir.file("clip.mp4");
  write_bench_clip(path, spec);
  label = "1280x720, " + std::to_string(spec.fps * spec.seconds) + " frames at " + std::to_string(spec.fps) +
          " fps (synthetic H.264)";
  return path;
}

void time_video_figures(const BenchModel& bm, ModelRun& run, const BenchOptions& o) {
  LoadedModel& m = *bm.model;
  if (!m.vision || !bm.image_processor) throw Error("bench --video", "this checkpoint has no vision tower");
  const TempDir dir;
  std::string label;
  const std::string clip = bench_clip(o, dir, label);
  if (o.progress) o.progress("video: decode + preprocess, vision encode, time to first token");
  run.video = time_video(m, clip, label, *bm.image_processor, bm.video_sampling, kQuestionTokens, o.reps);
  run.video_ttft_flops = static_cast<double>(run.video->ttft.tiles) * run.vision_flops +
                         decoder_flops(m.config.text, run.video->ttft.prompt_tokens, 0);
}

// With `probes`, one before each timed decode run.
ModelRun time_model(LoadedModel& m, const BenchOptions& o, DecodeProbes* probes) {
  ModelRun run;
  const auto say = [&](const std::string& line) { if (o.progress) o.progress(line); };
  if (m.vision) {
    say("vision encode, one tile");
    run.vision_s = time_vision_tile(*m.vision, o.reps);
    run.vision_flops = vision_flops_per_tile(m.config);
  }
  say("prefill " + std::to_string(kPrefillTokens) + " tokens, then decode " + std::to_string(kDecodeTokens));
  run.text = time_text(m.decoder, kPrefillTokens, kDecodeTokens, o.reps, [&] {
    if (probes) (*probes)();
  });
  run.prefill_flops = decoder_flops(m.config.text, kPrefillTokens, 0);
  run.weight_bytes = decode_weight_bytes(m.weights, m.config);
  // Step i attends to kPrefillTokens + i + 1 positions: the mean over the answer.
  run.kv_bytes = kv_bytes_read(m.config.text, kPrefillTokens + (kDecodeTokens + 1) / 2.0,
                               kernels::kv_element_bytes(m.decoder.kv_element()));
  run.kv_cache_bytes = KvCache(m.config.text, 0, m.decoder.kv_element()).bytes_per_position() *
                       static_cast<size_t>(kPrefillTokens + kDecodeTokens);
  if (m.vision) {
    say("time to first token, " + std::to_string(kImageWidth) + "x" + std::to_string(kImageHeight) + " picture");
    const TempDir dir;
    const std::string image = dir.file("ttft.png");
    write_test_png(image, kImageWidth, kImageHeight);
    run.ttft = time_ttft(m, image, kQuestionTokens, o.reps);
    run.ttft_flops = static_cast<double>(run.ttft->tiles) * run.vision_flops +
                     decoder_flops(m.config.text, run.ttft->prompt_tokens, 0);
  }
  return run;
}

// Seconds a workload of `flops` needs at the peak, if the peak is known.
std::optional<double> seconds_at(const std::optional<double>& peak_g, double flops) {
  if (!peak_g) return std::nullopt;
  return flops / (*peak_g * 1e9);
}

// Only with --video, so the default report keeps its rows.
void add_video_figures(const VideoBenchResult& v, const ModelRun& run, const std::optional<double>& peak,
                       std::vector<Figure>& out) {
  const auto frames_per_second = [n = static_cast<double>(v.frames)](double s) { return n / s; };
  out.push_back({"video_decode_fps", "video decode + preprocess (frames/s)", map_samples(v.decode_s, frames_per_second),
                 std::nullopt, false});
  Figure encode{"video_encode_fps", "video vision encode (frames/s)", map_samples(v.encode_s, frames_per_second),
                std::nullopt, false};
  if (auto s = seconds_at(peak, run.vision_flops * static_cast<double>(v.tiles_per_frame))) encode.bound = 1.0 / *s;
  out.push_back(encode);
  out.push_back({"video_ttft_s", "TTFT video + " + std::to_string(kQuestionTokens) + "-token question (s)",
                 summarize(v.ttft.seconds), seconds_at(peak, run.video_ttft_flops), true});
}

std::vector<Figure> figures(const ModelRun& run, const MachineBounds& machine) {
  const std::optional<double> peak = machine.bf16_peak_gflops;
  std::vector<Figure> out;
  const auto per_second = [](double count) { return [count](double s) { return count / s; }; };
  Figure vision{"vision_ms_per_tile", "vision encode (ms/tile)", std::nullopt, std::nullopt, true};
  if (run.vision_s) {
    vision.value = map_samples(*run.vision_s, [](double s) { return s * 1e3; });
    if (auto s = seconds_at(peak, run.vision_flops)) vision.bound = *s * 1e3;
  }
  out.push_back(vision);

  Figure prefill{"prefill_tok_s", "prefill " + std::to_string(kPrefillTokens) + " tokens (tok/s)",
                 map_samples(run.text.prefill_s, per_second(kPrefillTokens)), std::nullopt, false};
  if (auto s = seconds_at(peak, run.prefill_flops)) prefill.bound = kPrefillTokens / *s;
  out.push_back(prefill);

  out.push_back({"decode_tok_s", "decode " + std::to_string(kDecodeTokens) + " tokens (tok/s)",
                 map_samples(run.text.decode_s, per_second(kDecodeTokens)),
                 machine.bandwidth_gb_s * 1e9 / (run.weight_bytes + run.kv_bytes), false});

  Figure ttft{"ttft_s",
              "TTFT " + std::to_string(kImageWidth) + "x" + std::to_string(kImageHeight) + " + " +
                  std::to_string(kQuestionTokens) + "-token question (s)",
              std::nullopt, std::nullopt, true};
  if (run.ttft) {
    ttft.value = summarize(run.ttft->seconds);
    ttft.bound = seconds_at(peak, run.ttft_flops);
  }
  out.push_back(ttft);
  if (run.video) add_video_figures(*run.video, run, peak, out);
  return out;
}

// Each decode run's tok/s over the bound of the probe taken just before it.
Summary decode_fractions(const ModelRun& run, const std::vector<double>& probe_gb_s, double bytes_per_token) {
  std::vector<double> fractions;
  for (size_t i = 0; i < run.text.decode_s.size() && i < probe_gb_s.size(); ++i)
    fractions.push_back((kDecodeTokens / run.text.decode_s[i]) / (probe_gb_s[i] * 1e9 / bytes_per_token));
  return summarize(std::move(fractions));
}

Json workload(const ModelRun& run) {
  Json w = {{"prefill_tokens", kPrefillTokens},
            {"prefill_flops_per_token", run.prefill_flops / kPrefillTokens},
            {"decode_tokens", kDecodeTokens},
            {"decode_after_prompt_tokens", kPrefillTokens},
            {"decode_weight_bytes", run.weight_bytes},
            {"decode_kv_bytes_per_token", run.kv_bytes}};
  if (run.vision_s) w["vision_flops_per_tile"] = run.vision_flops;
  if (run.ttft) {
    w["ttft_image"] = std::to_string(kImageWidth) + "x" + std::to_string(kImageHeight);
    w["ttft_image_encodes"] = run.ttft->tiles;
    w["ttft_question_tokens"] = run.ttft->question_tokens;
    w["ttft_prompt_tokens"] = run.ttft->prompt_tokens;
    w["ttft_flops"] = run.ttft_flops;
  }
  if (run.video) {
    w["video_clip"] = run.video->clip;
    w["video_frames"] = run.video->frames;
    w["video_tiles_per_frame"] = run.video->tiles_per_frame;
    w["video_ttft_prompt_tokens"] = run.video->ttft.prompt_tokens;
    w["video_ttft_flops"] = run.video_ttft_flops;
  }
  return w;
}

}  // namespace

std::optional<kernels::ComputeMode> compute_mode_for(const std::string& dtype) {
  if (dtype == "bf16") return kernels::ComputeMode::Fast;
  if (dtype == "f32") return kernels::ComputeMode::Exact;
  if (dtype == "q8_0" || dtype == "q4_0" || dtype == "q4_k") return kernels::ComputeMode::Fast;
  return std::nullopt;
}

WeightDtypes quantized_weights_for(const std::string& dtype) {
  if (dtype == "q8_0") return whole_model_dtypes(DType::Q8_0);
  if (dtype == "q4_0") return whole_model_dtypes(DType::Q4_0);
  if (dtype == "q4_k") return whole_model_dtypes(DType::Q4_K);
  return WeightDtypes{};
}

BenchReport run_bench(const BenchOptions& o) {
  const auto say = [&](const std::string& line) { if (o.progress) o.progress(line); };
  BenchReport r;
  say(o.like.empty() ? "loading " + o.model_dir : "making random " + o.like + " weights in memory");
  const std::optional<kernels::ComputeMode> mode = compute_mode_for(o.dtype);
  if (!mode) throw Error("bench: dtype " + o.dtype, "is not available yet");
  BenchModel bench_model =
      o.like.empty() ? open_bench_model(o.model_dir, *mode, quantized_weights_for(o.dtype))
                     : make_bench_model(o.like, o.seed, *mode, quantized_weights_for(o.dtype));
  r.model = bench_model.name;
  r.weights = bench_model.weights;
  r.weights_dtype = stored_dtype(*bench_model.model);
  r.dtype = o.dtype;
  const std::optional<KvElement> kv =
      kv_element_from_name(o.kv_dtype.empty() ? (*mode == kernels::ComputeMode::Fast ? "bf16" : "f32") : o.kv_dtype);
  if (!kv) throw Error("bench: kv dtype " + o.kv_dtype, "is not f32, bf16 or f16");
  bench_model.model->decoder.set_kv_element(*kv);
  r.kv_dtype = kv_element_name(*kv);
  r.compute = *mode == kernels::ComputeMode::Fast ? "fast" : "exact";
  r.isa = kernels::isa_name(kernels::active_isa());
  r.threads = shared_pool().size();
  r.reps = o.reps;

  // The bounds are measured before and after the model, the best of both
  // kept. The first try needs the peak RSS reset after its 1 GiB buffer, so
  // the peak reported is the model's alone; without a reset only the second runs.
  // Without a reset, neither do the decode probes.
  std::optional<MachineBounds> before;
  std::optional<DecodeProbes> probes;
  if (reset_peak_rss()) {
    say("machine bounds, first try: read bandwidth, BF16 and INT8 peaks");
    before = measure_machine_bounds();
    reset_peak_rss();
    probes.emplace();
  }
  ModelRun run = time_model(*bench_model.model, o, probes ? &*probes : nullptr);
  if (o.video) time_video_figures(bench_model, run, o);
  r.peak_rss_mb = std::max(peak_rss_mb(), probes ? probes->peak_rss_before_mb : 0.0);
  bench_model.model.reset();

  say("machine bounds" + std::string(before ? ", second try" : "") + ": read bandwidth, BF16 and INT8 peaks");
  const MachineBounds after = measure_machine_bounds();
  r.machine = before ? best_of(*before, after) : after;
  r.decode_bytes_per_token = run.weight_bytes + run.kv_bytes;
  if (probes && !probes->bandwidth_gb_s.empty()) {
    // The probes are measurements of the same bound: the best of all is the run's.
    for (double gb_s : probes->bandwidth_gb_s) r.machine.bandwidth_gb_s = std::max(r.machine.bandwidth_gb_s, gb_s);
    r.decode_probe_bandwidth_gb_s = probes->bandwidth_gb_s;
    r.decode_fraction_of_probe = decode_fractions(run, probes->bandwidth_gb_s, r.decode_bytes_per_token);
  }
  r.figures = figures(run, r.machine);
  r.kv_cache_bytes = run.kv_cache_bytes;
  r.workload = workload(run);
  if (run.ttft) {
    r.ttft_images_s = summarize(run.ttft->images_s).median;
    r.ttft_prefill_s = summarize(run.ttft->prefill_s).median;
  }
  if (run.video) {
    r.video_ttft_frames_s = summarize(run.video->ttft.images_s).median;
    r.video_ttft_prefill_s = summarize(run.video->ttft.prefill_s).median;
  }
  return r;
}

}  // namespace smolvlm::bench
