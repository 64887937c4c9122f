#include "tokenizer/bpe.h"

#include <queue>

#include "tokenizer/byte_level.h"
#include "tokenizer/unicode.h"

namespace smolvlm::tok {

namespace {

uint64_t pair_key(int32_t left, int32_t right) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
}

struct Symbol {
  int32_t id;
  int32_t prev;  // index into the symbol list, -1 at the start
  int32_t next;  // -1 at the end
  bool removed;
};

struct Candidate {
  int32_t rank;
  int32_t pos;  // index of the left symbol
  int32_t merged;
};

// Min-heap on (rank, pos): the best-ranked pair, leftmost among equals.
struct WorseCandidate {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
  }
};

}  // namespace

BpeModel::BpeModel(Vocab vocab, const std::vector<MergeRule>& merges, bool ignore_merges)
    : vocab_(std::move(vocab)), ignore_merges_(ignore_merges) {
  for (int byte = 0; byte < 256; ++byte) {
    std::string spelling;
    append_utf8(spelling, byte_to_char(static_cast<uint8_t>(byte)));
    const auto it = vocab_.find(spelling);
    byte_ids_[byte] = it == vocab_.end() ? -1 : it->second;
  }
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const MergeRule& rule = merges[rank];
    // A repeated pair keeps its last rank, as HF's map collection does.
    merges_.insert_or_assign(pair_key(rule.left, rule.right),
                             MergeResult{static_cast<int32_t>(rank), rule.merged});
  }
}

const BpeModel::MergeResult* BpeModel::find_merge(int32_t left, int32_t right) const {
  const auto it = merges_.find(pair_key(left, right));
  return it == merges_.end() ? nullptr : &it->second;
}

std::optional<int32_t> BpeModel::token_to_id(std::string_view token) const {
  const auto it = vocab_.find(token);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

void BpeModel::encode_word(std::string_view word, std::vector<int32_t>& ids) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    if (const auto whole = token_to_id(to_byte_level(word))) {
      ids.push_back(*whole);
      return;
    }
  }

  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  for (char byte : word) {
    const int32_t id = byte_ids_[static_cast<uint8_t>(byte)];
    if (id < 0) continue;
    const auto index = static_cast<int32_t>(symbols.size());
    symbols.push_back({id, index - 1, index + 1, false});
  }
  if (symbols.empty()) return;
  symbols.back().next = -1;

  std::priority_queue<Candidate, std::vector<Candidate>, WorseCandidate> queue;
  for (size_t pos = 0; pos + 1 < symbols.size(); ++pos) {
    if (const MergeResult* merge = find_merge(symbols[pos].id, symbols[pos + 1].id)) {
      queue.push({merge->rank, static_cast<int32_t>(pos), merge->merged});
    }
  }

  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Symbol& left = symbols[top.pos];
    // Entries are never removed from the heap when a neighbour changes, so
    // check that this pair still exists before merging.
    if (left.removed || left.next < 0) continue;
    Symbol& right = symbols[left.next];
    const MergeResult* current = find_merge(left.id, right.id);
    if (current == nullptr || current->merged != top.merged) continue;

    left.id = top.merged;
    right.removed = true;
    left.next = right.next;
    if (right.next >= 0) symbols[right.next].prev = top.pos;

    if (left.prev >= 0) {
      if (const MergeResult* merge = find_merge(symbols[left.prev].id, left.id)) {
        queue.push({merge->rank, left.prev, merge->merged});
      }
    }
    if (left.next >= 0) {
      if (const MergeResult* merge = find_merge(left.id, symbols[left.next].id)) {
        queue.push({merge->rank, top.pos, merge->merged});
      }
    }
  }

  for (const Symbol& symbol : symbols) {
    if (!symbol.removed) ids.push_back(symbol.id);
  }
}

}  // namespace smolvlm::tok
