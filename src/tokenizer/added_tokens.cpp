#include "tokenizer/added_tokens.h"

#include <algorithm>

#include "tokenizer/unicode.h"

namespace smolvlm::tok {

namespace {

char32_t first_code_point(std::string_view text) { return step_utf8(text, 0).code_point; }

char32_t last_code_point(std::string_view text) {
  size_t pos = text.size() - 1;
  while (pos > 0 && (static_cast<uint8_t>(text[pos]) & 0xC0) == 0x80) --pos;
  return step_utf8(text, pos).code_point;
}

// Offset where the trailing whitespace of `text` starts (HF: `\s*$`).
size_t trailing_whitespace_start(std::string_view text) {
  size_t start = text.size();
  while (start > 0) {
    size_t pos = start - 1;
    while (pos > 0 && (static_cast<uint8_t>(text[pos]) & 0xC0) == 0x80) --pos;
    if (!is_whitespace(step_utf8(text, pos).code_point)) break;
    start = pos;
  }
  return start;
}

// Length of the leading whitespace of `text` (HF: `^\s*`).
size_t leading_whitespace_length(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const Utf8Step step = step_utf8(text, pos);
    if (!is_whitespace(step.code_point)) break;
    pos += step.length;
  }
  return pos;
}

// True when [begin, end) shares a byte with one of the sorted, disjoint ranges.
bool overlaps(std::span<const ByteRange> ranges, size_t begin, size_t end) {
  const auto it = std::upper_bound(ranges.begin(), ranges.end(), begin,
                                   [](size_t pos, const ByteRange& r) { return pos < r.end; });
  return it != ranges.end() && it->begin < end;
}

}  // namespace

void AddedTokenMatcher::PatternSet::add(const AddedToken& token) {
  by_first_byte_[static_cast<uint8_t>(token.content.front())].push_back(token);
  ++count_;
}

void AddedTokenMatcher::PatternSet::finish() {
  for (auto& bucket : by_first_byte_) {
    std::stable_sort(bucket.begin(), bucket.end(), [](const AddedToken& a, const AddedToken& b) {
      return a.content.size() > b.content.size();
    });
  }
}

template <typename Allowed>
const AddedToken* AddedTokenMatcher::PatternSet::longest_at(std::string_view text, size_t pos,
                                                            const Allowed& allowed) const {
  const std::string_view rest = text.substr(pos);
  for (const AddedToken& token : by_first_byte_[static_cast<uint8_t>(text[pos])]) {
    if (rest.starts_with(token.content) && allowed(token.content.size())) return &token;
  }
  return nullptr;
}

AddedTokenMatcher::AddedTokenMatcher(const std::vector<AddedToken>& tokens) {
  for (const AddedToken& token : tokens) {
    if (token.content.empty()) continue;  // HF ignores empty added tokens
    (token.normalized ? normalized_ : raw_).add(token);
  }
  raw_.finish();
  normalized_.finish();
}

void AddedTokenMatcher::split_with(const PatternSet& patterns, std::string_view whole, std::string_view text,
                                   std::span<const ByteRange> literal, std::vector<TextSegment>& out) {
  if (patterns.empty()) {
    out.push_back({text, std::nullopt});
    return;
  }
  // Mirrors HF's find_matches: the search resumes at the end of the raw
  // match (a rejected single_word match is consumed too, and rstrip does not
  // move the search), and strip bounds are clamped only on the left.
  const auto base = static_cast<size_t>(text.data() - whole.data());
  size_t segment_start = 0;
  for (size_t pos = 0; pos < text.size();) {
    const auto allowed = [&](size_t length) { return !overlaps(literal, base + pos, base + pos + length); };
    const AddedToken* token = patterns.longest_at(text, pos, allowed);
    if (token == nullptr) {
      ++pos;
      continue;
    }
    size_t start = pos;
    size_t stop = pos + token->content.size();
    pos = stop;
    if (token->single_word) {
      const bool word_before = start > 0 && is_word_char(last_code_point(text.substr(0, start)));
      const bool word_after = stop < text.size() && is_word_char(first_code_point(text.substr(stop)));
      if (word_before || word_after) continue;
    }
    if (token->lstrip) {
      start = std::max(trailing_whitespace_start(text.substr(0, start)), segment_start);
    }
    if (token->rstrip) stop += leading_whitespace_length(text.substr(stop));
    if (segment_start < start) {
      out.push_back({text.substr(segment_start, start - segment_start), std::nullopt});
    }
    out.push_back({text.substr(start, stop - start), token->id});
    segment_start = stop;
  }
  if (segment_start < text.size()) out.push_back({text.substr(segment_start), std::nullopt});
}

std::vector<TextSegment> AddedTokenMatcher::split(std::string_view text, std::span<const ByteRange> literal) const {
  std::vector<TextSegment> first_pass;
  if (text.empty()) return first_pass;
  split_with(raw_, text, text, literal, first_pass);
  if (normalized_.empty()) return first_pass;
  std::vector<TextSegment> segments;
  for (const TextSegment& segment : first_pass) {
    if (segment.added_token) {
      segments.push_back(segment);
    } else {
      split_with(normalized_, text, segment.text, literal, segments);
    }
  }
  return segments;
}

}  // namespace smolvlm::tok
