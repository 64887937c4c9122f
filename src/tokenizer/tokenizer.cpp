#include "tokenizer/tokenizer.h"

#include <algorithm>

#include "core/error.h"
#include "tokenizer/added_tokens.h"
#include "tokenizer/bpe.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/unicode.h"

namespace smolvlm {

namespace {

enum class IdKind : uint8_t { kUnused, kVocab, kAdded, kSpecial };

}  // namespace

struct Tokenizer::Impl {
  explicit Impl(tok::TokenizerSpec spec)
      : bpe(std::move(spec.vocab), spec.merges, spec.ignore_merges),
        added_matcher(spec.added_tokens),
        pre_tokenizer(std::move(spec.pre_tokenizer)) {
    int32_t max_id = -1;
    for (const auto& [token, id] : bpe.vocab()) max_id = std::max(max_id, id);
    for (const tok::AddedToken& token : spec.added_tokens) max_id = std::max(max_id, token.id);
    const auto table_size = static_cast<size_t>(max_id + 1);
    token_strings.resize(table_size);
    decoded_bytes.resize(table_size);
    id_kinds.assign(table_size, IdKind::kUnused);

    for (const auto& [token, id] : bpe.vocab()) {
      token_strings[id] = token;
      id_kinds[id] = IdKind::kVocab;
    }
    size_t added_outside_vocab = 0;
    for (const tok::AddedToken& token : spec.added_tokens) {
      added_outside_vocab += id_kinds[token.id] == IdKind::kUnused;
      token_strings[token.id] = token.content;
      id_kinds[token.id] = token.special ? IdKind::kSpecial : IdKind::kAdded;
      added_by_content.emplace(token.content, token.id);
    }
    for (size_t id = 0; id < table_size; ++id) {
      if (id_kinds[id] != IdKind::kUnused) decoded_bytes[id] = tok::byte_level_token_bytes(token_strings[id]);
    }
    vocab_size = bpe.vocab().size() + added_outside_vocab;
  }

  // Throws the documented Error for ids that name no token.
  void check_id(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= token_strings.size()) {
      throw Error("token id " + std::to_string(id), "out of range (vocab size " + std::to_string(vocab_size) + ")");
    }
    if (id_kinds[id] == IdKind::kUnused) {
      throw Error("token id " + std::to_string(id),
                  "no token has this id (vocab size " + std::to_string(vocab_size) + ")");
    }
  }

  tok::BpeModel bpe;
  tok::AddedTokenMatcher added_matcher;
  tok::PreTokenizer pre_tokenizer;
  tok::Vocab added_by_content;
  std::vector<std::string> token_strings;  // by id; added tokens override the vocab
  std::vector<std::string> decoded_bytes;  // by id: what the ByteLevel decoder yields
  std::vector<IdKind> id_kinds;
  size_t vocab_size = 0;
};

Tokenizer::Tokenizer(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Tokenizer Tokenizer::from_file(const std::string& tokenizer_json_path) {
  return Tokenizer(std::make_shared<const Impl>(tok::read_tokenizer_json(tokenizer_json_path)));
}

Tokenizer Tokenizer::from_dir(const std::string& model_dir) { return from_file(model_dir + "/tokenizer.json"); }

std::vector<int32_t> Tokenizer::encode(std::string_view text) const { return encode_with_literal(text, {}); }

std::vector<int32_t> Tokenizer::encode(std::span<const TextPiece> pieces) const {
  std::string text;
  std::vector<tok::ByteRange> literal;
  for (const TextPiece& piece : pieces) {
    if (piece.literal && !piece.text.empty()) literal.push_back({text.size(), text.size() + piece.text.size()});
    text += piece.text;
  }
  return encode_with_literal(text, literal);
}

std::vector<int32_t> Tokenizer::encode_with_literal(std::string_view text,
                                                    std::span<const tok::ByteRange> literal) const {
  if (const auto bad = tok::find_invalid_utf8(text)) {
    throw Error("tokenizer input", "invalid UTF-8 at byte " + std::to_string(*bad));
  }
  std::vector<int32_t> ids;
  for (const tok::TextSegment& segment : impl_->added_matcher.split(text, literal)) {
    if (segment.added_token) {
      ids.push_back(*segment.added_token);
      continue;
    }
    for (const std::string& word : impl_->pre_tokenizer.split(segment.text)) {
      impl_->bpe.encode_word(word, ids);
    }
  }
  return ids;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_special_tokens) const {
  std::string bytes;
  for (int32_t id : ids) {
    impl_->check_id(id);
    if (skip_special_tokens && impl_->id_kinds[id] == IdKind::kSpecial) continue;
    bytes += impl_->decoded_bytes[id];
  }
  return tok::utf8_lossy(bytes);
}

std::string Tokenizer::token_bytes(int32_t id) const {
  impl_->check_id(id);
  return impl_->decoded_bytes[id];
}

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
  if (const auto it = impl_->added_by_content.find(token); it != impl_->added_by_content.end()) return it->second;
  return impl_->bpe.token_to_id(token);
}

std::string Tokenizer::id_to_token(int32_t id) const {
  impl_->check_id(id);
  return impl_->token_strings[id];
}

bool Tokenizer::is_special(int32_t id) const {
  impl_->check_id(id);
  return impl_->id_kinds[id] == IdKind::kSpecial;
}

size_t Tokenizer::vocab_size() const { return impl_->vocab_size; }

size_t Tokenizer::max_token_bytes() const {
  size_t longest = 0;
  for (const std::string& bytes : impl_->decoded_bytes) longest = std::max(longest, bytes.size());
  return longest;
}

}  // namespace smolvlm
