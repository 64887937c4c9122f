// BPE merge order and added-token matching on a tiny hand-made vocabulary,
// where the expected ids can be worked out by hand (and were checked against
// HF tokenizers).
#include <gtest/gtest.h>

#include <vector>

#include "tiny_tokenizer.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm {
namespace {

using Ids = std::vector<int32_t>;

Tokenizer load(const Json& json) {
  const testing::TempDir dir;
  return Tokenizer::from_file(testing::write_tokenizer(dir, json));
}

TEST(BpeMerges, LowerRankMergesFirst) {
  Json json = testing::tiny_tokenizer_json();
  EXPECT_EQ(load(json).encode("abc"), (Ids{5}));
  json["model"]["merges"] = Json::array({"b c", "a b", "ab c"});
  EXPECT_EQ(load(json).encode("abc"), (Ids{0, 4}));  // "bc" wins, and "a bc" is no merge
}

TEST(BpeMerges, EqualPairsMergeLeftmostFirst) {
  Json json = testing::tiny_tokenizer_json();
  json["model"]["merges"] = Json::array({"a a", "aa aa"});
  const Tokenizer tok = load(json);
  EXPECT_EQ(tok.encode("aaa"), (Ids{6, 0}));
  EXPECT_EQ(tok.encode("aaaa"), (Ids{7}));
  EXPECT_EQ(tok.encode("aaaaa"), (Ids{7, 0}));
}

TEST(BpeMerges, IgnoreMergesTakesWholeVocabularyWords) {
  Json json = testing::tiny_tokenizer_json();
  json["model"]["merges"] = Json::array({"a b"});
  EXPECT_EQ(load(json).encode("abc"), (Ids{3, 2}));
  json["model"]["ignore_merges"] = true;
  EXPECT_EQ(load(json).encode("abc"), (Ids{5}));
}

TEST(BpeMerges, BytesMissingFromTheVocabularyAreDropped) {
  EXPECT_EQ(load(testing::tiny_tokenizer_json()).encode("abz"), (Ids{3}));
}

TEST(AddedTokens, LongestMatchWinsAtTheSamePosition) {
  Json json = testing::tiny_tokenizer_json();
  json["added_tokens"] = Json::array({testing::added_token(9, "<x"), testing::added_token(10, "<x>")});
  EXPECT_EQ(load(json).encode("a<x>b<xc"), (Ids{0, 10, 1, 9, 2}));
}

TEST(AddedTokens, StripFlagsSwallowNeighbouringWhitespace) {
  Json json = testing::tiny_tokenizer_json();
  Json token = testing::added_token(9, "<x>");
  json["added_tokens"] = Json::array({token});
  EXPECT_EQ(load(json).encode("a <x> b"), (Ids{0, 8, 9, 8, 1}));
  token["lstrip"] = true;
  token["rstrip"] = true;
  json["added_tokens"] = Json::array({token});
  const Tokenizer tok = load(json);
  EXPECT_EQ(tok.encode("a  <x>  b"), (Ids{0, 9, 1}));
  EXPECT_EQ(tok.decode(Ids{0, 9, 1}, false), "a<x>b");
}

TEST(AddedTokens, SingleWordTokenNeedsNonWordNeighbours) {
  Json json = testing::tiny_tokenizer_json();
  Json token = testing::added_token(4, "bc");  // also in the vocab, under the same id
  token["single_word"] = true;
  token["special"] = false;
  json["added_tokens"] = Json::array({token});
  const Tokenizer tok = load(json);
  EXPECT_EQ(tok.encode("a bc"), (Ids{0, 8, 4}));  // BPE alone would give b, c: no "b c" merge
  EXPECT_EQ(tok.encode("abc"), (Ids{5}));         // not a, bc: "bc" touches a word character
  EXPECT_EQ(tok.encode("bca"), (Ids{1, 2, 0}));
}

TEST(AddedTokens, SkipSpecialKeepsNonSpecialAddedTokens) {
  Json json = testing::tiny_tokenizer_json();
  Json plain = testing::added_token(9, "<p>");
  plain["special"] = false;
  json["added_tokens"] = Json::array({plain, testing::added_token(10, "<s>")});
  const Tokenizer tok = load(json);
  const Ids ids = tok.encode("<s>a<p>b");
  EXPECT_EQ(ids, (Ids{10, 0, 9, 1}));
  EXPECT_EQ(tok.decode(ids, false), "<s>a<p>b");
  EXPECT_EQ(tok.decode(ids, true), "a<p>b");
  EXPECT_FALSE(tok.is_special(9));
  EXPECT_TRUE(tok.is_special(10));
  EXPECT_EQ(tok.vocab_size(), 11u);
}

TEST(AddedTokens, ContentWithAPlainSpaceDecodesVerbatim) {
  Json json = testing::tiny_tokenizer_json();
  json["added_tokens"] = Json::array({testing::added_token(9, "a b")});
  const Tokenizer tok = load(json);
  EXPECT_EQ(tok.encode("ca b"), (Ids{2, 9}));
  EXPECT_EQ(tok.decode(Ids{2, 9}, false), "ca b");
}

}  // namespace
}  // namespace smolvlm
