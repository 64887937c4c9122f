#include "eval/m4_vqa_accuracy.h"

#include <algorithm>
#include <map>

#include "core/error.h"
#include "eval/python_text.h"
#include "eval/vqa_normalize.h"

namespace smolvlm::eval {
namespace {

// FilteringFunctions.standardize_whitespace's list (m4 web_document_filtering.py).
constexpr std::u32string_view kM4Whitespace = U"\u0020\u2009\u200a\u202f\u2005\u3000\u2002\u2008\u2003\ufffc\u0084\u00a0";
// string.punctuation without "'" (and '-', removed before).
constexpr std::u32string_view kM4Punctuation = U"!\"#$%&()*+,./:;<=>?@[\\]^_`{|}~";

// The 10-choose-9 accuracy of one normalised prediction, Python sum() order.
double choose_nine_accuracy(const std::vector<std::u32string>& answers, const std::u32string& prediction) {
  if (answers.size() == 1) return answers[0] == prediction ? 1.0 : 0.0;
  double sum = 0.0;
  for (size_t current = 0; current < answers.size(); ++current) {
    size_t matching = 0;
    for (size_t other = 0; other < answers.size(); ++other) {
      if (other != current && answers[other] == prediction) ++matching;
    }
    sum += std::min(1.0, static_cast<double>(matching) / 3.0);
  }
  return sum / static_cast<double>(answers.size());
}

std::u32string first_word(const std::u32string& text) { return py::split_on(text, U' ')[0]; }

void accuracies(const std::vector<std::string>& answers, std::string_view prediction,
                std::u32string (*normalize)(std::u32string_view), double& oe, double& first) {
  std::vector<std::u32string> normalized;
  for (const std::string& answer : answers) normalized.push_back(normalize(py::decode(answer)));
  const std::u32string generated = normalize(py::decode(prediction));
  oe = choose_nine_accuracy(normalized, generated);
  first = choose_nine_accuracy(normalized, first_word(generated));
}

}  // namespace

std::u32string m4_vqa_normalize_text(std::u32string_view text) {
  std::u32string lowered = py::lower(text);
  std::u32string cleaned;
  for (char32_t c : lowered) {
    if (c == U'-') continue;
    const bool space = kM4Whitespace.find(c) != std::u32string_view::npos || c == U'\n' || c == U'\t' ||
                       kM4Punctuation.find(c) != std::u32string_view::npos;
    cleaned += space ? U' ' : c;
  }
  std::vector<std::u32string> words;
  for (std::u32string& word : py::split_on(cleaned, U' ')) {
    if (const auto number = vqa_number_words().find(word); number != vqa_number_words().end()) {
      word = number->second;
    } else if (const auto expanded = vqa_contractions().find(word); expanded != vqa_contractions().end()) {
      word = expanded->second;
    } else if (word == U"a" || word == U"an" || word == U"the") {
      word.clear();
    }
    if (!word.empty()) words.push_back(std::move(word));
  }
  return py::strip(py::join(U" ", words));
}

std::u32string m4_gt_vision_lab_normalize_text(std::u32string_view text) {
  std::u32string answer = py::strip(py::replace_all(py::replace_all(text, U"\n", U" "), U"\t", U" "));
  return vlmeval_process_digit_article(vlmeval_process_punctuation(answer, PeriodRule::NotFollowedByDigit));
}

M4VqaAccuracy m4_vqa_accuracy(const std::vector<std::string>& answers, std::string_view prediction) {
  if (answers.empty()) throw Error("answer", "the answer list is empty (VQA accuracy needs at least one answer)");
  M4VqaAccuracy result;
  accuracies(answers, prediction, m4_vqa_normalize_text, result.oe_vqa_accuracy, result.first_word_vqa_accuracy);
  accuracies(answers, prediction, m4_gt_vision_lab_normalize_text, result.gt_vision_lab_oe_vqa_accuracy,
             result.gt_vision_lab_first_word_vqa_accuracy);
  return result;
}

}  // namespace smolvlm::eval
