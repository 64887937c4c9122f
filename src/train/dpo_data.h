// DPO preference pairs in the RLAIF-V layout TRL trains on, one per JSONL line:
// {"prompt": [messages with {"type": "image"} placeholders], "chosen":
// [assistant message], "rejected": [assistant message], "images": [paths
// relative to the file's folder]}, turned into token sequences as TRL's
// DPOTrainer does (fixtures/training/README.md "DPO").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/prompt_builder.h"
#include "smolvlm.h"
#include "train/jsonl_lines.h"
#include "train/training_example.h"

namespace smolvlm::train {

struct DpoRecord {
  int64_t line = 0;       // 1-based line of the JSONL file
  Conversation prompt;    // its image items hold the "images" files, in order
  Conversation chosen;
  Conversation rejected;
};

struct DpoDataset {
  std::string path;
  std::vector<DpoRecord> records;
  std::vector<BadLine> bad_lines;  // under BadLinePolicy::Skip
};

// Bad lines: malformed JSON; a missing or malformed prompt, chosen or
// rejected; a prompt that does not end with a user turn; chosen/rejected
// without an assistant turn or with images; placeholders that do not match
// "images"; image files that are not there. Throws Error for an unreadable file.
DpoDataset read_dpo_jsonl(const std::string& path, BadLinePolicy policy);

// TRL's prompt/completion texts (trl data_utils.apply_chat_template).
struct DpoTexts {
  std::string prompt;    // template(prompt, add_generation_prompt) cut to the common prefix
  std::string chosen;    // the rest of template(prompt + chosen), e.g. " <answer><end_of_utterance>\n"
  std::string rejected;  // the rest of template(prompt + rejected)
};

// `render(conversation, add_generation_prompt)` is the checkpoint's template.
DpoTexts split_dpo_texts(const std::function<std::string(const Conversation&, bool)>& render,
                         const DpoRecord& record);

// One pair as the policy and reference see it. Both sequences are the prompt's
// ids (processor(prompt, images, add_special_tokens=False)) followed by the
// completion's (processor(completion, add_special_tokens=False)); labels are
// kIgnoreLabel on the prompt and the ids on the completion, so a DPO loss sums
// log-probs over exactly the positions t >= prompt_length with labels[t] set.
struct DpoPair {
  DpoTexts texts;
  int64_t prompt_length = 0;  // tokens of the prompt, images expanded; the same in both
  TrainingExample chosen;
  TrainingExample rejected;
};

// Throws Error for images that fail to load and prompts the template rejects.
DpoPair encode_dpo_pair(PromptBuilder& prompts, const DpoRecord& record);

struct DpoPairs {
  std::vector<DpoPair> pairs;
  std::vector<int64_t> lines;      // the data file's line of each pair
  int64_t skipped_too_long = 0;    // a sequence longer than max_length: the pair is skipped, never cut
  std::vector<BadLine> bad_lines;  // the reader's and the encoder's, under BadLinePolicy::Skip
};

// max_length <= 0: no limit.
DpoPairs build_dpo_pairs(const DpoDataset& data, PromptBuilder& prompts, int64_t max_length, BadLinePolicy policy);

}  // namespace smolvlm::train
