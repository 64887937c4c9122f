// Sampler: greedy, the sampling chain end to end, seeding, parameter checks.
#include "generate/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"

namespace smolvlm {
namespace {

SamplingParams sampling(uint64_t seed = 0) {
  SamplingParams p;
  p.do_sample = true;
  p.top_k = 0;
  p.seed = seed;
  return p;
}

// Draws n tokens from fresh copies of `logits` and returns the frequencies.
std::vector<double> frequencies(Sampler& s, const std::vector<float>& logits, int n) {
  std::vector<double> f(logits.size(), 0.0);
  for (int i = 0; i < n; ++i) {
    std::vector<float> l = logits;
    f[s.next(l, {})] += 1.0 / n;
  }
  return f;
}

TEST(Sampler, GreedyIsArgmaxWithLowestIndexTies) {
  Sampler s(SamplingParams{});
  std::vector<float> logits = {0.5f, 2.0f, 2.0f, 1.0f};
  EXPECT_EQ(s.next(logits, {}), 1);
}

TEST(Sampler, GreedyIgnoresSamplingKnobs) {
  SamplingParams p;
  p.temperature = 0.01;
  p.top_k = 1;
  p.top_p = 0.1;
  Sampler s(p);
  std::vector<float> logits = {0.0f, 1.0f};
  EXPECT_EQ(s.next(logits, {}), 1);
  EXPECT_EQ(logits[0], 0.0f);  // no temperature applied
}

TEST(Sampler, RepetitionPenaltyChangesTheGreedyChoice) {
  SamplingParams p;
  p.repetition_penalty = 2.0;
  Sampler s(p);
  std::vector<float> logits = {3.0f, 2.0f};
  const std::vector<int32_t> tokens = {0};  // id 0 already in the sequence
  EXPECT_EQ(s.next(logits, tokens), 1);  // 3/2 = 1.5 < 2
}

TEST(Sampler, SeededSamplingIsReproducible) {
  const std::vector<float> logits = {0.0f, 0.5f, 1.0f, 1.5f, 2.0f};
  Sampler a(sampling(42)), b(sampling(42)), c(sampling(43));
  std::vector<int32_t> ra, rb, rc;
  for (int i = 0; i < 200; ++i) {
    std::vector<float> la = logits, lb = logits, lc = logits;
    ra.push_back(a.next(la, {}));
    rb.push_back(b.next(lb, {}));
    rc.push_back(c.next(lc, {}));
  }
  EXPECT_EQ(ra, rb);
  EXPECT_NE(ra, rc);
}

TEST(Sampler, EmpiricalDistributionMatchesSoftmax) {
  const std::vector<float> logits = {1.0f, 0.0f, 2.0f, -1.0f, 0.5f};
  SamplingParams p = sampling(7);
  p.temperature = 0.8;
  Sampler s(p);
  const int n = 20000;
  const std::vector<double> f = frequencies(s, logits, n);
  double z = 0.0;
  for (float l : logits) z += std::exp(l / 0.8);
  for (size_t i = 0; i < logits.size(); ++i) {
    const double expected = std::exp(logits[i] / 0.8) / z;
    // 5 standard deviations of a binomial proportion.
    EXPECT_NEAR(f[i], expected, 5.0 * std::sqrt(expected * (1 - expected) / n)) << "token " << i;
  }
}

TEST(Sampler, FiltersApplyBeforeTheDraw) {
  // top-k 2 leaves ids 2 and 0 (scores 2 and 1); they share the mass 1 : e^-1.
  const std::vector<float> logits = {1.0f, 0.0f, 2.0f, -1.0f};
  SamplingParams p = sampling(3);
  p.top_k = 2;
  Sampler s(p);
  const int n = 20000;
  const std::vector<double> f = frequencies(s, logits, n);
  EXPECT_EQ(f[1], 0.0);
  EXPECT_EQ(f[3], 0.0);
  const double expected = 1.0 / (1.0 + std::exp(-1.0));
  EXPECT_NEAR(f[2], expected, 5.0 * std::sqrt(expected * (1 - expected) / n));
}

TEST(Sampler, DefaultTopKOf50AppliesWhenSampling) {
  std::vector<float> logits(100, 0.0f);
  for (int i = 0; i < 50; ++i) logits[i] = 10.0f;  // the 50 best are ids 0..49
  SamplingParams p;
  p.do_sample = true;
  Sampler s(p);
  for (int i = 0; i < 2000; ++i) {
    std::vector<float> l = logits;
    EXPECT_LT(s.next(l, {}), 50);
  }
}

TEST(Sampler, MinPLeavesOnlyTheMax) {
  const std::vector<float> logits = {0.0f, 3.0f, 1.0f};
  SamplingParams p = sampling(1);
  p.min_p = 0.9;
  Sampler s(p);
  for (int i = 0; i < 100; ++i) {
    std::vector<float> l = logits;
    EXPECT_EQ(s.next(l, {}), 1);
  }
}

TEST(Sampler, NoFiniteLogitIsAnError) {
  Sampler s(sampling());
  std::vector<float> logits(3, -std::numeric_limits<float>::infinity());
  EXPECT_THROW(s.next(logits, {}), Error);
}

TEST(Sampler, InvalidParametersAreRejected) {
  auto rejects = [](SamplingParams p) {
    try {
      Sampler s(p);
    } catch (const Error& e) {
      return e.context() == "sampling";
    }
    return false;
  };
  SamplingParams p = sampling();
  p.temperature = 0.0;
  EXPECT_TRUE(rejects(p));
  p.temperature = -1.0;
  EXPECT_TRUE(rejects(p));
  p.temperature = NAN;
  EXPECT_TRUE(rejects(p));
  p = sampling();
  p.top_p = 0.0;
  EXPECT_TRUE(rejects(p));
  p.top_p = 1.5;
  EXPECT_TRUE(rejects(p));
  p = sampling();
  p.min_p = -0.1;
  EXPECT_TRUE(rejects(p));
  p.min_p = 1.1;
  EXPECT_TRUE(rejects(p));
  p = sampling();
  p.repetition_penalty = 0.0;
  EXPECT_TRUE(rejects(p));
  p = sampling();
  p.top_k = -1;
  EXPECT_TRUE(rejects(p));

  // Temperature only matters when sampling.
  SamplingParams greedy;
  greedy.temperature = 0.0;
  EXPECT_FALSE(rejects(greedy));
  EXPECT_FALSE(rejects(sampling()));
}

}  // namespace
}  // namespace smolvlm
