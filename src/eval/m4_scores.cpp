// m4_scores: which smollm m4 metric goes with which task, and what it is given.
#include "core/error.h"
#include "eval/anls.h"
#include "eval/m4_mmmu_style.h"
#include "eval/m4_relaxed_accuracy.h"
#include "eval/m4_vqa_accuracy.h"
#include "eval/scoring.h"

namespace smolvlm::eval {
namespace {

// The m4 MMMU-style metric gets the option letter of a multiple-choice question and
// the answer text of an open one (MMMU rows without option A, MathVista free_form).
std::string mmmu_style_answer(Task task, const EvalRow& row) {
  if (task == Task::MathVista) {
    return required_row_field(row, "question_type") == "multi_choice" ? required_row_field(row, "answer_option")
                                                                   : required_row_field(row, "answer");
  }
  return required_row_field(row, "answer");
}

}  // namespace

std::vector<std::pair<std::string, double>> m4_scores(Task task, const EvalRow& row, std::string_view prediction) {
  switch (task) {
    case Task::DocVQA:
    case Task::InfoVQA:
      return {{"m4_anls", m4_anls(parse_answer_list(required_row_field(row, "answer")), prediction)}};
    case Task::TextVQA:
    case Task::VQAv2: {
      const M4VqaAccuracy m4 = m4_vqa_accuracy(parse_answer_list(required_row_field(row, "answer")), prediction);
      return {{"m4_oe_vqa_accuracy", m4.oe_vqa_accuracy},
              {"m4_first_word_vqa_accuracy", m4.first_word_vqa_accuracy},
              {"m4_gt_vision_lab_oe_vqa_accuracy", m4.gt_vision_lab_oe_vqa_accuracy},
              {"m4_gt_vision_lab_first_word_vqa_accuracy", m4.gt_vision_lab_first_word_vqa_accuracy}};
    }
    case Task::ChartQA:
      return {{"m4_relaxed", m4_relaxed_accuracy(parse_answer_list(required_row_field(row, "answer")), prediction)}};
    case Task::MMMU:
    case Task::MathVista:
      return {{"m4_mmmu_style", m4_mmmu_style_accuracy({mmmu_style_answer(task, row)}, prediction, /*accept_mcq=*/true)}};
    default:
      return {};
  }
}

}  // namespace smolvlm::eval
