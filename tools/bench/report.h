// What `smolvlm bench` prints: a table for people, or one JSON object.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json_file.h"
#include "machine_bounds.h"
#include "repeat.h"
#include "summary.h"

namespace smolvlm::bench {

// One measured figure with the machine's bound for it.
struct Figure {
  std::string key;                // JSON key, e.g. "prefill_tok_s"
  std::string label;              // table row, e.g. "prefill 512 tokens (tok/s)"
  std::optional<Summary> value;   // none: not measured (e.g. no vision tower)
  std::optional<double> bound;    // the best this machine allows, same unit; none without that peak
  bool lower_is_better = false;   // a time; otherwise a rate

  // The median as a fraction of the bound (1 = at the bound), for times and rates alike.
  std::optional<double> fraction() const;
};

struct BenchReport {
  std::string model, weights;
  std::string dtype;          // the arithmetic asked for: "bf16" or "f32"
  std::string compute;        // the ComputeMode it maps to: "fast" or "exact"
  std::string weights_dtype;  // as stored, e.g. "bf16"
  std::string isa;            // the kernels' instruction set (kernels/isa.h)
  int threads = 1;
  Repetitions reps;
  MachineBounds machine;
  std::vector<Figure> figures;
  double peak_rss_mb = 0;
  double decode_bytes_per_token = 0;
  std::string kv_dtype;       // how the KV cache stores K and V: "f32", "bf16", "f16"
  size_t kv_cache_bytes = 0;  // the decode run's cache, preallocated for its prompt and answer
  Json workload;  // the sizes behind the bounds: tokens, tiles, FLOPs, bytes
  // The TTFT median's parts: the picture (decode, preprocess, encodes) and the
  // prompt's prefill; none without a vision tower.
  std::optional<double> ttft_images_s, ttft_prefill_s;
  // The same for the video TTFT (`--video`): its frames, and the prefill.
  std::optional<double> video_ttft_frames_s, video_ttft_prefill_s;
  // The read bandwidth probed just before each timed decode run, and each
  // run's tok/s as a fraction of the bound that probe gives; empty where the
  // probes could not be kept out of the peak RSS (no reset_peak_rss()).
  std::vector<double> decode_probe_bandwidth_gb_s;
  std::optional<Summary> decode_fraction_of_probe;
};

Json report_json(const BenchReport& r);
std::string report_table(const BenchReport& r);

}  // namespace smolvlm::bench
