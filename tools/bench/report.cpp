#include "report.h"

#include <cstdio>

namespace smolvlm::bench {
namespace {

Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

Json summary_json(const Summary& s) { return {{"median", s.median}, {"min", s.min}, {"max", s.max}}; }

// Enough digits to compare runs, few enough to read.
std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v >= 100 ? "%.1f" : v >= 1 ? "%.2f" : "%.3g", v);
  return buf;
}

std::string cell(const std::optional<double>& v) { return v ? number(*v) : "-"; }

std::string padded(const std::string& s, size_t width, bool left = false) {
  if (s.size() >= width) return s;
  return left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
}

}  // namespace

std::optional<double> Figure::fraction() const {
  if (!value || !bound || value->median <= 0 || *bound <= 0) return std::nullopt;
  return lower_is_better ? *bound / value->median : value->median / *bound;
}

Json report_json(const BenchReport& r) {
  Json out = {{"model", r.model},     {"weights", r.weights}, {"weights_dtype", r.weights_dtype},
              {"dtype", r.dtype},     {"compute", r.compute}, {"isa", r.isa},
              {"threads", r.threads}, {"reps", r.reps.reps},  {"warmup", r.reps.warmup}};
  Json bound = Json::object(), fraction = Json::object();
  for (const Figure& f : r.figures) {
    out[f.key] = f.value ? summary_json(*f.value) : Json(nullptr);
    bound[f.key] = optional_number(f.bound);
    fraction[f.key] = optional_number(f.fraction());
  }
  out["peak_rss_mb"] = r.peak_rss_mb;
  out["decode_bytes_per_token"] = r.decode_bytes_per_token;
  out["kv_dtype"] = r.kv_dtype;
  out["kv_cache_bytes"] = r.kv_cache_bytes;
  out["bandwidth_gb_s"] = r.machine.bandwidth_gb_s;
  out["bf16_peak_gflops"] = optional_number(r.machine.bf16_peak_gflops);
  out["int8_peak_gops"] = optional_number(r.machine.int8_peak_gops);
  out["bound"] = bound;
  out["fraction_of_bound"] = fraction;
  out["workload"] = r.workload;
  out["ttft_split_s"] = r.ttft_images_s ? Json{{"images", *r.ttft_images_s}, {"prefill", *r.ttft_prefill_s}}
                                        : Json(nullptr);
  if (r.decode_fraction_of_probe)
    out["decode_next_to_probe"] = {{"bandwidth_gb_s", r.decode_probe_bandwidth_gb_s},
                                   {"fraction", summary_json(*r.decode_fraction_of_probe)}};
  if (r.video_ttft_frames_s)
    out["video_ttft_split_s"] = {{"frames", *r.video_ttft_frames_s}, {"prefill", *r.video_ttft_prefill_s}};
  return out;
}

std::string report_table(const BenchReport& r) {
  std::string t = "smolvlm bench: " + r.model + " (weights: " + r.weights + ", " + r.weights_dtype + ")\n";
  t += "run: dtype " + r.dtype + " (" + r.compute + " kernels, " + r.isa + "), " + std::to_string(r.threads) +
       " thread" + (r.threads == 1 ? "" : "s") + ", " + std::to_string(r.reps.reps) + " reps after " +
       std::to_string(r.reps.warmup) + " warm-up\n";
  t += "machine: read bandwidth " + number(r.machine.bandwidth_gb_s) + " GB/s, BF16 peak " +
       cell(r.machine.bf16_peak_gflops) + " GFLOP/s, INT8 peak " + cell(r.machine.int8_peak_gops) + " GOP/s\n\n";
  constexpr size_t kLabel = 40, kCol = 11;
  t += padded("", kLabel, true);
  for (const char* h : {"median", "min", "max", "bound", "of bound"}) t += padded(h, kCol);
  t += "\n";
  for (const Figure& f : r.figures) {
    t += padded(f.label, kLabel, true);
    if (!f.value) {
      t += padded("not measured", kCol * 2) + "\n";
      continue;
    }
    for (double v : {f.value->median, f.value->min, f.value->max}) t += padded(number(v), kCol);
    t += padded(cell(f.bound), kCol);
    const std::optional<double> fr = f.fraction();
    t += padded(fr ? number(100 * *fr) + "%" : "-", kCol) + "\n";
  }
  for (const Figure& f : r.figures)
    if (f.fraction() > 1.0) {
      // The bandwidth bound is main memory's; a small model's weights stay in cache.
      t += "\n(above 100%: the data fit in the CPU caches, or other load slowed the bounds' measurement)";
      break;
    }
  if (r.decode_fraction_of_probe) {
    t += "\ndecode against the read bandwidth probed just before each run (";
    for (size_t i = 0; i < r.decode_probe_bandwidth_gb_s.size(); ++i)
      t += (i ? ", " : "") + number(r.decode_probe_bandwidth_gb_s[i]);
    t += " GB/s): median " + number(100 * r.decode_fraction_of_probe->median) + "%, min " +
         number(100 * r.decode_fraction_of_probe->min) + "%, max " + number(100 * r.decode_fraction_of_probe->max) +
         "%";
  }
  if (r.ttft_images_s)
    t += "\nTTFT medians: picture (decode, preprocess, encodes) " + number(*r.ttft_images_s) + " s, prefill " +
         number(*r.ttft_prefill_s) + " s";
  if (r.video_ttft_frames_s)
    t += "\nvideo TTFT medians: frames (decode, preprocess, encodes) " + number(*r.video_ttft_frames_s) +
         " s, prefill " + number(*r.video_ttft_prefill_s) + " s";
  t += "\npeak RSS " + number(r.peak_rss_mb) + " MiB; a decode step reads " +
       number(r.decode_bytes_per_token / 1e6) + " MB (weights at their stored dtype + KV cache); KV cache " +
       r.kv_dtype + ", " + number(static_cast<double>(r.kv_cache_bytes) / 1e6) + " MB\n";
  return t;
}

}  // namespace smolvlm::bench
