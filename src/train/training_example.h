// One supervised training sequence, ready for the decoder: what the SmolVLM
// fine-tuning notebook's collate_fn hands the model for one conversation
// (fixtures/training/README.md "Data / tokenization", "Label masking").
#pragma once

#include <cstdint>
#include <vector>

namespace smolvlm::train {

constexpr int32_t kIgnoreLabel = -100;  // torch CrossEntropyLoss's ignore_index

struct TrainingExample {
  std::vector<int32_t> input_ids;
  // Unshifted: labels[t] is the target predicted from position t - 1
  // (labels[0] never counts); kIgnoreLabel where masked.
  std::vector<int32_t> labels;
  // [n_image_tokens, text_hidden]: the frozen vision tower + connector output,
  // one row per <image> token in input_ids order (SPEC §5.3).
  std::vector<float> image_features;
  // [n_image_tokens, vision_hidden * scale_factor^2]: the connector's input
  // (pixel-shuffled tower output) row for row, filled only when the connector
  // trains; empty otherwise.
  std::vector<float> connector_inputs;
};

}  // namespace smolvlm::train
