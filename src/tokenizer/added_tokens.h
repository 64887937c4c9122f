// Added tokens (special markers such as <image>, <|im_end|>) are found in
// the raw text before any pre-tokenization and never go through BPE, as in
// HF's AddedVocabulary.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace smolvlm::tok {

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool single_word = false;  // only where no word character touches it
  bool lstrip = false;       // swallows whitespace on its left
  bool rstrip = false;       // swallows whitespace on its right
  bool normalized = true;    // matched after the normalizer (none is supported, so same text)
  bool special = false;      // dropped by decode(skip_special_tokens=true)
};

// Bytes [begin, end) of the text where no added token may be matched.
struct ByteRange {
  size_t begin = 0;
  size_t end = 0;
};

struct TextSegment {
  std::string_view text;                 // for a token: the matched span (incl. stripped spaces)
  std::optional<int32_t> added_token;    // set when this segment is an added token
};

class AddedTokenMatcher {
 public:
  explicit AddedTokenMatcher(const std::vector<AddedToken>& tokens);

  // Text cut around added tokens, in order. Tokens with normalized=false are
  // found first; the text between them is then searched for the others. A
  // token whose text overlaps one of the `literal` ranges (sorted, disjoint)
  // is not matched there: those bytes stay ordinary text.
  std::vector<TextSegment> split(std::string_view text, std::span<const ByteRange> literal = {}) const;

 private:
  // Tokens bucketed by first byte, longest first, so the first hit at a
  // position is the leftmost-longest match HF's Aho-Corasick finds.
  class PatternSet {
   public:
    void add(const AddedToken& token);
    void finish();
    bool empty() const { return count_ == 0; }
    // The longest token at `pos` that `allowed(token length)` accepts.
    template <typename Allowed>
    const AddedToken* longest_at(std::string_view text, size_t pos, const Allowed& allowed) const;

   private:
    std::array<std::vector<AddedToken>, 256> by_first_byte_;
    size_t count_ = 0;
  };

  // `text` is a part of `whole`, whose byte offsets `literal` refers to.
  static void split_with(const PatternSet& patterns, std::string_view whole, std::string_view text,
                         std::span<const ByteRange> literal, std::vector<TextSegment>& out);

  PatternSet raw_;
  PatternSet normalized_;
};

}  // namespace smolvlm::tok
