// Python str semantics the scorers depend on (expected values from CPython 3.11).
#include <gtest/gtest.h>

#include <cmath>

#include "eval/python_literal.h"
#include "eval/python_text.h"

namespace smolvlm::eval {
namespace {

std::string lower_utf8(const std::string& text) { return py::encode(py::lower(py::decode(text))); }

std::vector<std::string> split_utf8(const std::string& text) {
  std::vector<std::string> parts;
  for (const std::u32string& part : py::split(py::decode(text))) parts.push_back(py::encode(part));
  return parts;
}

TEST(PythonText, CaseMappingsAreFullUnicodeMappings) {
  EXPECT_EQ(py::upper(py::decode("straße")).size(), 7u);  // 'ß'.upper() == 'SS'
  EXPECT_EQ(lower_utf8("İ"), "i\xCC\x87");                // 'İ'.lower() is two code points
  EXPECT_EQ(lower_utf8("ΣΑΣ"), "σας");                    // final sigma
  EXPECT_EQ(lower_utf8("HeLLo"), "hello");
}

TEST(PythonText, SplitUsesStrIsspace) {
  // U+001C and U+0085 split (bidi class B/S), U+00A0 and U+3000 too (Zs); U+200B does not.
  EXPECT_EQ(split_utf8("a\x1c" "b\xC2\x85" "c\xC2\xA0" "d\xE3\x80\x80" "e"), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(split_utf8("a\xE2\x80\x8B" "b"), (std::vector<std::string>{"a\xE2\x80\x8B" "b"}));
  EXPECT_EQ(split_utf8("  \t\n "), std::vector<std::string>{});
  EXPECT_EQ(py::encode(py::strip(py::decode("\xC2\xA0 x \x1f"))), "x");
}

TEST(PythonText, IntAcceptsWhatPythonIntAccepts) {
  EXPECT_EQ(py::parse_int(U" 14 "), "14");
  EXPECT_EQ(py::parse_int(U"+14"), "14");
  EXPECT_EQ(py::parse_int(U"014"), "14");
  EXPECT_EQ(py::parse_int(U"1_4"), "14");
  EXPECT_EQ(py::parse_int(U"\u0661\u0664"), "14");  // Arabic-Indic digits
  EXPECT_EQ(py::parse_int(U"-0"), "0");
  EXPECT_EQ(py::parse_int(U"-000"), "0");
  EXPECT_EQ(py::parse_int(U"123456789012345678901234567890"), "123456789012345678901234567890");
  EXPECT_EQ(py::parse_int(U"14\u00A0"), "14");  // non-ASCII whitespace is stripped...
  EXPECT_FALSE(py::parse_int(U"14\x1c"));       // ...but ASCII U+001C is not
  for (const char32_t* bad : {U"14.0", U"1__4", U"_14", U"14_", U"- 14", U"", U" ", U"1e3", U"0x10", U"++1"}) {
    EXPECT_FALSE(py::parse_int(bad)) << py::encode(bad);
  }
}

TEST(PythonText, FloatAcceptsWhatPythonFloatAccepts) {
  EXPECT_EQ(py::parse_float(U"1e3"), 1000.0);
  EXPECT_EQ(py::parse_float(U" .5 "), 0.5);
  EXPECT_EQ(py::parse_float(U"5."), 5.0);
  EXPECT_EQ(py::parse_float(U"6e-1"), 0.6);
  EXPECT_EQ(py::parse_float(U"1_000.5"), 1000.5);
  EXPECT_EQ(py::parse_float(U"\u0661\u0664"), 14.0);
  EXPECT_EQ(py::parse_float(U"1e400"), HUGE_VAL);  // overflow is inf, not an error
  EXPECT_EQ(py::parse_float(U"1e-400"), 0.0);
  EXPECT_EQ(py::parse_float(U"-Infinity"), -HUGE_VAL);
  EXPECT_EQ(py::parse_float(U"iNf"), HUGE_VAL);
  ASSERT_TRUE(py::parse_float(U"nan"));
  EXPECT_TRUE(std::isnan(*py::parse_float(U"-NaN")));
  for (const char32_t* bad : {U"1,000", U"1__0", U"1_.5", U"1._5", U".", U"e5", U"1e", U"infinit", U"nan(1)", U"0x1p3",
                              U"42\x1c", U"50%", U""}) {
    EXPECT_FALSE(py::parse_float(bad)) << py::encode(bad);
  }
}

TEST(PythonText, FloatReprMatchesPython) {
  EXPECT_EQ(python_float_repr(0.6), "0.6");
  EXPECT_EQ(python_float_repr(14.0), "14.0");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_repr(1e-4), "0.0001");
  EXPECT_EQ(python_float_repr(1.5e-5), "1.5e-05");
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(python_float_repr(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(python_float_repr(HUGE_VAL), "inf");
}

}  // namespace
}  // namespace smolvlm::eval
