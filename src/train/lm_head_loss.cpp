#include "train/lm_head_loss.h"

#include <algorithm>

#include "kernels/cross_entropy.h"
#include "kernels/matmul.h"
#include "kernels/matmul_backward.h"
#include "kernels/norms.h"
#include "kernels/norms_backward.h"
#include "train/training_example.h"

namespace smolvlm::train {
namespace {

// Rows of logits per chunk: [128, 49280] f32 is 24 MiB; fewer chunks mean
// fewer passes over a trained lm_head gradient ([V, H] f32).
constexpr int64_t kChunkRows = 128;

}  // namespace

ScoredRows scored_rows(std::span<const int32_t> labels) {
  ScoredRows s;
  for (size_t t = 1; t < labels.size(); ++t)
    if (labels[t] != kIgnoreLabel) {
      s.rows.push_back(static_cast<int64_t>(t) - 1);
      s.targets.push_back(labels[t]);
    }
  return s;
}

double lm_head_loss_forward(const TrainableWeights& w, const TextConfig& c, std::span<const float> x,
                            std::span<const int32_t> labels, LmHeadActivations& a) {
  const int64_t H = c.hidden_size, V = w.lm_head.rows;
  a.scored = scored_rows(labels);
  const int64_t S = static_cast<int64_t>(a.scored.rows.size());
  a.x.resize(S * H);
  for (int64_t s = 0; s < S; ++s) std::copy_n(x.data() + a.scored.rows[s] * H, H, a.x.data() + s * H);
  a.normed.resize(S * H);
  kernels::rms_norm(a.x, S, w.final_norm, static_cast<float>(c.rms_norm_eps), a.normed);
  a.lse.resize(S);
  a.loss.resize(S);
  std::vector<float> logits;
  for (int64_t s0 = 0; s0 < S; s0 += kChunkRows) {
    const int64_t rows = std::min(kChunkRows, S - s0);
    logits.resize(rows * V);
    kernels::matmul(std::span(a.normed).subspan(s0 * H, rows * H), rows, w.lm_head, logits, w.lm_head_forward_mode);
    kernels::cross_entropy_forward(logits, rows, V, std::span(a.scored.targets).subspan(s0, rows),
                                   std::span(a.loss).subspan(s0, rows), std::span(a.lse).subspan(s0, rows));
  }
  double total = 0.0;
  for (float l : a.loss) total += l;
  return total;
}

void lm_head_loss_backward(const TrainableWeights& w, const TextConfig& c, const LmHeadActivations& a, double scale,
                           std::span<float> dx) {
  const int64_t H = c.hidden_size, V = w.lm_head.rows, S = static_cast<int64_t>(a.scored.rows.size());
  std::vector<float> dnormed(S * H), logits;
  const std::vector<float> row_scale(kChunkRows, static_cast<float>(scale));
  for (int64_t s0 = 0; s0 < S; s0 += kChunkRows) {
    const int64_t rows = std::min(kChunkRows, S - s0);
    const auto normed = std::span(a.normed).subspan(s0 * H, rows * H);
    logits.resize(rows * V);
    kernels::matmul(normed, rows, w.lm_head, logits, w.lm_head_forward_mode);
    kernels::cross_entropy_backward(logits, rows, V, std::span(a.scored.targets).subspan(s0, rows),
                                    std::span(a.lse).subspan(s0, rows), std::span(row_scale).first(rows));
    kernels::matmul_backward_input(logits, rows, w.lm_head, std::span(dnormed).subspan(s0 * H, rows * H), false);
    if (!w.lm_head_grad.empty()) kernels::matmul_backward_weight(logits, normed, rows, V, H, w.lm_head_grad);
  }
  std::vector<float> dxs(S * H, 0.0f);
  kernels::rms_norm_backward(a.x, S, w.final_norm, static_cast<float>(c.rms_norm_eps), dnormed, dxs,
                             w.final_norm_grad);
  std::fill(dx.begin(), dx.end(), 0.0f);
  for (int64_t s = 0; s < S; ++s) std::copy_n(dxs.data() + s * H, H, dx.data() + a.scored.rows[s] * H);
}

}  // namespace smolvlm::train
