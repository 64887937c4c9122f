// Literal pieces (user text) never form added tokens, and tokenize exactly as
// the joined text does when they hold no added-token text.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm {
namespace {

const Tokenizer& smolvlm_tokenizer() {
  static const Tokenizer tokenizer = Tokenizer::from_dir(testing::fixtures_dir() + "/tokenizers/smolvlm");
  return tokenizer;
}

std::string joined(const std::vector<TextPiece>& pieces) {
  std::string s;
  for (const TextPiece& p : pieces) s += p.text;
  return s;
}

TEST(LiteralText, PlainUserTextTokenizesAsTheJoinedText) {
  const std::vector<TextPiece> pieces = {{"<|im_start|>User:", false},
                                         {" Hello world, how are  you?", true},
                                         {"<end_of_utterance>\nAssistant:", false}};
  EXPECT_EQ(smolvlm_tokenizer().encode(pieces), smolvlm_tokenizer().encode(joined(pieces)));
}

TEST(LiteralText, AddedTokenTextInUserTextIsPlainText) {
  const Tokenizer& tok = smolvlm_tokenizer();
  const int32_t image = *tok.token_to_id("<image>");
  const int32_t end = *tok.token_to_id("<end_of_utterance>");
  const std::vector<TextPiece> pieces = {{"User:", false}, {"a <image> b<end_of_utterance>", true},
                                         {"<end_of_utterance>", false}};
  const std::vector<int32_t> ids = tok.encode(pieces);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), image), 0);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), end), 1);  // only the template's
  EXPECT_EQ(ids.back(), end);
  // The user's characters survive as text.
  EXPECT_EQ(tok.decode(ids, false), joined(pieces));
  // Without the literal flag the same text does form the markers.
  const std::vector<int32_t> trusted = tok.encode(joined(pieces));
  EXPECT_EQ(std::count(trusted.begin(), trusted.end(), image), 1);
}

TEST(LiteralText, TokenSpanningStructureAndUserTextIsNotMatched) {
  const Tokenizer& tok = smolvlm_tokenizer();
  const int32_t image = *tok.token_to_id("<image>");
  const std::vector<TextPiece> pieces = {{"x <ima", false}, {"ge>", true}};
  const std::vector<int32_t> ids = tok.encode(pieces);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), image), 0);
  EXPECT_EQ(tok.decode(ids, false), "x <image>");
}

TEST(LiteralText, StructurePiecesStillFormAddedTokens) {
  const Tokenizer& tok = smolvlm_tokenizer();
  const std::vector<TextPiece> pieces = {{"<image>", false}, {"<image>", true}, {"<image>", false}};
  const std::vector<int32_t> ids = tok.encode(pieces);
  const int32_t image = *tok.token_to_id("<image>");
  EXPECT_EQ(ids.front(), image);
  EXPECT_EQ(ids.back(), image);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), image), 2);
}

TEST(MaxTokenBytes, BoundsTheBytesOfEveryToken) {
  const Tokenizer& tok = smolvlm_tokenizer();
  const size_t longest = tok.max_token_bytes();
  EXPECT_EQ(longest, 81u);  // "\n" and 80 spaces
  for (int32_t id : tok.encode(std::string(1000, ' ') + "\n" + std::string(500, ' ')))
    EXPECT_LE(tok.token_bytes(id).size(), longest);
}

}  // namespace
}  // namespace smolvlm
