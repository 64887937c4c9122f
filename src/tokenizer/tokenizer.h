// Byte-level BPE tokenizer read from a Hugging Face tokenizer.json; encode and
// decode reproduce HF `tokenizers` for the SmolVLM / SmolLM2 / Idefics3 files.
// Immutable after loading: copies share the tables, and every method is const
// and safe to call from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace smolvlm {
namespace tok {
struct ByteRange;
}

// A part of the text to encode. Literal text (what a user typed) never forms
// added tokens: a user's "<image>" or "<end_of_utterance>" is BPE over those
// characters, so it cannot forge the prompt's structure.
struct TextPiece {
  std::string_view text;
  bool literal = false;
};

class Tokenizer {
 public:
  // Throws smolvlm::Error naming the file for a missing/malformed file or an
  // unsupported feature (e.g. `tokenizer.json: unsupported model type "WordPiece"`).
  static Tokenizer from_file(const std::string& tokenizer_json_path);
  static Tokenizer from_dir(const std::string& model_dir);  // model_dir/tokenizer.json

  // Added tokens written in the text (e.g. "<image>") become their ids; no
  // special tokens are added around the text. Throws Error on invalid UTF-8.
  std::vector<int32_t> encode(std::string_view text) const;

  // encode() of the pieces joined, except that added tokens are matched only
  // where they overlap no literal piece. Pre-tokenization and BPE run across
  // piece boundaries as on the joined text, so when the literal pieces hold
  // no added-token text the ids equal encode() of the joined text.
  std::vector<int32_t> encode(std::span<const TextPiece> pieces) const;

  // Invalid UTF-8 in the joined bytes becomes U+FFFD, as HF does. Throws
  // Error("token id N", "out of range (vocab size V)") for an unknown id.
  std::string decode(std::span<const int32_t> ids, bool skip_special_tokens) const;

  // Raw bytes one token decodes to (no UTF-8 repair), for UTF-8-safe streaming.
  std::string token_bytes(int32_t id) const;

  std::optional<int32_t> token_to_id(std::string_view token) const;  // vocab or added token
  std::string id_to_token(int32_t id) const;                         // stored token string
  bool is_special(int32_t id) const;
  size_t vocab_size() const;  // incl. added tokens (HF get_vocab_size(true))
  // The most bytes any one token decodes to: text of N bytes is at least
  // N / max_token_bytes() tokens (how the server refuses huge prompts early).
  size_t max_token_bytes() const;

 private:
  struct Impl;
  explicit Tokenizer(std::shared_ptr<const Impl> impl);
  std::vector<int32_t> encode_with_literal(std::string_view text, std::span<const tok::ByteRange> literal) const;

  std::shared_ptr<const Impl> impl_;
};

}  // namespace smolvlm
