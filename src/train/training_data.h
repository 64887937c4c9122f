// Conversations to TrainingExamples as the SmolVLM fine-tuning notebook's
// collate_fn builds them (fixtures/training/README.md "Data / tokenization",
// "Label masking"): the checkpoint's chat template without a generation
// prompt, Python's .strip(), the processor with its default settings (image
// splitting, <image> expansion), then the labels.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/loaded_model.h"
#include "smolvlm.h"
#include "train/finetune_config.h"
#include "train/jsonl_lines.h"
#include "train/sft_data.h"
#include "train/training_example.h"

namespace smolvlm::train {

// The ids masking needs, read once from the checkpoint.
struct TrainingTokenIds {
  int32_t image = -1;                // config.json image_token_id
  std::optional<int32_t> pad;        // the tokenizer's pad_token (none: nothing masked as padding)
  int32_t end_of_utterance = -1;     // the assistant turn's end, an assistant-only target
};

struct SftEncoding {
  std::string text;                // template output after .strip(): what the processor is given
  TrainingExample example;
  std::vector<ImageLayout> images;  // per image: its tile grid and tile count
};

class SftEncoder {
 public:
  // `model` (loaded from `model_dir`) must outlive the encoder. With
  // `connector_inputs`, examples with images also carry the connector's
  // input rows (for --train-connector; the vision tower runs twice then).
  SftEncoder(LoadedModel& model, const std::string& model_dir, bool connector_inputs = false);

  // Throws Error for images that fail to load, conversations the template
  // rejects, and (assistant-only) templates whose turns it cannot walk.
  SftEncoding encode(const Conversation& conversation, LabelMasking masking);
  // encode(), or nothing when the sequence would be longer than max_length
  // (> 0); a text whose tokens alone (each "<image>" counted once) are too
  // many is refused before any image work.
  std::optional<SftEncoding> encode_within(const Conversation& conversation, LabelMasking masking,
                                           int64_t max_length);

  const TrainingTokenIds& token_ids() const { return ids_; }

 private:
  std::vector<int32_t> assistant_only(const Conversation& conversation, const std::string& rendered,
                                      const SftEncoding& encoding) const;
  void fill_connector_inputs(const PreparedPrompt& prepared, TrainingExample& example) const;

  LoadedModel& model_;
  TrainingTokenIds ids_;
  int64_t image_seq_len_ = 0;  // <image> tokens per tile (processor_config.json)
  bool connector_inputs_ = false;
};

struct SftExamples {
  std::vector<TrainingExample> examples;
  std::vector<int64_t> lines;        // the data file's line of each example
  int64_t skipped_too_long = 0;      // longer than max_length: skipped whole, never cut
  std::vector<BadLine> bad_lines;    // the reader's and the encoder's, under BadLinePolicy::Skip
};

// Every record of `data`, encoded. max_length <= 0: no limit. A record the
// encoder rejects is a bad line under `policy` (Stop throws
// Error("<file>:<line>", problem)).
SftExamples build_sft_examples(const SftDataset& data, SftEncoder& encoder, LabelMasking masking,
                               int64_t max_length, BadLinePolicy policy);

// HF tokenizer.pad_token_id: special_tokens_map.json's "pad_token", else
// tokenizer_config.json's (special_tokens_map.json wins in transformers).
std::optional<int32_t> tokenizer_pad_token_id(const std::string& model_dir, const Tokenizer& tokenizer);

}  // namespace smolvlm::train
