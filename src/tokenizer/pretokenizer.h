// Splitting text into the words BPE merges within, as HF's pre-tokenizers
// do. Only the steps SmolVLM / SmolLM2 / Idefics3 tokenizers use exist here.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace smolvlm::tok {

// HF `Digits`: numeric characters (Rust's char::is_numeric, i.e. \p{N}) become
// their own words, one each or one per run.
struct DigitsStep {
  bool individual_digits = false;
};

// HF `ByteLevel` as a pre-tokenizer: optional leading space, then GPT-2's regex.
struct ByteLevelStep {
  bool add_prefix_space = false;
  bool use_regex = true;
};

using PreTokenizerStep = std::variant<DigitsStep, ByteLevelStep>;

class PreTokenizer {
 public:
  explicit PreTokenizer(std::vector<PreTokenizerStep> steps) : steps_(std::move(steps)) {}

  // Each step re-splits every word the previous one produced. `text` must be
  // valid UTF-8. Words are raw UTF-8 (the byte-level spelling comes later).
  std::vector<std::string> split(std::string_view text) const;

 private:
  std::vector<PreTokenizerStep> steps_;
};

// The matches of GPT-2's pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// in order; together they cover `text` (valid UTF-8) exactly.
std::vector<std::string_view> split_gpt2_words(std::string_view text);

// Numeric characters isolated (each alone, or each run together); the rest
// kept in between. No empty words.
std::vector<std::string_view> split_numbers(std::string_view text, bool individual_digits);

}  // namespace smolvlm::tok
