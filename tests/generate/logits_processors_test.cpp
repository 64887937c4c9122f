// The transformers v4.51.3 logits processors (SPEC §8), one behaviour per test.
#include "generate/logits_processors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"

namespace smolvlm {
namespace {

std::vector<int32_t> ids_of(std::vector<Candidate> c) {
  std::vector<int32_t> ids;
  for (const Candidate& x : c) ids.push_back(x.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<Candidate> all_of(const std::vector<float>& logits) { return top_k_candidates(logits, 0); }

TEST(RepetitionPenalty, DividesPositiveMultipliesNegative) {
  std::vector<float> logits = {2.0f, -2.0f, 3.0f, -1.0f};
  const std::vector<int32_t> tokens = {0, 1};
  apply_repetition_penalty(logits, tokens, 2.0);
  EXPECT_EQ(logits[0], 1.0f);   // positive: divided
  EXPECT_EQ(logits[1], -4.0f);  // negative: multiplied, pushed further down
  EXPECT_EQ(logits[2], 3.0f);   // absent ids untouched
  EXPECT_EQ(logits[3], -1.0f);
}

TEST(RepetitionPenalty, RepeatedIdsArePenalisedOnce) {
  std::vector<float> logits = {4.0f, -4.0f, 0.0f};
  const std::vector<int32_t> tokens = {0, 0, 0, 1, 1, 2};
  apply_repetition_penalty(logits, tokens, 2.0);
  EXPECT_EQ(logits[0], 2.0f);
  EXPECT_EQ(logits[1], -8.0f);
  EXPECT_EQ(logits[2], 0.0f);  // zero is not < 0: divided, stays 0
}

TEST(RepetitionPenalty, PenaltyBelowOneRewards) {
  std::vector<float> logits = {1.0f, -1.0f};
  const std::vector<int32_t> tokens = {0, 1};
  apply_repetition_penalty(logits, tokens, 0.5);
  EXPECT_EQ(logits[0], 2.0f);
  EXPECT_EQ(logits[1], -0.5f);
}

TEST(RepetitionPenalty, Float32Arithmetic) {
  // torch: float32 score / float32(1.3), not a double division.
  std::vector<float> logits = {0.7f};
  const std::vector<int32_t> tokens = {0};
  apply_repetition_penalty(logits, tokens, 1.3);
  EXPECT_EQ(logits[0], 0.7f / 1.3f);
}

TEST(RepetitionPenalty, IdOutsideVocabularyIsAnError) {
  std::vector<float> logits = {1.0f, 2.0f};
  const std::vector<int32_t> tokens = {2};
  EXPECT_THROW(apply_repetition_penalty(logits, tokens, 1.2), Error);
}

TEST(Temperature, DividesInFloat32) {
  std::vector<float> logits = {1.0f, -3.0f, 0.3f};
  apply_temperature(logits, 0.7);
  EXPECT_EQ(logits[0], 1.0f / 0.7f);
  EXPECT_EQ(logits[1], -3.0f / 0.7f);
  EXPECT_EQ(logits[2], 0.3f / 0.7f);
}

TEST(Argmax, TiesGoToLowestIndex) {
  EXPECT_EQ(argmax(std::vector<float>{1.0f, 3.0f, 3.0f, 2.0f}), 1);
  EXPECT_EQ(argmax(std::vector<float>{5.0f, 5.0f}), 0);
  EXPECT_EQ(argmax(std::vector<float>{-1.0f, -0.5f, -2.0f}), 1);
}

TEST(TopK, KeepsKLargest) {
  const std::vector<float> logits = {0.1f, 5.0f, 3.0f, -1.0f, 4.0f};
  EXPECT_EQ(ids_of(top_k_candidates(logits, 2)), (std::vector<int32_t>{1, 4}));
  EXPECT_EQ(ids_of(top_k_candidates(logits, 1)), (std::vector<int32_t>{1}));
}

TEST(TopK, TiesAtTheKthValueAreKept) {
  const std::vector<float> logits = {1.0f, 3.0f, 2.0f, 2.0f, 2.0f, 0.0f};
  // k = 2: the 2nd largest is 2.0, and every 2.0 survives (scores < kth removed).
  EXPECT_EQ(ids_of(top_k_candidates(logits, 2)), (std::vector<int32_t>{1, 2, 3, 4}));
}

TEST(TopK, ZeroOrOversizedKeepsEverythingFinite) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> logits = {1.0f, -inf, 2.0f, 0.5f};
  EXPECT_EQ(ids_of(top_k_candidates(logits, 0)), (std::vector<int32_t>{0, 2, 3}));
  EXPECT_EQ(ids_of(top_k_candidates(logits, 10)), (std::vector<int32_t>{0, 2, 3}));
  // k beyond the finite count: the k-th largest is -inf, nothing finite is removed.
  EXPECT_EQ(ids_of(top_k_candidates(logits, 4)), (std::vector<int32_t>{0, 2, 3}));
}

TEST(TopK, KeepsScores) {
  const std::vector<float> logits = {0.25f, 7.5f};
  const std::vector<Candidate> c = top_k_candidates(logits, 1);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].id, 1);
  EXPECT_EQ(c[0].score, 7.5f);
}

TEST(TopP, CumulativeExactlyAtBoundaryIsRemoved) {
  // Four equal scores: probabilities exactly 0.25, ascending cumsum 0.25, 0.5, 0.75, 1.
  const std::vector<float> logits = {0.0f, 0.0f, 0.0f, 0.0f};
  std::vector<Candidate> c = all_of(logits);
  apply_top_p(c, 0.75);  // 1 - top_p = 0.25: only the first (cumsum 0.25 <= 0.25) goes
  // Equal scores sort by ascending id (stable sort), so id 0 is the one removed.
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{1, 2, 3}));

  c = all_of(logits);
  apply_top_p(c, 0.5);  // cumsum 0.25 and 0.5 are <= 0.5
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{2, 3}));
}

TEST(TopP, RemovesLowProbabilityTail) {
  // probabilities ~ 0.665, 0.245, 0.090
  const std::vector<float> logits = {2.0f, 1.0f, 0.0f};
  std::vector<Candidate> c = all_of(logits);
  apply_top_p(c, 0.9);  // tail 0.090 <= 0.1 removed; 0.335 > 0.1 kept
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{0, 1}));
  c = all_of(logits);
  apply_top_p(c, 0.6);  // 0.335 <= 0.4 removed too
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{0}));
}

TEST(TopP, KeepsAtLeastOne) {
  const std::vector<float> logits = {1.0f, 1.0f, 1.0f};
  std::vector<Candidate> c = all_of(logits);
  apply_top_p(c, 1e-9);  // 1 - top_p rounds to 1.0f: every cumsum is <= it
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].id, 2);  // the last in ascending (score, id) order
}

TEST(TopP, OneIsANoOp) {
  std::vector<Candidate> c = all_of({3.0f, -10.0f, 0.0f});
  apply_top_p(c, 1.0);
  EXPECT_EQ(c.size(), 3u);
}

TEST(TopP, WorksOnTopKSurvivors) {
  // After top-k the removed tokens are -inf in transformers: probabilities
  // renormalise over the survivors only.
  const std::vector<float> logits = {0.0f, 0.0f, -100.0f, 0.0f, 0.0f};
  std::vector<Candidate> c = top_k_candidates(logits, 2);  // ties: ids 0,1,3,4
  EXPECT_EQ(c.size(), 4u);
  apply_top_p(c, 0.5);
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{3, 4}));
}

TEST(MinP, KeepsProbabilitiesAboveScaledMax) {
  // exp(0)=1, exp(-1)=0.368, exp(-2)=0.135, exp(-3)=0.0498 relative to the max.
  const std::vector<float> logits = {0.0f, -1.0f, -2.0f, -3.0f};
  std::vector<Candidate> c = all_of(logits);
  apply_min_p(c, 0.1);
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{0, 1, 2}));
  c = all_of(logits);
  apply_min_p(c, 0.5);
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{0}));
  c = all_of(logits);
  apply_min_p(c, 0.0);
  EXPECT_EQ(c.size(), 4u);
}

TEST(MinP, OneKeepsOnlyTheMaxima) {
  std::vector<Candidate> c = all_of({2.0f, 1.0f, 2.0f});
  apply_min_p(c, 1.0);
  EXPECT_EQ(ids_of(c), (std::vector<int32_t>{0, 2}));
}

TEST(Softmax, MatchesDefinition) {
  const std::vector<Candidate> c = {{0, 1.0f}, {1, 2.0f}, {2, 3.0f}};
  const std::vector<double> p = softmax(c);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(p[0], std::exp(1.0) / z, 1e-12);
  EXPECT_NEAR(p[1], std::exp(2.0) / z, 1e-12);
  EXPECT_NEAR(p[2], std::exp(3.0) / z, 1e-12);
  EXPECT_TRUE(softmax({}).empty());
}

}  // namespace
}  // namespace smolvlm
