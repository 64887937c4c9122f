// Loading fails with a smolvlm::Error that names the file and the exact
// unsupported or broken thing, never with a crash or a silent misread.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "tiny_tokenizer.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm {
namespace {

// Loads `text` as tokenizer.json; returns the Error's problem ("" if none).
std::string load_error_text(const std::string& text) {
  const testing::TempDir dir;
  const std::string path = testing::write_tokenizer(dir, text);
  try {
    Tokenizer::from_file(path);
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), path);
    return e.problem();
  }
  return "";
}

std::string load_error(const Json& json) { return load_error_text(json.dump()); }

TEST(TokenizerLoadErrors, TinyTokenizerItselfLoads) { EXPECT_EQ(load_error(testing::tiny_tokenizer_json()), ""); }

TEST(TokenizerLoadErrors, MissingFileNamesThePath) {
  const testing::TempDir dir;
  try {
    Tokenizer::from_dir(dir.path());
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir.file("tokenizer.json")), std::string::npos) << e.what();
  }
}

TEST(TokenizerLoadErrors, MalformedJson) {
  EXPECT_NE(load_error_text("{\"model\": ").find("malformed JSON"), std::string::npos);
  EXPECT_EQ(load_error_text("[1, 2]"), "the top level must be an object, got array");
}

TEST(TokenizerLoadErrors, UnsupportedModelType) {
  Json json = testing::tiny_tokenizer_json();
  json["model"]["type"] = "WordPiece";
  const testing::TempDir dir;
  const std::string path = testing::write_tokenizer(dir, json);
  try {
    Tokenizer::from_file(path);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": unsupported model type \"WordPiece\"");
  }
}

TEST(TokenizerLoadErrors, UnsupportedPipelineParts) {
  Json json = testing::tiny_tokenizer_json();
  json["normalizer"] = {{"type", "NFC"}};
  EXPECT_EQ(load_error(json), "unsupported normalizer type \"NFC\" (only null is implemented)");

  json = testing::tiny_tokenizer_json();
  json["pre_tokenizer"] = {{"type", "Sequence"},
                           {"pretokenizers", Json::array({{{"type", "Split"}}, json["pre_tokenizer"]})}};
  EXPECT_EQ(load_error(json), "unsupported pre_tokenizer type \"Split\" (in pre_tokenizer.pretokenizers[0])");

  json = testing::tiny_tokenizer_json();
  json["pre_tokenizer"] = nullptr;
  EXPECT_NE(load_error(json).find("ByteLevel"), std::string::npos);

  json = testing::tiny_tokenizer_json();
  json["post_processor"] = {{"type", "TemplateProcessing"}};
  EXPECT_EQ(load_error(json), "unsupported post_processor type \"TemplateProcessing\"");

  json = testing::tiny_tokenizer_json();
  json["decoder"] = {{"type", "WordPiece"}};
  EXPECT_EQ(load_error(json), "unsupported decoder type \"WordPiece\"");

  json = testing::tiny_tokenizer_json();
  json["truncation"] = {{"max_length", 8}};
  EXPECT_NE(load_error(json).find("tokenizer.truncation"), std::string::npos);
}

TEST(TokenizerLoadErrors, UnsupportedBpeOptions) {
  Json json = testing::tiny_tokenizer_json();
  json["model"]["unk_token"] = "<unk>";
  EXPECT_EQ(load_error(json), "unsupported model.unk_token \"<unk>\" (only null is implemented)");

  json = testing::tiny_tokenizer_json();
  json["model"]["byte_fallback"] = true;
  EXPECT_EQ(load_error(json), "unsupported model.byte_fallback true (only false is implemented)");

  json = testing::tiny_tokenizer_json();
  json["model"]["dropout"] = 0.1;
  EXPECT_NE(load_error(json).find("model.dropout"), std::string::npos);
}

TEST(TokenizerLoadErrors, MergesNamingUnknownTokens) {
  Json json = testing::tiny_tokenizer_json();
  json["model"]["merges"] = Json::array({"a b", "b zz"});
  EXPECT_EQ(load_error(json), "model.merges[1] (\"b\", \"zz\") uses \"zz\", which is not in model.vocab");

  json["model"]["merges"] = Json::array({Json::array({"c", "a"})});
  EXPECT_EQ(load_error(json), "model.merges[0] (\"c\", \"a\") uses \"ca\", which is not in model.vocab");

  json["model"]["merges"] = Json::array({"a b c"});
  EXPECT_EQ(load_error(json), "model.merges[0]: \"a b c\" is not two tokens separated by one space");
}

TEST(TokenizerLoadErrors, BrokenVocabulary) {
  Json json = testing::tiny_tokenizer_json();
  json["model"].erase("vocab");
  EXPECT_EQ(load_error(json), "model.vocab must be an object, got null");

  json = testing::tiny_tokenizer_json();
  json["model"]["vocab"]["z"] = 0;
  EXPECT_NE(load_error(json).find("id 0 is given to both"), std::string::npos);

  json = testing::tiny_tokenizer_json();
  json["model"]["vocab"]["z"] = -3;
  EXPECT_NE(load_error(json).find("model.vocab[\"z\"]"), std::string::npos);
}

TEST(TokenizerLoadErrors, AddedTokenIdsMustAgreeWithTheVocabulary) {
  Json json = testing::tiny_tokenizer_json();
  json["added_tokens"] = Json::array({testing::added_token(3, "<x>")});
  EXPECT_EQ(load_error(json), "added_tokens[0] \"<x>\" (id 3): the id belongs to \"ab\" in model.vocab");

  json["added_tokens"] = Json::array({testing::added_token(9, "abc")});
  EXPECT_EQ(load_error(json), "added_tokens[0] \"abc\" (id 9): model.vocab gives this token id 5");

  json["added_tokens"] = Json::array({testing::added_token(9, "<x>"), testing::added_token(9, "<y>")});
  EXPECT_EQ(load_error(json),
            "added_tokens[1] \"<y>\" (id 9): HF tokenizers would number it 10 (tokens not in model.vocab take the "
            "ids after it, in file order)");

  json["added_tokens"] = Json::array({testing::added_token(9, "<x>"), testing::added_token(9, "<x>")});
  EXPECT_EQ(load_error(json), "added_tokens[1] \"<x>\" (id 9): duplicate of added_tokens[0]");
}

}  // namespace
}  // namespace smolvlm
