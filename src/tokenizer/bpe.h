// Byte-level BPE: a word's bytes start as one symbol each, then the
// lowest-ranked adjacent pair is merged until no listed pair remains. The
// merge order (rank, then leftmost) and its bookkeeping follow HF's
// `Word::merge_all`, so ties resolve the same way.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace smolvlm::tok {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Token string (byte-level spelling) -> id.
using Vocab = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

// One line of the merges list, resolved to ids; its rank is its position.
struct MergeRule {
  int32_t left;
  int32_t right;
  int32_t merged;
};

class BpeModel {
 public:
  BpeModel(Vocab vocab, const std::vector<MergeRule>& merges, bool ignore_merges);

  // Appends the ids of one pre-tokenized word given as raw bytes. Bytes whose
  // character is missing from the vocabulary are dropped, as HF does when
  // there is no unk_token.
  void encode_word(std::string_view word, std::vector<int32_t>& ids) const;

  std::optional<int32_t> token_to_id(std::string_view token) const;
  const Vocab& vocab() const { return vocab_; }

 private:
  struct MergeResult {
    int32_t rank;
    int32_t merged;
  };
  const MergeResult* find_merge(int32_t left, int32_t right) const;

  Vocab vocab_;
  std::array<int32_t, 256> byte_ids_{};  // -1 where the byte's character is not in vocab_
  std::unordered_map<uint64_t, MergeResult> merges_;
  // ignore_merges: a word that is itself a vocabulary entry is taken whole.
  bool ignore_merges_;
};

}  // namespace smolvlm::tok
