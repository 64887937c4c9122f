// Next-token agreement of two runs of the engine on the fixture cases, for
// the accuracy tests of fast paths (quantized weights, half KV caches): the
// cases, their options, and top-1 agreement and KL(reference || other) of the
// last prompt position and, for text cases, of every position.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "smolvlm.h"

namespace smolvlm::testing {

struct Case {
  std::string model, dir;
  Json input;
};

inline std::vector<Case> text_and_small_image_cases() {
  std::vector<Case> cases;
  namespace fs = std::filesystem;
  for (const auto& model : fs::directory_iterator(testing::fixtures_dir() + "/cases"))
    for (const auto& c : fs::directory_iterator(model.path())) {
      Json input = read_json_file((c.path() / "input.json").string());
      const std::string kind = input.value("kind", "");
      // Image cases of a few tiles (up to ~400 prompt tokens): the split
      // photos add encode time, not other weights.
      const bool small_image = kind == "image" && read_json_file((c.path() / "golden.json").string())
                                                          .at("input_ids").size() <= 400;
      if (small_image || kind == "text_only")
        cases.push_back({model.path().filename().string(), c.path().string(), std::move(input)});
    }
  std::sort(cases.begin(), cases.end(), [](auto& a, auto& b) { return a.dir < b.dir; });
  return cases;
}

inline GenerationOptions options_for(const Case& c) {
  GenerationOptions o;
  o.image_loading = c.input.value("image_loading", "load-image") == "pil-open" ? ImageLoading::PilOpen
                                                                              : ImageLoading::LoadImage;
  const Json& kwargs = c.input.value("processor_kwargs", Json::object());
  if (kwargs.contains("do_image_splitting")) o.image_splitting = kwargs["do_image_splitting"].get<bool>();
  o.max_new_tokens = 0;
  // Every position of the text cases; image cases are mostly image tokens,
  // whose logits nobody reads, so only their next token counts.
  o.keep_all_logits = c.input.value("kind", "") == "text_only";
  return o;
}

inline double kl_divergence(const float* p_logits, const float* q_logits, int64_t n) {
  auto log_softmax = [n](const float* z) {
    const double max = *std::max_element(z, z + n);
    double sum = 0.0;
    for (int64_t i = 0; i < n; ++i) sum += std::exp(z[i] - max);
    std::vector<double> out(n);
    for (int64_t i = 0; i < n; ++i) out[i] = z[i] - max - std::log(sum);
    return out;
  };
  const std::vector<double> lp = log_softmax(p_logits), lq = log_softmax(q_logits);
  double kl = 0.0;
  for (int64_t i = 0; i < n; ++i) kl += std::exp(lp[i]) * (lp[i] - lq[i]);
  return kl;
}

inline int64_t argmax(const float* z, int64_t n) { return std::max_element(z, z + n) - z; }

struct Agreement {
  int64_t next_agree = 0, next_count = 0, all_agree = 0, all_count = 0;
  double next_kl = 0.0, all_kl = 0.0;
  void add(const GenerationResult& exact_result, const GenerationResult& quant_result, int64_t vocab) {
    const bool all = !exact_result.prompt_logits.empty();
    const std::vector<float>& exact = all ? exact_result.prompt_logits : exact_result.logits_last;
    const std::vector<float>& quant = all ? quant_result.prompt_logits : quant_result.logits_last;
    const int64_t T = static_cast<int64_t>(exact.size()) / vocab;
    for (int64_t t = 0; t < T; ++t) {
      const float* e = exact.data() + t * vocab;
      const float* q = quant.data() + t * vocab;
      const double kl = kl_divergence(e, q, vocab);
      const bool agree = argmax(e, vocab) == argmax(q, vocab);
      if (all) {
        all_kl += kl;
        all_agree += agree;
        ++all_count;
      }
      if (t == T - 1) {
        next_kl += kl;
        next_agree += agree;
        ++next_count;
      }
    }
  }
  double next_top1() const { return static_cast<double>(next_agree) / next_count; }
  double all_top1() const { return static_cast<double>(all_agree) / all_count; }
};

}  // namespace smolvlm::testing
