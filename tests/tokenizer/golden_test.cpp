// Every case of the three tokenizer goldens (made with HF's Rust tokenizers)
// must come out identical: ids, decode, and decode skipping special tokens.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm {
namespace {

std::string tokenizer_dir(const std::string& name) { return testing::fixtures_dir() + "/tokenizers/" + name; }

std::string show(const std::string& text) {
  const Json as_json = text;
  return as_json.dump();
}

std::string show(const std::vector<int32_t>& ids) {
  const Json as_json = ids;
  return as_json.dump();
}

// Collects every differing case so one run shows all of them.
void expect_reproduces_golden(const std::string& name) {
  const Tokenizer tokenizer = Tokenizer::from_dir(tokenizer_dir(name));
  const Json golden = read_json_file(tokenizer_dir(name) + "/golden.json");
  EXPECT_EQ(tokenizer.vocab_size(), golden.at("vocab_size_with_added").get<size_t>());

  const Json& cases = golden.at("cases");
  ASSERT_GT(cases.size(), 0u);
  size_t passed = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Json& c = cases[i];
    const auto text = c.at("text").get<std::string>();
    const auto expected_ids = c.at("ids").get<std::vector<int32_t>>();
    const auto expected_decoded = c.at("decoded").get<std::string>();
    const auto expected_skip = c.at("decoded_skip_special").get<std::string>();

    const std::vector<int32_t> ids = tokenizer.encode(text);
    const std::string decoded = tokenizer.decode(expected_ids, false);
    const std::string decoded_skip = tokenizer.decode(expected_ids, true);
    bool ok = true;
    if (ids != expected_ids) {
      ADD_FAILURE() << name << " case " << i << " text " << show(text) << "\n  expected ids " << show(expected_ids)
                    << "\n  got ids      " << show(ids);
      ok = false;
    }
    if (decoded != expected_decoded) {
      ADD_FAILURE() << name << " case " << i << " decode " << show(expected_ids) << "\n  expected "
                    << show(expected_decoded) << "\n  got      " << show(decoded);
      ok = false;
    }
    if (decoded_skip != expected_skip) {
      ADD_FAILURE() << name << " case " << i << " decode(skip_special) " << show(expected_ids) << "\n  expected "
                    << show(expected_skip) << "\n  got      " << show(decoded_skip);
      ok = false;
    }
    passed += ok;
  }
  EXPECT_EQ(passed, cases.size()) << name << ": " << passed << " of " << cases.size() << " cases match";
}

TEST(TokenizerGolden, ReproducesRealSmolvlmTokenizer) { expect_reproduces_golden("smolvlm"); }

TEST(TokenizerGolden, ReproducesMergesWrittenAsStrings) { expect_reproduces_golden("smolvlm-merges-strings"); }

TEST(TokenizerGolden, Reproduces22bAddedTokenSet) { expect_reproduces_golden("smolvlm-2.2b-added-tokens"); }

TEST(TokenizerGolden, LoadsEveryModelFolderTokenizer) {
  for (const std::string model : {"tiny-smolvlm", "tiny-smolvlm-256m", "tiny-smolvlm2"}) {
    const std::string dir = testing::fixtures_dir() + "/models/" + model;
    const Tokenizer tokenizer = Tokenizer::from_dir(dir);
    const Json config = read_json_file(dir + "/config.json");
    EXPECT_EQ(tokenizer.vocab_size(), config.at("text_config").at("vocab_size").get<size_t>()) << model;
    EXPECT_EQ(tokenizer.token_to_id("<image>"), config.at("image_token_id").get<int32_t>()) << model;
    const std::vector<int32_t> ids = tokenizer.encode("<|im_start|>User:<image>Hi<end_of_utterance>");
    EXPECT_EQ(tokenizer.decode(ids, false), "<|im_start|>User:<image>Hi<end_of_utterance>") << model;
  }
}

}  // namespace
}  // namespace smolvlm
