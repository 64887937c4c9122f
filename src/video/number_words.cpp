#include "video/number_words.h"

#include <array>

#include "core/error.h"

namespace smolvlm {
namespace {

constexpr std::array<const char*, 20> kSmall = {
    "zero",    "one",     "two",       "three",    "four",     "five",    "six",
    "seven",   "eight",   "nine",      "ten",      "eleven",   "twelve",  "thirteen",
    "fourteen", "fifteen", "sixteen",  "seventeen", "eighteen", "nineteen"};
constexpr std::array<const char*, 10> kTens = {"",      "",      "twenty",  "thirty", "forty",
                                               "fifty", "sixty", "seventy", "eighty", "ninety"};

// 0..99: tens and units joined by a hyphen.
std::string below_hundred(int64_t n) {
  if (n < 20) return kSmall[static_cast<size_t>(n)];
  std::string s = kTens[static_cast<size_t>(n / 10)];
  if (n % 10 != 0) s += std::string("-") + kSmall[static_cast<size_t>(n % 10)];
  return s;
}

// 0..999: num2words joins hundreds and a remainder below 100 with " and ".
std::string below_thousand(int64_t n) {
  if (n < 100) return below_hundred(n);
  std::string s = std::string(kSmall[static_cast<size_t>(n / 100)]) + " hundred";
  if (n % 100 != 0) s += " and " + below_hundred(n % 100);
  return s;
}

}  // namespace

std::string number_words(int64_t n) {
  if (n < 0 || n > 999999) throw Error("number_words", std::to_string(n) + " is outside 0..999999");
  if (n < 1000) return below_thousand(n);
  std::string s = below_thousand(n / 1000) + " thousand";
  const int64_t rest = n % 1000;
  // A remainder below 100 joins with " and ", a larger one with ", ".
  if (rest != 0) s += (rest < 100 ? " and " : ", ") + below_thousand(rest);
  return s;
}

}  // namespace smolvlm
