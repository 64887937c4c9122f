// Fast mode (BF16 products) against exact mode on the fixture models, judged
// as the fixtures README asks: top-1 agreement and KL divergence of the text
// logits, and the relative error of the image features, not the goldens.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>

#include "core/json_file.h"
#include "kernels/isa.h"
#include "model/vision_encoder.h"
#include "model_test_util.h"

namespace smolvlm::testing {
namespace {

using kernels::ComputeMode;

// KL(p || q) of the softmaxes of two logit rows, in double.
double kl_divergence(std::span<const float> p_logits, std::span<const float> q_logits) {
  auto log_softmax = [](std::span<const float> z) {
    const double max = *std::max_element(z.begin(), z.end());
    double sum = 0.0;
    for (float v : z) sum += std::exp(v - max);
    std::vector<double> out(z.size());
    for (size_t i = 0; i < z.size(); ++i) out[i] = z[i] - max - std::log(sum);
    return out;
  };
  const std::vector<double> lp = log_softmax(p_logits), lq = log_softmax(q_logits);
  double kl = 0.0;
  for (size_t i = 0; i < lp.size(); ++i) kl += std::exp(lp[i]) * (lp[i] - lq[i]);
  return kl;
}

class FastMode : public ::testing::TestWithParam<std::string> {};

TEST_P(FastMode, TextLogitsAgreeWithExact) {
  const std::string dir = fixtures_dir() + "/models/" + GetParam();
  const LoadedModel m(dir);
  const TextDecoder fast(m.store, m.config, ComputeMode::Fast);
  const Json golden = read_json_file(fixtures_dir() + "/cases/tiny-smolvlm-256m/text_long_300/golden.json");
  auto ids = golden.at("input_ids").get<std::vector<int32_t>>();
  for (int32_t& id : ids) id %= static_cast<int32_t>(m.config.text.vocab_size);
  const int64_t T = static_cast<int64_t>(ids.size()), H = m.config.text.hidden_size, V = m.config.text.vocab_size;
  std::vector<float> emb(T * H), exact_logits(T * V), fast_logits(T * V);
  m.decoder.embed(ids, emb);
  KvCache a(m.config.text, T), b(m.config.text, T);
  m.decoder.forward(emb, T, a, exact_logits, true);
  fast.forward(emb, T, b, fast_logits, true);
  double kl_sum = 0.0, kl_max = 0.0;
  int64_t agree = 0;
  for (int64_t t = 0; t < T; ++t) {
    const auto e = std::span(exact_logits).subspan(t * V, V), f = std::span(fast_logits).subspan(t * V, V);
    const double kl = kl_divergence(e, f);
    kl_sum += kl;
    kl_max = std::max(kl_max, kl);
    agree += argmax(e) == argmax(f);
  }
  const double agreement = static_cast<double>(agree) / T;
  std::cout << "[fast] " << GetParam() << ": top-1 agreement " << agreement << ", KL mean " << kl_sum / T << " max "
            << kl_max << " over " << T << " positions\n";
  EXPECT_GE(agreement, 0.95);
  EXPECT_LT(kl_sum / T, 1e-3);
}

TEST_P(FastMode, ImageFeaturesStayCloseToExact) {
  const std::string dir = fixtures_dir() + "/models/" + GetParam();
  const TensorStore weights = TensorStore::open_dir(dir);
  const ModelConfig config = load_model_config(dir);
  const VisionEncoder exact(weights, config), fast(weights, config, ComputeMode::Fast);
  const int64_t S = exact.tile_size(), OUT = exact.tokens_per_tile() * exact.output_dim();
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> pixel(-1.0f, 1.0f);
  std::vector<float> pixels(3 * S * S), want(OUT), got(OUT);
  for (float& p : pixels) p = pixel(rng);
  exact.encode(pixels, 1, want);
  fast.encode(pixels, 1, got);
  double err = 0.0, norm = 0.0;
  for (int64_t i = 0; i < OUT; ++i) {
    err += (got[i] - want[i]) * static_cast<double>(got[i] - want[i]);
    norm += want[i] * static_cast<double>(want[i]);
  }
  const double relative = std::sqrt(err / norm);
  std::cout << "[fast] " << GetParam() << ": image features relative L2 error " << relative << "\n";
  EXPECT_LT(relative, 2e-2);
  if (kernels::active_isa() != kernels::Isa::Avx512Bf16) EXPECT_EQ(got, want);  // no BF16 dot product: exact
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FastMode, ::testing::Values("tiny-smolvlm-256m", "tiny-smolvlm", "tiny-smolvlm2"),
                         [](const auto& info) {
                           std::string s = info.param;
                           std::replace(s.begin(), s.end(), '-', '_');
                           return s;
                         });

}  // namespace
}  // namespace smolvlm::testing
