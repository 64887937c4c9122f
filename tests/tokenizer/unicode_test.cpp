// UTF-8 repair must equal Rust's String::from_utf8_lossy (one U+FFFD per
// maximal invalid subpart), since that is what HF's decode returns.
#include <gtest/gtest.h>

#include "tokenizer/byte_level.h"
#include "tokenizer/unicode.h"

namespace smolvlm::tok {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

TEST(Utf8Lossy, KeepsValidText) {
  EXPECT_EQ(utf8_lossy("caf\xC3\xA9 \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(Utf8Lossy, TruncatedSequenceIsOneReplacement) {
  EXPECT_EQ(utf8_lossy("\xF0\x9F\x98"), kReplacement);
  EXPECT_EQ(utf8_lossy("a\xE2\x82" "b"), "a" + kReplacement + "b");
}

TEST(Utf8Lossy, EachByteOfAnImpossibleSequenceIsReplaced) {
  EXPECT_EQ(utf8_lossy("\xC0\x80"), kReplacement + kReplacement);                   // overlong
  EXPECT_EQ(utf8_lossy("\xED\xA0\x80"), kReplacement + kReplacement + kReplacement);  // surrogate
  EXPECT_EQ(utf8_lossy("\xF4\x90\x80\x80"), kReplacement + kReplacement + kReplacement + kReplacement);
  EXPECT_EQ(utf8_lossy("\xFF" "a\x80"), kReplacement + "a" + kReplacement);
}

TEST(Utf8Validation, FindsFirstBadByte) {
  EXPECT_EQ(find_invalid_utf8("ok \xC3\xA9"), std::nullopt);
  EXPECT_EQ(find_invalid_utf8("ok\xC3"), 2u);
  EXPECT_EQ(find_invalid_utf8("\xF4\x8F\xBF\xBF"), std::nullopt);  // U+10FFFF
}

TEST(UnicodeClasses, MatchTheRegexMeanings) {
  EXPECT_TRUE(is_whitespace(0x85));
  EXPECT_TRUE(is_whitespace(0x3000));
  EXPECT_FALSE(is_whitespace(0x200B));
  EXPECT_FALSE(is_whitespace(0xFEFF));
  EXPECT_TRUE(is_letter(0x01C5));   // Lt
  EXPECT_TRUE(is_letter(0x02B0));   // Lm
  EXPECT_FALSE(is_letter(0x0301));  // Mn
  EXPECT_TRUE(is_number(0x2167));   // Nl
  EXPECT_TRUE(is_number(0x00BD));   // No
  EXPECT_TRUE(is_word_char(0x0301));
  EXPECT_TRUE(is_word_char('_'));
  EXPECT_TRUE(is_word_char(0x200D));  // Join_Control
  EXPECT_FALSE(is_word_char(0x00BD));
}

TEST(ByteLevelMapping, RoundTripsEveryByte) {
  for (int byte = 0; byte < 256; ++byte) {
    EXPECT_EQ(char_to_byte(byte_to_char(static_cast<uint8_t>(byte))), byte);
  }
  EXPECT_EQ(byte_to_char(' '), U'\u0120');   // "Ġ"
  EXPECT_EQ(byte_to_char('\n'), U'\u010A');  // "Ċ"
  EXPECT_EQ(byte_to_char('a'), U'a');
  EXPECT_EQ(char_to_byte(U' '), std::nullopt);
}

TEST(ByteLevelMapping, TokenWithUnmappedCharacterDecodesToItself) {
  EXPECT_EQ(byte_level_token_bytes("\xC4\xA0hello"), " hello");
  EXPECT_EQ(byte_level_token_bytes("a b"), "a b");  // a plain space is not a byte-level character
  EXPECT_EQ(to_byte_level(" \n"), "\xC4\xA0\xC4\x8A");
}

}  // namespace
}  // namespace smolvlm::tok
