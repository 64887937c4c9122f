// The Tokenizer interface other layers code against, on the real SmolVLM
// tokenizer: lookups, special-token flags, streaming bytes, UTF-8 repair.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "core/error.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm {
namespace {

const Tokenizer& smolvlm_tokenizer() {
  static const Tokenizer tokenizer = Tokenizer::from_dir(testing::fixtures_dir() + "/tokenizers/smolvlm");
  return tokenizer;
}

TEST(TokenizerApi, LooksUpVocabAndAddedTokens) {
  const Tokenizer& tok = smolvlm_tokenizer();
  EXPECT_EQ(tok.token_to_id("<image>"), 49190);
  EXPECT_EQ(tok.token_to_id("<|im_start|>"), 1);
  EXPECT_EQ(tok.token_to_id("\xC4\xA0world"), 905);  // "Ġworld"
  EXPECT_EQ(tok.token_to_id(" world"), std::nullopt);
  EXPECT_EQ(tok.id_to_token(49190), "<image>");
  EXPECT_EQ(tok.id_to_token(905), "\xC4\xA0world");
  EXPECT_EQ(tok.vocab_size(), 49280u);
}

TEST(TokenizerApi, OnlyAddedSpecialTokensAreSpecial) {
  const Tokenizer& tok = smolvlm_tokenizer();
  EXPECT_TRUE(tok.is_special(0));
  EXPECT_TRUE(tok.is_special(49279));
  EXPECT_FALSE(tok.is_special(905));
}

TEST(TokenizerApi, TokenBytesAreRawAndMayBePartialUtf8) {
  const Tokenizer& tok = smolvlm_tokenizer();
  EXPECT_EQ(tok.token_bytes(905), " world");
  EXPECT_EQ(tok.token_bytes(49190), "<image>");
  const std::vector<int32_t> emoji = tok.encode("\xF0\x9F\x98\x80");
  ASSERT_EQ(emoji, (std::vector<int32_t>{10813, 242, 218}));
  std::string joined;
  for (int32_t id : emoji) joined += tok.token_bytes(id);
  EXPECT_EQ(joined, "\xF0\x9F\x98\x80");
  EXPECT_EQ(tok.token_bytes(10813), "\xF0\x9F");
}

TEST(TokenizerApi, DecodeRepairsPartialUtf8LikeHf) {
  const Tokenizer& tok = smolvlm_tokenizer();
  const std::vector<int32_t> partial = {216, 10813, 81};
  EXPECT_EQ(tok.decode(partial, false), " \xEF\xBF\xBD" "a");
}

TEST(TokenizerApi, CopiesShareTheSameTables) {
  const Tokenizer copy = smolvlm_tokenizer();
  EXPECT_EQ(copy.encode("Hello world"), (std::vector<int32_t>{19556, 905}));
}

TEST(TokenizerApi, LongTextsEncodeQuickly) {
  const Tokenizer& tok = smolvlm_tokenizer();
  std::string prose;
  while (prose.size() < 200000) prose += "The quick brown fox, 12345, jumps over \xE6\x97\xA5\xE6\x9C\xAC the lazy dog! ";
  const std::string one_run(100000, '!');
  const auto start = std::chrono::steady_clock::now();
  const std::vector<int32_t> prose_ids = tok.encode(prose);
  const std::vector<int32_t> run_ids = tok.encode(one_run);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(tok.decode(prose_ids, false), prose);
  EXPECT_EQ(tok.decode(run_ids, false), one_run);
  // Generous bound for a shared machine; the real cost is a few milliseconds.
  EXPECT_LT(seconds, 2.0);
}

TEST(TokenizerApi, RejectsInvalidUtf8Input) {
  try {
    smolvlm_tokenizer().encode("ok\xC3");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), "tokenizer input");
    EXPECT_NE(e.problem().find("byte 2"), std::string::npos) << e.what();
  }
}

TEST(TokenizerApi, DecodeRejectsOutOfRangeIds) {
  const Tokenizer& tok = smolvlm_tokenizer();
  for (const int32_t bad : {49280, -1}) {
    const std::vector<int32_t> ids = {81, bad};
    try {
      tok.decode(ids, false);
      FAIL() << "expected an Error for id " << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.context(), "token id " + std::to_string(bad));
      EXPECT_EQ(e.problem(), "out of range (vocab size 49280)");
    }
  }
  EXPECT_THROW(tok.id_to_token(49280), Error);
  EXPECT_THROW(tok.token_bytes(-5), Error);
}

}  // namespace
}  // namespace smolvlm
