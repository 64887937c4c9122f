// The benchmarks `smolvlm eval` knows (issue #9) and which scoring family each
// belongs to (/work/shared/fixtures/eval/README.md).
#pragma once

#include <string>
#include <string_view>

namespace smolvlm::eval {

enum class Task {
  DocVQA, InfoVQA, TextVQA, VQAv2, ChartQA, OCRBench, AI2D, MMStar, MMMU, MathVista, ScienceQA,
  CinePile, VideoMME
};

// "docvqa" ... "videomme" (lower case, as task_name gives); anything else throws
// Error listing the valid names.
Task parse_task(std::string_view name);
// The lower-case CLI name.
std::string_view task_name(Task task);
// All tasks, comma-separated CLI names (for help texts and errors).
std::string task_names_list();

enum class TaskFamily { ShortAnswerVQA, MultipleChoice, MathVista, VideoMultipleChoice };
TaskFamily task_family(Task task);

}  // namespace smolvlm::eval
