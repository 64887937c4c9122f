// Step 1 of eval_prompts.h: the datasets' build_prompt (VLMEvalKit e8e78f05f308).
#include "eval/eval_prompts.h"

#include "core/error.h"
#include "eval/python_text.h"
#include "eval/tsv_reader.h"

namespace smolvlm::eval {
namespace {

// line[column] as VLMEvalKit formats it: pandas reads NA-like cells as NaN,
// which an f-string prints as "nan".
std::string cell_or_nan(const EvalRow& row, const std::string& column) {
  const auto it = row.fields.find(column);
  if (it == row.fields.end() || pandas_reads_as_nan(it->second)) return "nan";
  return it->second;
}

bool has_value(const EvalRow& row, const std::string& column) {
  const auto it = row.fields.find(column);
  return it != row.fields.end() && !pandas_reads_as_nan(it->second);
}

DatasetMessage images_then(size_t n_images, std::string text) {
  DatasetMessage message;
  for (size_t i = 0; i < n_images; ++i) message.push_back(MessagePart::image_part(i));
  message.push_back(MessagePart::text_part(std::move(text)));
  return message;
}

// image_mcq.py ImageMCQDataset.build_prompt.
std::string multiple_choice_text(const EvalRow& row) {
  std::string options;
  for (char letter = 'A'; letter <= 'Z'; ++letter) {
    const std::string column(1, letter);
    if (has_value(row, column)) options += column + ". " + row.fields.at(column) + "\n";
  }
  std::string prompt;
  if (has_value(row, "hint")) prompt += "Hint: " + row.fields.at("hint") + "\n";
  prompt += "Question: " + cell_or_nan(row, "question") + "\n";
  if (!options.empty()) prompt += "Options:\n" + options + "Please select the correct answer from the options above. \n";
  return prompt;
}

// image_mcq.py MMMUDataset.split_MMMU: "<image k>" in the text puts the k-th
// image there (k one digit; Python's images[k - 1], so "<image 0>" is the last).
DatasetMessage split_mmmu(const DatasetMessage& message, size_t n_images, const std::string& index) {
  const std::string text = message.back().text;
  const std::string marker = "<image ";
  if (text.find(marker) == std::string::npos) return message;
  DatasetMessage parts;
  size_t pos = text.find(marker);
  parts.push_back(MessagePart::text_part(text.substr(0, pos)));
  while (pos != std::string::npos) {
    const size_t seg = pos + marker.size();
    const size_t next = text.find(marker, seg);
    const std::string segment = text.substr(seg, next == std::string::npos ? std::string::npos : next - seg);
    if (segment.size() < 2 || segment[0] < '0' || segment[0] > '9' || segment[1] != '>')
      throw Error("row " + index, "MMMU question has an \"<image \" tag that is not \"<image k>\" (k one digit)");
    const int k = segment[0] - '0';
    const size_t image = k == 0 ? n_images - 1 : static_cast<size_t>(k - 1);
    if (n_images == 0 || image >= n_images)
      throw Error("row " + index, "MMMU question refers to <image " + std::to_string(k) + "> but the row has " +
                                      std::to_string(n_images) + " images");
    parts.push_back(MessagePart::image_part(image));
    parts.push_back(MessagePart::text_part(segment.substr(2)));
    pos = next;
  }
  return parts;
}

}  // namespace

DatasetMessage dataset_message(Task task, const EvalRow& row, size_t n_images) {
  switch (task) {
    case Task::DocVQA:
    case Task::InfoVQA:
    case Task::TextVQA:
    case Task::ChartQA:
    case Task::VQAv2:  // not a VLMEvalKit dataset; built as ImageVQADataset (the fixtures' generator does so)
      return images_then(n_images, cell_or_nan(row, "question") + "\nAnswer the question using a single word or phrase.");
    case Task::OCRBench:
    case Task::MathVista:
      return images_then(n_images, cell_or_nan(row, "question"));
    case Task::AI2D:
    case Task::MMStar:
    case Task::ScienceQA:
      return images_then(n_images, multiple_choice_text(row));
    case Task::MMMU:
      return split_mmmu(images_then(n_images, multiple_choice_text(row)), n_images, row.index);
    case Task::CinePile:  // our own choice (eval/cinepile.h): the frames, then the MCQ text
      return images_then(n_images, multiple_choice_text(row));
    case Task::VideoMME:
      break;
  }
  throw Error("task " + std::string(task_name(task)), "Video-MME's message comes from videomme_message");
}

PromptStyle parse_prompt_style(std::string_view name) {
  if (name == "smolvlm") return PromptStyle::SmolVLM;
  if (name == "smolvlm2") return PromptStyle::SmolVLM2;
  if (name == "plain") return PromptStyle::Plain;
  throw Error("prompt style \"" + std::string(name) + "\"", "unknown; valid: smolvlm, smolvlm2, plain");
}

std::string_view prompt_style_name(PromptStyle style) {
  switch (style) {
    case PromptStyle::SmolVLM: return "smolvlm";
    case PromptStyle::SmolVLM2: return "smolvlm2";
    case PromptStyle::Plain: return "plain";
  }
  return "?";
}

std::string python_strip(std::string_view text) { return py::encode(py::strip(py::decode(text))); }

}  // namespace smolvlm::eval
