// A small hand-made tokenizer.json for tests that need exact control over
// the vocabulary, merges and added tokens.
#pragma once

#include <string>

#include "common/fixtures.h"
#include "core/json_file.h"

namespace smolvlm::testing {

// Letters spell themselves in the byte-level alphabet; "\u0120" is the space.
inline Json tiny_tokenizer_json() {
  return Json{
      {"version", "1.0"},
      {"truncation", nullptr},
      {"padding", nullptr},
      {"added_tokens", Json::array()},
      {"normalizer", nullptr},
      {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
      {"post_processor", nullptr},
      {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
      {"model",
       {{"type", "BPE"},
        {"dropout", nullptr},
        {"unk_token", nullptr},
        {"continuing_subword_prefix", nullptr},
        {"end_of_word_suffix", nullptr},
        {"fuse_unk", false},
        {"byte_fallback", false},
        {"ignore_merges", false},
        {"vocab", {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"bc", 4}, {"abc", 5}, {"aa", 6}, {"aaaa", 7}, {"\u0120", 8}}},
        {"merges", Json::array({Json::array({"a", "b"}), Json::array({"ab", "c"})})}}}};
}

inline Json added_token(int id, const std::string& content) {
  return Json{{"id", id},          {"content", content}, {"single_word", false}, {"lstrip", false},
              {"rstrip", false},   {"normalized", false}, {"special", true}};
}

// Writes `json` (or raw text) as dir/tokenizer.json and returns the path.
inline std::string write_tokenizer(const TempDir& dir, const std::string& text) {
  const std::string path = dir.file("tokenizer.json");
  FILE* file = std::fopen(path.c_str(), "wb");
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
  return path;
}

inline std::string write_tokenizer(const TempDir& dir, const Json& json) { return write_tokenizer(dir, json.dump()); }

}  // namespace smolvlm::testing
