#include "tokenizer/tokenizer_json.h"

#include <unordered_map>

#include "core/error.h"
#include "core/json_file.h"

namespace smolvlm::tok {

namespace {

// Ids index dense tables, so a corrupt id must not turn into a huge allocation.
constexpr int64_t kMaxTokenId = (int64_t{1} << 24) - 1;

// Quoted and escaped, so control characters in token strings stay readable.
std::string json_quoted(const std::string& text) { return JsonTable(text).dump(); }

// Reading with errors that name the file and the key path.
class JsonReader {
 public:
  explicit JsonReader(const std::string& path) : path_(path) {}

  [[noreturn]] void fail(const std::string& problem) const { throw Error(path_, problem); }

  // Null when `key` is absent.
  const JsonTable& member(const JsonTable& object, const std::string& key) const {
    static const JsonTable kNull;
    const auto it = object.find(key);
    return it == object.end() ? kNull : *it;
  }

  const JsonTable& require_object(const JsonTable& node, const std::string& where) const {
    if (!node.is_object()) fail(where + " must be an object, got " + node.type_name());
    return node;
  }

  const JsonTable& require_array(const JsonTable& node, const std::string& where) const {
    if (!node.is_array()) fail(where + " must be an array, got " + node.type_name());
    return node;
  }

  std::string type_of(const JsonTable& component, const std::string& where) const {
    require_object(component, where);
    const JsonTable& type = member(component, "type");
    if (!type.is_string()) fail(where + ".type must be a string");
    return type.get<std::string>();
  }

  bool boolean(const JsonTable& object, const std::string& key, const std::string& where,
               bool default_value) const {
    const JsonTable& value = member(object, key);
    if (value.is_null()) return default_value;
    if (!value.is_boolean()) fail(where + "." + key + " must be true or false, got " + value.type_name());
    return value.get<bool>();
  }

  int32_t token_id(const JsonTable& value, const std::string& where) const {
    if (!value.is_number_integer()) fail(where + " must be an integer id, got " + value.type_name());
    const auto id = value.get<int64_t>();
    if (id < 0 || id > kMaxTokenId) {
      fail(where + ": id " + std::to_string(id) + " is outside 0.." + std::to_string(kMaxTokenId));
    }
    return static_cast<int32_t>(id);
  }

  // Options this engine does not implement must be absent or null.
  void require_null(const JsonTable& object, const std::string& key, const std::string& where) const {
    const JsonTable& value = member(object, key);
    if (!value.is_null()) fail("unsupported " + where + "." + key + " " + value.dump() + " (only null is implemented)");
  }

 private:
  const std::string& path_;
};

void read_pre_tokenizer_steps(const JsonReader& json, const JsonTable& node, const std::string& where,
                              std::vector<PreTokenizerStep>& steps) {
  if (node.is_null()) return;
  const std::string type = json.type_of(node, where);
  if (type == "Sequence") {
    const JsonTable& children = json.require_array(json.member(node, "pretokenizers"), where + ".pretokenizers");
    for (size_t i = 0; i < children.size(); ++i) {
      read_pre_tokenizer_steps(json, children[i], where + ".pretokenizers[" + std::to_string(i) + "]", steps);
    }
  } else if (type == "Digits") {
    steps.push_back(DigitsStep{json.boolean(node, "individual_digits", where, false)});
  } else if (type == "ByteLevel") {
    steps.push_back(ByteLevelStep{json.boolean(node, "add_prefix_space", where, true),
                                  json.boolean(node, "use_regex", where, true)});
  } else {
    json.fail("unsupported pre_tokenizer type " + json_quoted(type) + " (in " + where + ")");
  }
}

std::vector<PreTokenizerStep> read_pre_tokenizer(const JsonReader& json, const JsonTable& root) {
  std::vector<PreTokenizerStep> steps;
  read_pre_tokenizer_steps(json, json.member(root, "pre_tokenizer"), "pre_tokenizer", steps);
  // The BPE model works on raw bytes and spells them byte-level itself, which
  // is only equivalent to HF when ByteLevel is the last step.
  size_t byte_level_steps = 0;
  for (const PreTokenizerStep& step : steps) byte_level_steps += std::holds_alternative<ByteLevelStep>(step);
  if (byte_level_steps != 1 || !std::holds_alternative<ByteLevelStep>(steps.back())) {
    json.fail("unsupported pre_tokenizer: exactly one ByteLevel step, placed last, is required");
  }
  return steps;
}

void check_pipeline_parts(const JsonReader& json, const JsonTable& root) {
  const JsonTable& version = json.member(root, "version");
  if (!version.is_null() && version != "1.0") json.fail("unsupported tokenizer.json version " + version.dump());
  json.require_null(root, "truncation", "tokenizer");
  json.require_null(root, "padding", "tokenizer");

  const JsonTable& normalizer = json.member(root, "normalizer");
  if (!normalizer.is_null()) {
    json.fail("unsupported normalizer type " + json_quoted(json.type_of(normalizer, "normalizer")) +
              " (only null is implemented)");
  }
  // encode() never adds special tokens, and ByteLevel post-processing only
  // trims offsets, so both leave the ids unchanged.
  const JsonTable& post_processor = json.member(root, "post_processor");
  if (!post_processor.is_null()) {
    const std::string type = json.type_of(post_processor, "post_processor");
    if (type != "ByteLevel") json.fail("unsupported post_processor type " + json_quoted(type));
  }
  const JsonTable& decoder = json.member(root, "decoder");
  if (decoder.is_null()) json.fail("unsupported decoder null (the ByteLevel decoder is required)");
  const std::string decoder_type = json.type_of(decoder, "decoder");
  if (decoder_type != "ByteLevel") json.fail("unsupported decoder type " + json_quoted(decoder_type));
}

Vocab read_vocab(const JsonReader& json, const JsonTable& model) {
  const JsonTable& node = json.require_object(json.member(model, "vocab"), "model.vocab");
  Vocab vocab;
  vocab.reserve(node.size());
  std::unordered_map<int32_t, std::string> token_by_id;
  for (const auto& [token, value] : node.items()) {
    const int32_t id = json.token_id(value, "model.vocab[" + json_quoted(token) + "]");
    const auto [existing, inserted] = token_by_id.emplace(id, token);
    if (!inserted) {
      json.fail("model.vocab: id " + std::to_string(id) + " is given to both " + json_quoted(existing->second) +
                " and " + json_quoted(token));
    }
    vocab.emplace(token, id);
  }
  return vocab;
}

std::vector<MergeRule> read_merges(const JsonReader& json, const JsonTable& model, const Vocab& vocab) {
  const JsonTable& node = json.require_array(json.member(model, "merges"), "model.merges");
  std::vector<MergeRule> merges;
  merges.reserve(node.size());
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string where = "model.merges[" + std::to_string(i) + "]";
    const JsonTable& entry = node[i];
    std::string left;
    std::string right;
    if (entry.is_string()) {
      // The older "a b" form; HF skips a merges.txt-style version header.
      const auto& line = entry.get_ref<const std::string&>();
      if (line.starts_with("#version")) continue;
      const size_t space = line.find(' ');
      if (space == std::string::npos || line.find(' ', space + 1) != std::string::npos) {
        json.fail(where + ": " + json_quoted(line) + " is not two tokens separated by one space");
      }
      left = line.substr(0, space);
      right = line.substr(space + 1);
    } else if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_string()) {
      left = entry[0].get<std::string>();
      right = entry[1].get<std::string>();
    } else {
      json.fail(where + " must be \"a b\" or [\"a\", \"b\"], got " + entry.dump());
    }
    const auto id_of = [&](const std::string& token) {
      const auto it = vocab.find(token);
      if (it == vocab.end()) {
        json.fail(where + " (" + json_quoted(left) + ", " + json_quoted(right) + ") uses " + json_quoted(token) +
                  ", which is not in model.vocab");
      }
      return it->second;
    };
    merges.push_back({id_of(left), id_of(right), id_of(left + right)});
  }
  return merges;
}

void read_model(const JsonReader& json, const JsonTable& root, TokenizerSpec& spec) {
  const JsonTable& model = json.member(root, "model");
  const std::string type = json.type_of(model, "model");
  if (type != "BPE") json.fail("unsupported model type " + json_quoted(type));
  const JsonTable& dropout = json.member(model, "dropout");
  if (!dropout.is_null() && !(dropout.is_number() && dropout.get<double>() == 0.0)) {
    json.fail("unsupported model.dropout " + dropout.dump() + " (only null or 0 is implemented)");
  }
  json.require_null(model, "unk_token", "model");
  json.require_null(model, "continuing_subword_prefix", "model");
  json.require_null(model, "end_of_word_suffix", "model");
  if (json.boolean(model, "byte_fallback", "model", false)) {
    json.fail("unsupported model.byte_fallback true (only false is implemented)");
  }
  spec.ignore_merges = json.boolean(model, "ignore_merges", "model", false);
  spec.vocab = read_vocab(json, model);
  spec.merges = read_merges(json, model, spec.vocab);
}

// HF ignores the ids written in added_tokens: a token already in the vocab
// keeps its vocab id, and each new one takes the next id after the vocab, in
// file order. Files where that differs from the written ids are rejected
// rather than silently renumbered, since ids must match the model's embedding.
std::vector<AddedToken> read_added_tokens(const JsonReader& json, const JsonTable& root, const Vocab& vocab) {
  const JsonTable& node = json.member(root, "added_tokens");
  if (node.is_null()) return {};
  json.require_array(node, "added_tokens");
  std::unordered_map<int32_t, std::string> vocab_token_by_id;
  for (const auto& [token, id] : vocab) vocab_token_by_id.emplace(id, token);

  std::vector<AddedToken> tokens;
  std::unordered_map<std::string, size_t> index_by_content;
  auto next_new_id = static_cast<int32_t>(vocab.size());
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string where = "added_tokens[" + std::to_string(i) + "]";
    const JsonTable& entry = json.require_object(node[i], where);
    AddedToken token;
    token.id = json.token_id(json.member(entry, "id"), where + ".id");
    const JsonTable& content = json.member(entry, "content");
    if (!content.is_string()) json.fail(where + ".content must be a string");
    token.content = content.get<std::string>();
    token.single_word = json.boolean(entry, "single_word", where, false);
    token.lstrip = json.boolean(entry, "lstrip", where, false);
    token.rstrip = json.boolean(entry, "rstrip", where, false);
    token.normalized = json.boolean(entry, "normalized", where, true);
    token.special = json.boolean(entry, "special", where, false);
    if (token.content.empty()) continue;  // HF ignores empty added tokens

    const std::string what = where + " " + json_quoted(token.content) + " (id " + std::to_string(token.id) + ")";
    if (const auto it = index_by_content.find(token.content); it != index_by_content.end()) {
      json.fail(what + ": duplicate of added_tokens[" + std::to_string(it->second) + "]");
    }
    if (const auto it = vocab.find(token.content); it != vocab.end()) {
      if (it->second != token.id) json.fail(what + ": model.vocab gives this token id " + std::to_string(it->second));
    } else {
      if (const auto owner = vocab_token_by_id.find(token.id); owner != vocab_token_by_id.end()) {
        json.fail(what + ": the id belongs to " + json_quoted(owner->second) + " in model.vocab");
      }
      if (token.id != next_new_id) {
        json.fail(what + ": HF tokenizers would number it " + std::to_string(next_new_id) +
                  " (tokens not in model.vocab take the ids after it, in file order)");
      }
      ++next_new_id;
    }
    index_by_content.emplace(token.content, i);
    tokens.push_back(std::move(token));
  }
  return tokens;
}

}  // namespace

TokenizerSpec read_tokenizer_json(const std::string& path) {
  const JsonTable root = read_json_table_file(path);
  const JsonReader json(path);
  json.require_object(root, "the top level");
  check_pipeline_parts(json, root);
  TokenizerSpec spec;
  spec.pre_tokenizer = read_pre_tokenizer(json, root);
  read_model(json, root, spec);
  spec.added_tokens = read_added_tokens(json, root, spec.vocab);
  return spec;
}

}  // namespace smolvlm::tok
