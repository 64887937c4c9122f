// Step 2 of eval_prompts.h: vlmeval/vlm/smolvlm.py, SmolVLM.generate_inner and
// SmolVLM2.generate_inner with their build_prompt_* methods (e8e78f05f308).
// Both classes build the same texts except ChartQA's apostrophes (SmolVLM
// "Don’t", SmolVLM2 "Don't") and the video prompt (SmolVLM2 only).
#include <algorithm>
#include <cstdio>
#include <utility>

#include "eval/eval_prompts.h"

namespace smolvlm::eval {
namespace {

using Replacements = std::vector<std::pair<std::string, std::string>>;

// Python's str.replace for each pair in order (dict order in the wrappers).
std::string replace_all(std::string text, const Replacements& replacements) {
  for (const auto& [from, to] : replacements) {
    for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
      text.replace(pos, from.size(), to);
  }
  return text;
}

bool contains(std::string_view text, std::string_view piece) { return text.find(piece) != std::string_view::npos; }

const std::string kUser = "<|im_start|>User:";
const std::string kEnd = "<end_of_utterance>\nAssistant:";
const std::string kSelect = "Please select the correct answer from the options above.";

// build_prompt_default(add_brief) and build_prompt_puremcq: images in place, text stripped.
WrapperPrompt interleaved(const DatasetMessage& message, const Replacements& replacements, const std::string& suffix) {
  WrapperPrompt p{kUser, {}};
  for (const MessagePart& part : message) {
    if (part.kind == MessagePart::Kind::Image) {
      p.images.push_back(part.image);
      p.text += "<image>";
    } else {
      p.text += replace_all(python_strip(part.text), replacements);
    }
  }
  p.text += suffix;
  return p;
}

// build_prompt_docvqa / textvqa / chartqa / mathvista: one "<image>" in a fixed
// head, every image appended, the text parts stripped.
WrapperPrompt fixed_head(const DatasetMessage& message, const std::string& head, const Replacements& replacements) {
  WrapperPrompt p{head, {}};
  for (const MessagePart& part : message) {
    if (part.kind == MessagePart::Kind::Image) p.images.push_back(part.image);
    else p.text += python_strip(replace_all(python_strip(part.text), replacements));
  }
  p.text += kEnd;
  return p;
}

// build_prompt_mmmu: "<image k>:<image>\n" per image first, then the message with " <image k> " tags.
WrapperPrompt mmmu(const DatasetMessage& message) {
  const Replacements replacements = {
      {"Question:", ""}, {kSelect, "Answer with the letter."}, {"\nOptions:", "\nChoices:"}};
  WrapperPrompt p{"<|im_start|>User: Question: ", {}};
  size_t counter = 1;
  for (const MessagePart& part : message)
    if (part.kind == MessagePart::Kind::Image) p.text += "<image " + std::to_string(counter++) + ">:<image>\n";
  counter = 1;
  for (const MessagePart& part : message) {
    if (part.kind == MessagePart::Kind::Image) {
      p.images.push_back(part.image);
      p.text += " <image " + std::to_string(counter++) + "> ";
    } else {
      p.text += python_strip(replace_all(python_strip(part.text), replacements));
    }
  }
  p.text += kEnd;
  if (contains(p.text, "A.") && contains(p.text, "B.")) p.text += " Answer:";
  return p;
}

WrapperPrompt mathvista(const DatasetMessage& message) {
  const Replacements replacements = {{"(A) ", "A. "}, {"(B) ", "B. "}, {"(C) ", "C. "}, {"(D) ", "D. "},
                                     {"(E) ", "E. "}, {"(F) ", "F. "}, {"(G) ", "G. "}, {"(H) ", "H. "},
                                     {"\nOptions:", "\nChoices:"}, {"Hint: ", ""}};
  WrapperPrompt p = fixed_head(message, kUser + "<image>", replacements);
  if (contains(p.text, "A.") && contains(p.text, "B.")) p.text += " Answer:";
  return p;
}

std::string chartqa_head(PromptStyle style) {
  const std::string dont = style == PromptStyle::SmolVLM ? "Don\u2019t" : "Don't";
  return kUser + "<image>For the question below, follow the following instructions:\n" +
         "-The answer should contain as few words as possible.\n" + "-" + dont +
         " paraphrase or reformat the text you see in the image.\n" + "-Answer a binary question with Yes or No.\n" +
         "-When asked to give a numerical value, provide a number like 2 instead of Two.\n" +
         "-If the final answer has two or more items, provide it in the list format like [1, 2].\n" +
         "-When asked to give a ratio, give out the decimal value like 0.25 instead of 1:4.\n" +
         "-When asked to give a percentage, give out the whole value like 17 instead of decimal like 0.17%.\n" + "-" +
         dont + " include any units in the answer.\n" + "-Do not include any full stops at the end of the answer.\n" +
         "-Try to include the full label from the graph when asked about an entity.\n" + "Question: ";
}

const std::string kDocVqaHead = kUser +
    "<image>Give a short and terse answer to the following question. Do not paraphrase or reformat the text you see "
    "in the image. Do not include any full stops. Just give the answer without additional explanation. Question: ";

const std::string kTextVqaHead = kUser +
    "<image>Answer the following question about the image using as few words as possible. Follow these additional "
    "instructions:\n-Always answer a binary question with Yes or No.\n-When asked what time it is, reply with the "
    "time seen in the image.\n-Do not put any full stops at the end of the answer.\n-Do not put quotation marks "
    "around the answer.\n-An answer with one or two words is favorable.\n-Do not apply common sense knowledge. The "
    "answer can be found in the image.\nQuestion: ";

// SmolVLM2.build_prompt_video (Video-MME): parts joined by single spaces; runs of
// consecutive images are frames, more than 64 sampled with np.linspace.
WrapperPrompt video(const DatasetMessage& message) {
  constexpr size_t kSamplingFrames = 64;
  std::vector<std::string> parts = {"<|im_start|>System:"};
  const MessagePart* system = nullptr;
  for (const MessagePart& part : message)
    if (part.kind == MessagePart::Kind::Text && part.system && system == nullptr) system = &part;
  parts.push_back(system != nullptr ? system->text : "pay attention to the video and answer the question");
  parts.push_back("<end_of_utterance>\n");
  parts.insert(parts.end(), {"<|im_start|>User:", "Here are some frames sampled from a video:\n"});
  std::vector<std::vector<size_t>> blocks;
  std::vector<const MessagePart*> texts;
  std::vector<size_t> block;
  for (const MessagePart& part : message) {
    if (part.kind == MessagePart::Kind::Image) {
      block.push_back(part.image);
      continue;
    }
    if (!block.empty()) blocks.push_back(std::exchange(block, {}));
    if (!part.system) texts.push_back(&part);
  }
  if (!block.empty()) blocks.push_back(block);
  WrapperPrompt p;
  auto timestamp = [](size_t i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02zu:%02zu", i / 60, i % 60);
    return std::string(buf);
  };
  for (const std::vector<size_t>& frames : blocks) {
    std::vector<size_t> picked;
    for (size_t k = 0; k < std::min(frames.size(), kSamplingFrames); ++k) {
      // np.linspace(0, n - 1, 64, dtype=int): k * step truncated, the last exactly n - 1.
      const double step = static_cast<double>(frames.size() - 1) / (kSamplingFrames - 1);
      picked.push_back(frames.size() <= kSamplingFrames ? k
                       : k + 1 == kSamplingFrames      ? frames.size() - 1
                                                       : static_cast<size_t>(static_cast<double>(k) * step));
    }
    for (size_t i : picked) {
      parts.push_back("Frame from " + timestamp(i) + ":");
      parts.push_back("<image>");
      p.images.push_back(frames[i]);
    }
    parts.push_back("\n");
  }
  for (const MessagePart* text : texts) parts.push_back(python_strip(text->text));
  parts.push_back("<end_of_utterance>");
  parts.push_back("\nAssistant:");
  for (size_t i = 0; i < parts.size(); ++i) p.text += (i ? " " : "") + parts[i];
  if (contains(p.text, "Options:"))
    p.text = replace_all(p.text, {{"Options:", "Choices:"}, {kSelect, "Answer with the letter."}});
  return p;
}

}  // namespace

WrapperPrompt wrapper_prompt(PromptStyle style, Task task, const DatasetMessage& message) {
  const Replacements none;
  if (style == PromptStyle::Plain) return interleaved(message, none, kEnd);
  switch (task) {
    case Task::MMMU: return mmmu(message);
    case Task::MathVista: return mathvista(message);
    case Task::ChartQA: return fixed_head(message, chartqa_head(style), none);
    case Task::DocVQA: return fixed_head(message, kDocVqaHead, none);
    case Task::TextVQA: return fixed_head(message, kTextVqaHead, none);
    case Task::InfoVQA:
    case Task::OCRBench: return interleaved(message, none, "\nGive a very brief answer." + kEnd);
    case Task::CinePile:  // no VLMEvalKit wrapper: ours, the multiple-choice wording (eval/cinepile.h)
      if (style == PromptStyle::SmolVLM2) return video(message);
      [[fallthrough]];
    case Task::MMStar:
    case Task::AI2D:
    case Task::ScienceQA:
      return interleaved(message, {{"\nOptions:", "\nChoices:"}, {kSelect, "Answer with the letter."}},
                         "<end_of_utterance>\nAssistant: Answer:");
    case Task::VideoMME:
      if (style == PromptStyle::SmolVLM2) return video(message);
      break;
    case Task::VQAv2: break;
  }
  return interleaved(message, none, kEnd);
}

}  // namespace smolvlm::eval
