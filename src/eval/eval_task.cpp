#include "eval/eval_task.h"

#include <array>
#include <utility>

#include "core/error.h"

namespace smolvlm::eval {
namespace {

constexpr std::array<std::pair<Task, std::string_view>, 13> kTaskNames{{
    {Task::DocVQA, "docvqa"},       {Task::InfoVQA, "infovqa"},     {Task::TextVQA, "textvqa"},
    {Task::VQAv2, "vqav2"},         {Task::ChartQA, "chartqa"},     {Task::OCRBench, "ocrbench"},
    {Task::AI2D, "ai2d"},           {Task::MMStar, "mmstar"},       {Task::MMMU, "mmmu"},
    {Task::MathVista, "mathvista"}, {Task::ScienceQA, "scienceqa"}, {Task::CinePile, "cinepile"},
    {Task::VideoMME, "videomme"},
}};

}  // namespace

Task parse_task(std::string_view name) {
  for (const auto& [task, task_name] : kTaskNames) {
    if (task_name == name) return task;
  }
  throw Error("task '" + std::string(name) + "'", "unknown benchmark; valid tasks: " + task_names_list());
}

std::string_view task_name(Task task) {
  for (const auto& [known, name] : kTaskNames) {
    if (known == task) return name;
  }
  throw Error("task", "unknown Task value " + std::to_string(static_cast<int>(task)));
}

std::string task_names_list() {
  std::string names;
  for (const auto& [task, name] : kTaskNames) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

TaskFamily task_family(Task task) {
  switch (task) {
    case Task::DocVQA:
    case Task::InfoVQA:
    case Task::TextVQA:
    case Task::VQAv2:
    case Task::ChartQA:
    case Task::OCRBench:
      return TaskFamily::ShortAnswerVQA;
    case Task::AI2D:
    case Task::MMStar:
    case Task::MMMU:
    case Task::ScienceQA:
      return TaskFamily::MultipleChoice;
    case Task::MathVista:
      return TaskFamily::MathVista;
    case Task::CinePile:
    case Task::VideoMME:
      return TaskFamily::VideoMultipleChoice;
  }
  throw Error("task", "unknown Task value " + std::to_string(static_cast<int>(task)));
}

}  // namespace smolvlm::eval
