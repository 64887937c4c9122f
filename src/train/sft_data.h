// The SFT data file: JSONL, one HF chat conversation per line,
// {"messages": [{"role", "content": [{"type": "text"|"image", ...}]}]}, with
// image paths relative to the file's folder (the SmolVLM notebook's layout:
// user turn = text + image + question, assistant turn = answer;
// fixtures/training/README.md "Layout").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "smolvlm.h"
#include "train/jsonl_lines.h"

namespace smolvlm::train {

struct SftRecord {
  int64_t line = 0;       // 1-based line of the JSONL file
  Conversation messages;  // image paths resolved against the file's folder
};

struct SftDataset {
  std::string path;
  std::vector<SftRecord> records;
  std::vector<BadLine> bad_lines;  // under BadLinePolicy::Skip
};

// Bad lines: malformed JSON, no "messages" list, malformed messages, no
// assistant turn, video items, image items naming no file or a file that is
// not there. Under Stop the first throws Error("<path>:<line>", problem).
// Images are decoded later (training_data.h), where a failure is a line
// error too. Throws Error for an unreadable file.
SftDataset read_sft_jsonl(const std::string& path, BadLinePolicy policy);

// The per-conversation checks above (everything but JSON syntax), for
// conversations made in memory. Throws Error naming the message.
void check_sft_conversation(const Conversation& conversation);

}  // namespace smolvlm::train
