// GPT-2's split regex and the Digits step, on strings where a naive
// implementation goes wrong (whitespace back-off, contractions, Unicode
// categories). Expected splits follow Rust regex / Oniguruma semantics.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/pretokenizer.h"

namespace smolvlm::tok {
namespace {

std::vector<std::string> gpt2(std::string_view text) {
  std::vector<std::string> words;
  for (std::string_view word : split_gpt2_words(text)) words.emplace_back(word);
  return words;
}

std::vector<std::string> numbers(std::string_view text, bool individual) {
  std::vector<std::string> words;
  for (std::string_view word : split_numbers(text, individual)) words.emplace_back(word);
  return words;
}

using Words = std::vector<std::string>;

TEST(Gpt2Split, LastSpaceOfARunPrefixesTheNextWord) {
  EXPECT_EQ(gpt2("Hello   world   "), (Words{"Hello", "  ", " world", "   "}));
  EXPECT_EQ(gpt2("a  b"), (Words{"a", " ", " b"}));
  EXPECT_EQ(gpt2("    leading"), (Words{"   ", " leading"}));
}

TEST(Gpt2Split, NonSpaceWhitespaceBeforeAWordStandsAlone) {
  // `\s+(?!\S)` backs off to one tab, then the lone tab is taken by `\s+`.
  EXPECT_EQ(gpt2("\t\tindented"), (Words{"\t", "\t", "indented"}));
  EXPECT_EQ(gpt2("a\u00a0b"), (Words{"a", "\u00a0", "b"}));
  EXPECT_EQ(gpt2("line\r\nnext"), (Words{"line", "\r", "\n", "next"}));
}

TEST(Gpt2Split, TrailingWhitespaceRunStaysWhole) {
  EXPECT_EQ(gpt2(" \n \n"), (Words{" \n \n"}));
  EXPECT_EQ(gpt2("end\n\n\n"), (Words{"end", "\n\n\n"}));
}

TEST(Gpt2Split, LowercaseContractionsSplitOff) {
  EXPECT_EQ(gpt2("I'm they're we'll it's you'd've"),
            (Words{"I", "'m", " they", "'re", " we", "'ll", " it", "'s", " you", "'d", "'ve"}));
}

TEST(Gpt2Split, UppercaseContractionsAreNotSpecial) {
  EXPECT_EQ(gpt2("DON'T"), (Words{"DON", "'", "T"}));
}

TEST(Gpt2Split, ApostropheAfterPunctuationJoinsThePunctuation) {
  EXPECT_EQ(gpt2("!'s"), (Words{"!'", "s"}));
  EXPECT_EQ(gpt2("'sfoo"), (Words{"'s", "foo"}));
}

TEST(Gpt2Split, CategoriesComeFromUnicode) {
  EXPECT_EQ(gpt2("e\u0301t\u00e9"), (Words{"e", "\u0301", "t\u00e9"}));         // combining mark is not \p{L}
  EXPECT_EQ(gpt2("\u200b zero"), (Words{"\u200b", " zero"}));                   // ZWSP is Cf, not \s
  EXPECT_EQ(gpt2("\u2028line"), (Words{"\u2028", "line"}));                     // line separator is \s
  EXPECT_EQ(gpt2("x \u00bd\u2167"), (Words{"x", " \u00bd\u2167"}));             // No and Nl are \p{N}
  EXPECT_EQ(gpt2("\u65e5\u672c\u8a9e\u3002"), (Words{"\u65e5\u672c\u8a9e", "\u3002"}));
  EXPECT_EQ(gpt2("\U0001F600!"), (Words{"\U0001F600!"}));                       // emoji is So, like '!'
}

TEST(Gpt2Split, SpaceJoinsOnlyTheFollowingRunOfOneClass) {
  EXPECT_EQ(gpt2("x = 42;"), (Words{"x", " =", " 42", ";"}));
  EXPECT_EQ(gpt2(" ?!"), (Words{" ?!"}));
  EXPECT_EQ(gpt2("a1b"), (Words{"a", "1", "b"}));
}

TEST(Gpt2Split, EmptyTextHasNoWords) { EXPECT_TRUE(gpt2("").empty()); }

TEST(DigitsSplit, IndividualDigitsIsolatesEveryNumericCharacter) {
  EXPECT_EQ(numbers("year 1999!", true), (Words{"year ", "1", "9", "9", "9", "!"}));
  EXPECT_EQ(numbers("\uff11\uff12x", true), (Words{"\uff11", "\uff12", "x"}));  // fullwidth Nd
  EXPECT_EQ(numbers("\u00b2\u2167", true), (Words{"\u00b2", "\u2167"}));         // No, Nl
}

TEST(DigitsSplit, ContiguousKeepsRunsOfDigitsTogether) {
  EXPECT_EQ(numbers("a12b345", false), (Words{"a", "12", "b", "345"}));
  EXPECT_EQ(numbers("12", false), (Words{"12"}));
}

TEST(PreTokenizerPipeline, DigitsThenByteLevelSplitsEachPiece) {
  const PreTokenizer pre({DigitsStep{true}, ByteLevelStep{false, true}});
  EXPECT_EQ(pre.split("The year 1999 had"), (Words{"The", " year", " ", "1", "9", "9", "9", " had"}));
}

TEST(PreTokenizerPipeline, AddPrefixSpaceAppliesToEveryPiece) {
  const PreTokenizer pre({DigitsStep{true}, ByteLevelStep{true, true}});
  EXPECT_EQ(pre.split("Hi 12"), (Words{" Hi", " ", " 1", " 2"}));
}

TEST(PreTokenizerPipeline, WithoutRegexTheWholeTextIsOneWord) {
  const PreTokenizer pre({ByteLevelStep{false, false}});
  EXPECT_EQ(pre.split("Hello  world 12"), (Words{"Hello  world 12"}));
}

}  // namespace
}  // namespace smolvlm::tok
