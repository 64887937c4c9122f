// Every prompt golden of /work/shared/fixtures/eval/prompts reproduced byte for
// byte: the dataset's message (VLMEvalKit build_prompt) and the exact text and
// image order the SmolVLM and SmolVLM2 wrappers hand the processor.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "eval/eval_prompts.h"

namespace smolvlm::eval {
namespace {

namespace fs = std::filesystem;

// The golden's image names: "a.jpg" or "['a.jpg', 'b.jpg']".
std::vector<std::string> image_names(const std::string& image_path) {
  if (image_path.empty() || image_path.front() != '[') return {image_path};
  std::vector<std::string> names;
  for (size_t q = image_path.find('\''); q != std::string::npos; q = image_path.find('\'', q + 1)) {
    const size_t end = image_path.find('\'', q + 1);
    names.push_back(image_path.substr(q + 1, end - q - 1));
    q = end;
  }
  return names;
}

EvalRow row_of(const Json& tsv_row) {
  EvalRow row;
  for (const auto& [key, value] : tsv_row.items()) {
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    if (key == "index") row.index = text;
    else if (key != "image_path") row.fields[key] = text;
  }
  return row;
}

Json message_json(const DatasetMessage& message, const std::vector<std::string>& names) {
  Json out = Json::array();
  for (const MessagePart& part : message)
    out.push_back(part.kind == MessagePart::Kind::Image ? Json{{"type", "image"}, {"value", names.at(part.image)}}
                                                        : Json{{"type", "text"}, {"value", part.text}});
  return out;
}

DatasetMessage message_of(const Json& golden_message, std::vector<std::string>& names) {
  DatasetMessage message;
  for (const Json& part : golden_message) {
    if (part["type"] == "image") {
      names.push_back(part["value"].get<std::string>());
      message.push_back(MessagePart::image_part(names.size() - 1));
    } else {
      message.push_back(MessagePart::text_part(part["value"].get<std::string>()));
    }
  }
  return message;
}

void expect_wrapper(const Json& golden, PromptStyle style, Task task, const DatasetMessage& message,
                    const std::vector<std::string>& names) {
  const std::string key = style == PromptStyle::SmolVLM ? "SmolVLM" : "SmolVLM2";
  if (!golden.contains(key)) return;
  SCOPED_TRACE(key);
  const WrapperPrompt prompt = wrapper_prompt(style, task, message);
  EXPECT_EQ(prompt.text, golden[key]["text"].get<std::string>());
  std::vector<std::string> images;
  for (size_t i : prompt.images) images.push_back(names.at(i));
  EXPECT_EQ(Json(images), golden[key]["images"]);
}

TEST(PromptGoldens, EveryTaskAndBothWrappersByteForByte) {
  size_t checked = 0;
  for (const auto& file : fs::directory_iterator(testing::fixtures_dir() + "/eval/prompts")) {
    const Task task = parse_task(file.path().stem().string());
    for (const Json& golden : read_json_file(file.path().string())) {
      SCOPED_TRACE(file.path().filename().string() + " " + golden.value("dataset", ""));
      std::vector<std::string> names;
      DatasetMessage message;
      if (golden.contains("tsv_row")) {
        names = image_names(golden["tsv_row"]["image_path"].get<std::string>());
        message = dataset_message(task, row_of(golden["tsv_row"]), names.size());
        EXPECT_EQ(message_json(message, names), golden["message"]);
      } else {
        message = message_of(golden["message"], names);  // Video-MME: the message is given
      }
      expect_wrapper(golden, PromptStyle::SmolVLM, task, message, names);
      expect_wrapper(golden, PromptStyle::SmolVLM2, task, message, names);
      ++checked;
    }
  }
  EXPECT_GE(checked, 16u);
}

TEST(PromptRules, OptionCellsPandasReadsAsNanAreNoOptions) {
  EvalRow row{"7", {{"question", "Pick one"}, {"A", "yes"}, {"B", "None"}, {"C", ""}, {"hint", "nan"}}};
  const DatasetMessage m = dataset_message(Task::AI2D, row, 1);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[1].text, "Question: Pick one\nOptions:\nA. yes\nPlease select the correct answer from the options above. \n");
}

TEST(PromptRules, MmmuImageTagsMustNameAnImageOfTheRow) {
  EvalRow row{"3", {{"question", "See <image 2>"}, {"A", "x"}, {"B", "y"}}};
  EXPECT_THROW(dataset_message(Task::MMMU, row, 1), std::runtime_error);
  EvalRow bad_tag{"4", {{"question", "See <image x>"}}};
  EXPECT_THROW(dataset_message(Task::MMMU, bad_tag, 1), std::runtime_error);
}

TEST(PromptRules, PlainStyleIsTheDefaultBuilderWhateverTheTask) {
  EvalRow row{"0", {{"question", " What? "}}};
  const WrapperPrompt p = wrapper_prompt(PromptStyle::Plain, Task::DocVQA, dataset_message(Task::DocVQA, row, 1));
  EXPECT_EQ(p.text,
            "<|im_start|>User:<image>What? \nAnswer the question using a single word or phrase.<end_of_utterance>\nAssistant:");
  EXPECT_EQ(parse_prompt_style("smolvlm2"), PromptStyle::SmolVLM2);
  EXPECT_THROW(parse_prompt_style("llava"), std::runtime_error);
}

TEST(PromptRules, PythonStripRemovesUnicodeSpaces) {
  EXPECT_EQ(python_strip("\u3000 a b\u00a0\n"), "a b");
  EXPECT_EQ(python_strip("  "), "");
  EXPECT_EQ(python_strip("caf\xc3\xa9"), "caf\xc3\xa9");
}

}  // namespace
}  // namespace smolvlm::eval
