#include "generate/logits_processors.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "core/error.h"

namespace smolvlm {

void apply_repetition_penalty(std::span<float> logits, std::span<const int32_t> tokens, double penalty) {
  if (penalty == 1.0) return;  // transformers does not add the processor then
  // torch computes `score * penalty` / `score / penalty` in float32 with the
  // Python float rounded to float32 (true division on CPU; CUDA would multiply
  // by the reciprocal). Each distinct id is penalised once: gather reads the
  // original scores, so a repeated id must not be penalised twice.
  const float p = static_cast<float>(penalty);
  std::vector<bool> done(logits.size(), false);
  for (int32_t id : tokens) {
    if (id < 0 || static_cast<size_t>(id) >= logits.size()) {
      throw Error("sampling", "token id " + std::to_string(id) + " outside the vocabulary of " +
                                  std::to_string(logits.size()) + " logits");
    }
    if (done[id]) continue;
    done[id] = true;
    float& s = logits[id];
    s = s < 0.0f ? s * p : s / p;
  }
}

void apply_temperature(std::span<float> logits, double temperature) {
  const float t = static_cast<float>(temperature);
  for (float& s : logits) s /= t;
}

int32_t argmax(std::span<const float> logits) {
  // max_element returns the first of equal maxima: ties go to the lowest index,
  // like torch.argmax.
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

std::vector<Candidate> top_k_candidates(std::span<const float> logits, int64_t k) {
  // Removed (-inf) and NaN scores can never be drawn, so they never become
  // candidates. The k-th largest over the whole vocabulary equals the k-th
  // largest finite score whenever k <= #finite (the -inf ones sort last), and
  // keeps everything finite otherwise.
  std::vector<float> finite;
  finite.reserve(logits.size());
  for (float s : logits) {
    if (std::isfinite(s)) finite.push_back(s);
  }
  float threshold = -std::numeric_limits<float>::infinity();
  if (k > 0 && static_cast<size_t>(k) <= finite.size()) {
    auto kth = finite.begin() + (k - 1);
    std::nth_element(finite.begin(), kth, finite.end(), std::greater<float>());
    threshold = *kth;
  }
  std::vector<Candidate> out;
  out.reserve(k > 0 ? std::min(finite.size(), static_cast<size_t>(k)) : finite.size());
  for (size_t i = 0; i < logits.size(); ++i) {
    if (std::isfinite(logits[i]) && logits[i] >= threshold) out.push_back({static_cast<int32_t>(i), logits[i]});
  }
  return out;
}

std::vector<double> softmax(const std::vector<Candidate>& candidates) {
  std::vector<double> p(candidates.size());
  if (candidates.empty()) return p;
  float max = candidates[0].score;
  for (const Candidate& c : candidates) max = std::max(max, c.score);
  double sum = 0.0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    // The difference is taken in float32 as torch does; exp and sum in double.
    p[i] = std::exp(static_cast<double>(candidates[i].score - max));
    sum += p[i];
  }
  for (double& v : p) v /= sum;
  return p;
}

void apply_top_p(std::vector<Candidate>& candidates, double top_p) {
  if (top_p >= 1.0 || candidates.empty()) return;
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.score != b.score ? a.score < b.score : a.id < b.id;
  });
  const std::vector<double> p = softmax(candidates);
  // torch: float32 probabilities, cumsum accumulated in double on CPU and
  // stored as float32, compared with (1 - top_p) rounded to float32.
  const float limit = static_cast<float>(1.0 - top_p);
  double cumulative = 0.0;
  size_t removed = 0;
  while (removed + 1 < candidates.size()) {  // keep at least one (min_tokens_to_keep)
    cumulative += static_cast<float>(p[removed]);
    if (static_cast<float>(cumulative) > limit) break;
    ++removed;
  }
  candidates.erase(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(removed));
}

void apply_min_p(std::vector<Candidate>& candidates, double min_p) {
  if (candidates.empty()) return;
  const std::vector<double> p = softmax(candidates);
  float top = 0.0f;
  for (double v : p) top = std::max(top, static_cast<float>(v));
  // float32 probs < float32(min_p) * float32(max prob), as in torch.
  const float scaled = static_cast<float>(min_p) * top;
  size_t kept = 0;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!(static_cast<float>(p[i]) < scaled)) candidates[kept++] = candidates[i];
  }
  candidates.resize(kept);
}

}  // namespace smolvlm
