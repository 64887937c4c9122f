// An offline stand-in for the SmolVLM tokenizer (SPEC §1.3, §1.4, §7.3): a
// byte-level BPE tokenizer.json with the real special and added tokens at
// their real ids and the real vocabulary size, but merges learned from a few
// KB of embedded English prose (then padded with synthetic merges until the
// base vocabulary is full). Used by synthetic checkpoints (demos, benchmarks,
// tests) where no Hub download is possible. Same JSON layout as the real file:
// BPE model, pre_tokenizer Sequence[Digits(individual), ByteLevel], ByteLevel
// decoder, no normalizer/post-processor, merges as [a, b] pairs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace smolvlm {

// Which added tokens follow the 49152-token base vocabulary.
enum class SyntheticVocab {
  SmolVLM,     // 256M / 500M / SmolVLM2: <global-img> 49152 .. <end_of_utterance> 49279 (49280 ids)
  SmolVLM2B,   // SmolVLM v1 2.2B: <fake_token_around_image> 49152, <image> 49153, <end_of_utterance> 49154
};

struct SyntheticAddedToken {
  int32_t id = 0;
  std::string content;
};

// The base vocabulary size shared by every family (SmolLM2's).
constexpr int32_t kSyntheticBaseVocab = 49152;

// Every added token, ascending id: the SmolLM2 specials 0..16, then the family's.
// All are special (normalized false, no strip), as in the real files.
std::vector<SyntheticAddedToken> synthetic_added_tokens(SyntheticVocab vocab);

// Total ids (base + added): 49280 or 49155, equal to the config's vocab_size.
int32_t synthetic_vocab_size(SyntheticVocab vocab);

// The tokenizer.json text (compact JSON). Deterministic: no seed is involved.
std::string synthetic_tokenizer_json(SyntheticVocab vocab);

}  // namespace smolvlm
