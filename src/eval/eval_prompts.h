// The prompt a benchmark row becomes, in VLMEvalKit's two steps (e8e78f05f308):
// 1. the dataset's build_prompt turns the row into a message, a list of text
//    and image parts (vlmeval/dataset/image_vqa.py, image_mcq.py, image_base.py);
// 2. the model wrapper's generate_inner turns the message into the finished
//    text and image list handed to the processor (vlmeval/vlm/smolvlm.py,
//    classes SmolVLM and SmolVLM2), per dataset name.
// Goldens: /work/shared/fixtures/eval/prompts/<task>.json.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "eval/eval_row.h"
#include "eval/eval_task.h"

namespace smolvlm::eval {

// One part of a dataset message: text, or the image-th image of the row.
struct MessagePart {
  enum class Kind { Text, Image };
  Kind kind = Kind::Text;
  std::string text;
  size_t image = 0;
  // Video wrappers look for the system message (role "system"); VLMEvalKit's
  // video datasets mark it so.
  bool system = false;

  static MessagePart text_part(std::string t) { return {Kind::Text, std::move(t), 0, false}; }
  static MessagePart image_part(size_t i) { return {Kind::Image, {}, i, false}; }
};
using DatasetMessage = std::vector<MessagePart>;

// The dataset's build_prompt for `row` with `n_images` images:
// - DocVQA/InfoVQA/TextVQA/ChartQA/VQAv2 (ImageVQADataset): images, then the
//   question + "\nAnswer the question using a single word or phrase.";
// - OCRBench, MathVista (ImageBaseDataset): images, then the question;
// - AI2D/MMStar/ScienceQA/MMMU (ImageMCQDataset): images, then "Hint: ..\n"
//   (when the hint cell is not NaN), "Question: ..\n", and with options
//   "Options:\nA. ..\n...Please select the correct answer from the options above. \n";
//   MMMU then splits the text at "<image k>" and puts the k-th image there
//   (MMMUDataset.split_MMMU);
// - CinePile (no VLMEvalKit dataset; our choice, eval/cinepile.h): the frames,
//   then ImageMCQDataset's text from the row's A..Z fields.
// Throws Error for Video-MME (its message is videomme_message's).
DatasetMessage dataset_message(Task task, const EvalRow& row, size_t n_images);

// Which VLMEvalKit wrapper builds the text.
enum class PromptStyle {
  SmolVLM,   // class SmolVLM (Idefics3 checkpoints: SmolVLM 256M/500M/2.2B)
  SmolVLM2,  // class SmolVLM2 (SmolVLM2 checkpoints)
  Plain,     // either wrapper's build_prompt_default, whatever the task
};
PromptStyle parse_prompt_style(std::string_view name);  // "smolvlm", "smolvlm2", "plain"
std::string_view prompt_style_name(PromptStyle style);

struct WrapperPrompt {
  std::string text;            // "<|im_start|>User:...<end_of_utterance>\nAssistant:..."
  std::vector<size_t> images;  // the message's images in the order of the text's "<image>"s
};

// generate_inner's prompt for `message` of `task` (the dataset names VLMEvalKit's
// wrappers dispatch on: DocVQA_VAL, TextVQA_VAL, ChartQA_TEST, InfoVQA_VAL,
// OCRBench, MMStar, AI2D_TEST, ScienceQA_VAL, MMMU_DEV_VAL, MathVista_MINI,
// Video-MME; VQAv2 takes the default; CinePile, which VLMEvalKit lacks, takes
// the multiple-choice branch of MMStar/AI2D with SmolVLM and the video branch
// with SmolVLM2: "Choices:" and "Answer with the letter.").
WrapperPrompt wrapper_prompt(PromptStyle style, Task task, const DatasetMessage& message);

// Python's str.strip() on UTF-8 text (eval/python_text.h py::strip).
std::string python_strip(std::string_view text);

}  // namespace smolvlm::eval
