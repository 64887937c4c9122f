// Softmax cross-entropy over a vocabulary, row by row, with torch's
// ignore_index: the language-model loss of training
// (fixtures/training/README.md "Loss per token": CE(logits[t-1], label[t])).
// A row's loss is lse - logit[target] with lse = log sum exp(logits); the
// backward reuses the saved lse, so the logits can be recomputed rather than
// kept.
#pragma once

#include <cstdint>
#include <span>

namespace smolvlm::kernels {

// logits [n, vocab], targets [n] (< 0: ignored). Writes loss [n] (0 where
// ignored) and lse [n]. Exponentials in f32, their sum in double.
void cross_entropy_forward(std::span<const float> logits, int64_t n, int64_t vocab, std::span<const int32_t> targets,
                           std::span<float> loss, std::span<float> lse);

// Turns logits [n, vocab] in place into the gradient of sum_t scale[t] * loss[t]:
// scale[t] * (softmax(logits[t]) - onehot(targets[t])), all zeros where the
// target is ignored. lse as cross_entropy_forward wrote it.
void cross_entropy_backward(std::span<float> logits, int64_t n, int64_t vocab, std::span<const int32_t> targets,
                            std::span<const float> lse, std::span<const float> scale);

}  // namespace smolvlm::kernels
