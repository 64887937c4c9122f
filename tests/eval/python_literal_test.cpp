// parse_answer_list: VLMEvalKit's `eval(answer)` of answer columns.
#include <gtest/gtest.h>

#include "eval/python_literal.h"
#include "eval/scoring.h"

namespace smolvlm::eval {
namespace {

using Strings = std::vector<std::string>;

TEST(ParseAnswerList, ReadsPythonListLiterals) {
  EXPECT_EQ(parse_answer_list("['1/8/93']"), Strings{"1/8/93"});
  EXPECT_EQ(parse_answer_list("['a', \"b\"]"), (Strings{"a", "b"}));
  EXPECT_EQ(parse_answer_list("[\"it's\", 'say \"hi\"']"), (Strings{"it's", "say \"hi\""}));
  EXPECT_EQ(parse_answer_list("['a\\nb', 'tab\\there', '\\u00e9\\x41', r'\\d']"), (Strings{"a\nb", "tab\there", "\xC3\xA9" "A", "\\d"}));
  EXPECT_EQ(parse_answer_list("[ 'a' 'b' ,\n 'c', ]"), (Strings{"ab", "c"}));  // implicit concatenation, trailing comma
  EXPECT_EQ(parse_answer_list("[]"), Strings{});
  EXPECT_EQ(parse_answer_list("[14, -2, 0.5, 1e16, True, None]"), (Strings{"14", "-2", "0.5", "1e+16", "True", "None"}));
  EXPECT_EQ(parse_answer_list("['''triple ' quote''']"), Strings{"triple ' quote"});
}

TEST(ParseAnswerList, AnythingElseIsOneAnswer) {
  for (const char* text : {"1/8/93", "'quoted'", "[unquoted]", "['a'", "['a'] x", "['a' 'b' c]", "", "[014]", "(1, 2)"}) {
    EXPECT_EQ(parse_answer_list(text), Strings{text}) << text;
  }
}

TEST(ParseAnswerList, ListsOutsideTheLiteralSubsetAreOneAnswer) {
  // Python would eval these to lists; no answer column holds them (see python_literal.h).
  EXPECT_EQ(parse_answer_list("[['a']]"), Strings{"[['a']]"});
  EXPECT_EQ(parse_answer_list("[b'a']"), Strings{"[b'a']"});
}

TEST(ParseAnswerList, ReadsBackWhatPythonListLiteralWrites) {
  const Strings items{"plain", "it's", "both ' and \"", "back\\slash", "new\nline", "\x01\xC2\x85\xE2\x80\xA8", "caf\xC3\xA9", ""};
  EXPECT_EQ(parse_answer_list(python_list_literal(items)), items);
  EXPECT_EQ(python_list_literal({"it's", "a"}), "[\"it's\", 'a']");
  EXPECT_EQ(python_str_repr("\x01\xC2\x85" "b\t"), "'\\x01\\x85b\\t'");
}

}  // namespace
}  // namespace smolvlm::eval
