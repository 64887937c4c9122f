#include "tokenizer/synthetic_tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

#include "tokenizer/byte_level.h"
#include "tokenizer/pretokenizer.h"

namespace smolvlm {
namespace {

// SmolLM2's special tokens, ids 0..16 (tokenizer.json added_tokens, SPEC §1.4).
constexpr std::array<const char*, 17> kSmolLM2Specials = {
    "<|endoftext|>",   "<|im_start|>",   "<|im_end|>",     "<repo_name>",     "<reponame>",
    "<file_sep>",      "<filename>",     "<gh_stars>",     "<issue_start>",   "<issue_comment>",
    "<issue_closed>",  "<jupyter_start>", "<jupyter_text>", "<jupyter_code>", "<jupyter_output>",
    "<jupyter_script>", "<empty_output>"};

// Training text for the merges: our own prose, plain English, so the learned
// merges look like real ones (" the", "ing", ...) and common words encode to
// few tokens. Its content does not matter beyond that.
constexpr const char* kTrainingText = R"(The harbour town woke slowly that morning. Fog lay over the water, and the
fishing boats waited at their moorings while the gulls argued on the roofs. In the bakery on the corner, the
first loaves came out of the oven, and the smell of warm bread drifted down the street to the pier.

Mara had lived in the town for most of her life. She kept the lighthouse on the northern point, a job that
had once meant long nights of trimming wicks and winding clockwork, and that now meant mostly watching the
instruments and writing down what they said. She liked the writing. Every evening she recorded the wind, the
pressure, the height of the tide and the colour of the sky, and every evening the numbers told her something
a little different about the day that was ending and the one that was coming.

On this particular morning the numbers were strange. The pressure had fallen quickly during the night, faster
than she had seen in years, and the wind had turned to come from the east. She looked at the page for a long
time, then put on her coat and walked down to the harbour to talk to the fishermen before they went out.

"There is weather coming," she said to the first captain she found. He was an old man with a grey beard who
had been fishing these waters since before she was born. He looked at the sky, then at her, and nodded.

"I felt it in my knees," he said. "They are never wrong. We will stay in today, and tomorrow too, I think."

Not everyone listened. Two of the younger crews were already untying their lines, eager to reach the banks
where the fish had been plentiful all week. Mara spoke to them as well, and showed them the numbers in her
notebook, and explained what a fall like that usually meant. One crew decided to wait. The other laughed,
thanked her politely, and motored out past the breakwater into the grey.

By noon the fog had lifted and the sea looked calm, almost friendly, and she began to wonder whether she had
been wrong. She went back to the lighthouse and checked the instruments again. The pressure was still
falling. The wind was stronger now, and the long swell that rolls in ahead of a storm had begun to lift the
boats in the harbour, gently at first and then with more purpose.

In the afternoon the radio came to life. The crew that had gone out were turning back; their engine was
running rough and the waves were building faster than they had expected. Mara gave them the bearing to the
channel and stayed on the radio with them, reading out the wind and the seas every few minutes, while the
light above her began its slow turn for the night.

They came in just after dark, soaked and tired and very quiet. The captain climbed the hill to the
lighthouse an hour later with a basket of bread from the bakery and a bottle of something warming, and they
sat together by the window and watched the storm arrive. Neither of them said very much. There was no need.

Later, when the captain had gone home, Mara opened her notebook and wrote down the numbers as she always did:
the wind, the pressure, the tide, the colour of the sky. Then, under them, she added one more line, which she
had never written before: all boats home, all crews safe. She looked at it for a while, and then she closed
the book, checked the lamp one last time, and went to bed while the rain drummed on the glass.

Small programs can be written with the same care. A good program reads like a clear explanation: it says what
it needs, it does one thing at a time, and it tells you plainly when something is wrong. Numbers such as 12,
365 or 2048 should be written where they are used, with a short note that says where they come from.)";

struct VocabBuilder {
  std::vector<std::string> tokens;  // vocabulary spelling, by id
  std::unordered_map<std::string, int32_t> ids;
  std::vector<std::pair<int32_t, int32_t>> merges;

  int32_t add(const std::string& token) {
    auto [it, inserted] = ids.emplace(token, static_cast<int32_t>(tokens.size()));
    if (inserted) tokens.push_back(token);
    return it->second;
  }
  int32_t size() const { return static_cast<int32_t>(tokens.size()); }
};

// The 256 byte symbols in GPT-2's bytes_to_unicode order (printable Latin-1
// first, then the remapped bytes), which is ascending code point: the order of
// the real vocabulary. Returns each byte's id.
std::array<int32_t, 256> add_byte_symbols(VocabBuilder& v) {
  std::array<uint8_t, 256> order{};
  for (int b = 0; b < 256; ++b) order[b] = static_cast<uint8_t>(b);
  std::sort(order.begin(), order.end(),
            [](uint8_t a, uint8_t b) { return tok::byte_to_char(a) < tok::byte_to_char(b); });
  std::array<int32_t, 256> id_of{};
  for (uint8_t b : order) id_of[b] = v.add(tok::to_byte_level(std::string(1, static_cast<char>(b))));
  return id_of;
}

// Classic BPE training on the prose's pre-tokenized words: repeatedly merge the
// most frequent adjacent pair (ties: smallest ids) until no pair occurs twice
// or the base vocabulary is full.
void learn_merges(VocabBuilder& v, const std::array<int32_t, 256>& byte_id) {
  const tok::PreTokenizer pre({tok::DigitsStep{true}, tok::ByteLevelStep{false, true}});
  std::map<std::string, int64_t> word_counts;
  for (const std::string& w : pre.split(kTrainingText)) ++word_counts[w];
  std::vector<std::pair<std::vector<int32_t>, int64_t>> words;
  for (const auto& [w, n] : word_counts) {
    std::vector<int32_t> symbols;
    for (char c : w) symbols.push_back(byte_id[static_cast<uint8_t>(c)]);
    words.emplace_back(std::move(symbols), n);
  }
  auto key = [](int32_t a, int32_t b) { return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b); };
  while (v.size() < kSyntheticBaseVocab) {
    std::unordered_map<uint64_t, int64_t> pair_counts;
    for (const auto& [symbols, n] : words)
      for (size_t i = 0; i + 1 < symbols.size(); ++i) pair_counts[key(symbols[i], symbols[i + 1])] += n;
    uint64_t best = 0;
    int64_t best_count = 0;
    for (const auto& [k, n] : pair_counts) {
      if (n > best_count || (n == best_count && k < best)) {
        best = k;
        best_count = n;
      }
    }
    if (best_count < 2) return;
    const auto a = static_cast<int32_t>(best >> 32), b = static_cast<int32_t>(best & 0xffffffffu);
    const int32_t merged = v.add(v.tokens[a] + v.tokens[b]);
    v.merges.emplace_back(a, b);
    for (auto& [symbols, n] : words) {
      std::vector<int32_t> out;
      for (size_t i = 0; i < symbols.size(); ++i) {
        if (i + 1 < symbols.size() && symbols[i] == a && symbols[i + 1] == b) {
          out.push_back(merged);
          ++i;
        } else {
          out.push_back(symbols[i]);
        }
      }
      symbols = std::move(out);
    }
  }
}

// Fills the base vocabulary with merges of existing tokens and a lowercase
// letter, in id order, skipping spellings that already exist. They only need
// to be valid (both parts and the result in the vocabulary) and deterministic.
void fill_merges(VocabBuilder& v, const std::array<int32_t, 256>& byte_id) {
  for (int32_t a = byte_id['!']; v.size() < kSyntheticBaseVocab; ++a) {
    for (char letter = 'a'; letter <= 'z' && v.size() < kSyntheticBaseVocab; ++letter) {
      const int32_t b = byte_id[static_cast<uint8_t>(letter)];
      const std::string spelling = v.tokens[a] + v.tokens[b];
      if (v.ids.count(spelling) != 0) continue;
      v.add(spelling);
      v.merges.emplace_back(a, b);
    }
  }
}

nlohmann::ordered_json added_token_json(int32_t id, const std::string& content) {
  nlohmann::ordered_json t = nlohmann::ordered_json::object();
  t["id"] = id;
  t["content"] = content;
  for (const char* key : {"single_word", "lstrip", "rstrip", "normalized"}) t[key] = false;
  t["special"] = true;
  return t;
}

}  // namespace

std::vector<SyntheticAddedToken> synthetic_added_tokens(SyntheticVocab vocab) {
  std::vector<SyntheticAddedToken> out;
  for (size_t i = 0; i < kSmolLM2Specials.size(); ++i) out.push_back({static_cast<int32_t>(i), kSmolLM2Specials[i]});
  int32_t id = kSyntheticBaseVocab;
  if (vocab == SyntheticVocab::SmolVLM2B) {
    // v1 2.2B: the row/col/global markers are plain text there (SPEC §1.4).
    for (const char* t : {"<fake_token_around_image>", "<image>", "<end_of_utterance>"}) out.push_back({id++, t});
    return out;
  }
  out.push_back({id++, "<global-img>"});
  for (int r = 1; r <= 6; ++r)
    for (int c = 1; c <= 6; ++c) out.push_back({id++, "<row_" + std::to_string(r) + "_col_" + std::to_string(c) + ">"});
  out.push_back({id++, "<fake_token_around_image>"});
  out.push_back({id++, "<image>"});
  for (int k = 0; k < 88; ++k) out.push_back({id++, "<|reserved_special_token_" + std::to_string(k) + "|>"});
  out.push_back({id++, "<end_of_utterance>"});
  return out;
}

int32_t synthetic_vocab_size(SyntheticVocab vocab) {
  return synthetic_added_tokens(vocab).back().id + 1;
}

std::string synthetic_tokenizer_json(SyntheticVocab vocab) {
  VocabBuilder v;
  for (const char* special : kSmolLM2Specials) v.add(special);  // also in model.vocab, as in the real file
  const std::array<int32_t, 256> byte_id = add_byte_symbols(v);
  learn_merges(v, byte_id);
  fill_merges(v, byte_id);

  using OJson = nlohmann::ordered_json;
  OJson added = OJson::array();
  for (const SyntheticAddedToken& t : synthetic_added_tokens(vocab)) added.push_back(added_token_json(t.id, t.content));
  // Id order, like the real file. ordered_json's operator[] searches linearly;
  // the spellings are unique, so append to the underlying vector directly.
  OJson vocab_json = OJson::object();
  auto& entries = vocab_json.get_ref<OJson::object_t&>();
  entries.reserve(v.tokens.size());
  for (int32_t id = 0; id < v.size(); ++id) entries.emplace_back(v.tokens[id], id);
  OJson merges = OJson::array();
  for (const auto& [a, b] : v.merges) merges.push_back({v.tokens[a], v.tokens[b]});

  OJson byte_level = OJson::object();
  byte_level["type"] = "ByteLevel";
  byte_level["add_prefix_space"] = false;
  byte_level["trim_offsets"] = true;
  byte_level["use_regex"] = true;
  OJson decoder = byte_level;
  decoder["add_prefix_space"] = true;  // as in SmolLM2's file; the ByteLevel decoder ignores it
  OJson digits = OJson::object();
  digits["type"] = "Digits";
  digits["individual_digits"] = true;
  OJson pre_tokenizer = OJson::object();
  pre_tokenizer["type"] = "Sequence";
  pre_tokenizer["pretokenizers"] = OJson::array({digits, byte_level});

  OJson model = OJson::object();
  model["type"] = "BPE";
  for (const char* key : {"dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix"}) model[key] = nullptr;
  for (const char* key : {"fuse_unk", "byte_fallback", "ignore_merges"}) model[key] = false;
  model["vocab"] = std::move(vocab_json);
  model["merges"] = std::move(merges);

  OJson doc = OJson::object();
  doc["version"] = "1.0";
  doc["truncation"] = nullptr;
  doc["padding"] = nullptr;
  doc["added_tokens"] = std::move(added);
  doc["normalizer"] = nullptr;
  doc["pre_tokenizer"] = std::move(pre_tokenizer);
  doc["post_processor"] = nullptr;  // no BOS/EOS added (SPEC §1.3)
  doc["decoder"] = std::move(decoder);
  doc["model"] = std::move(model);
  return doc.dump();
}

}  // namespace smolvlm
