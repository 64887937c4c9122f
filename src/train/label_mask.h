// Which tokens of a training sequence are targets (fixtures/training/README.md
// "Label masking"). Labels are unshifted: labels[t] is the target predicted
// from position t - 1; kIgnoreLabel elsewhere.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace smolvlm::train {

// A half-open range of token positions.
struct TokenSpan {
  size_t begin = 0;
  size_t end = 0;
};

// The notebook's collate_fn: labels = input_ids with the pad id and the
// <image> id masked. Everything else is a target, template text and the
// image markers (<fake_token_around_image>, <row_r_col_c>, ...) included.
std::vector<int32_t> notebook_labels(std::span<const int32_t> ids, int32_t image_token_id,
                                     std::optional<int32_t> pad_token_id);

// --assistant-only: only the tokens inside `targets` (each assistant turn's
// " " + answer and its <end_of_utterance>, assistant_spans.h) are targets.
// Throws Error for a span outside `ids`.
std::vector<int32_t> assistant_only_labels(std::span<const int32_t> ids, std::span<const TokenSpan> targets);

}  // namespace smolvlm::train
