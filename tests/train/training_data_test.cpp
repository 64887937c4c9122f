// Conversations of fixtures/training/data/sft.jsonl through SftEncoder against
// transformers 4.51.3's processor output (sft_encoded.json): the stripped
// template text, the input ids, both label masks, and the image features
// (one row per <image> id; values as the image fixture case computes them).
#include "train/training_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "common/fixtures.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "train/python_strip.h"

namespace smolvlm::train {
namespace {

using testing::fixtures_dir;
using testing::TempDir;

std::string model_dir() { return fixtures_dir() + "/models/tiny-smolvlm-256m"; }
std::string data_dir() { return fixtures_dir() + "/training/data"; }

LoadedModel& tiny_model() {
  static LoadedModel model(model_dir());
  return model;
}

SftEncoder& encoder() {
  static SftEncoder e(tiny_model(), model_dir());
  return e;
}

const Json& golden_examples() {
  static const Json golden = read_json_file(data_dir() + "/sft_encoded.json")["examples"];
  return golden;
}

const SftDataset& fixture_data() {
  static const SftDataset data = read_sft_jsonl(data_dir() + "/sft.jsonl", BadLinePolicy::Stop);
  return data;
}

int64_t golden_tiles(const Json& g) {
  return g["pixel_values_shape"].is_null() ? 0 : g["pixel_values_shape"][1].get<int64_t>();
}

TEST(TrainingData, EveryConversationEncodesAsTheNotebookProcessor) {
  ASSERT_EQ(fixture_data().records.size(), golden_examples().size());
  const int64_t hidden = tiny_model().config.text.hidden_size;
  for (size_t i = 0; i < golden_examples().size(); ++i) {
    SCOPED_TRACE("conversation " + std::to_string(i));
    const Json& g = golden_examples()[i];
    const SftEncoding e = encoder().encode(fixture_data().records[i].messages, LabelMasking::Notebook);
    EXPECT_EQ(e.text, g["text"].get<std::string>());
    EXPECT_EQ(Json(e.example.input_ids), g["input_ids"]);
    EXPECT_EQ(Json(e.example.labels), g["labels_notebook"]);
    EXPECT_TRUE(e.example.connector_inputs.empty());
    const auto image_ids = std::count(e.example.input_ids.begin(), e.example.input_ids.end(), 49190);
    EXPECT_EQ(image_ids, golden_tiles(g) * 64);
    EXPECT_EQ(static_cast<int64_t>(e.example.image_features.size()), image_ids * hidden);
    int64_t tiles = 0;
    for (const ImageLayout& l : e.images) tiles += l.tiles;
    EXPECT_EQ(tiles, golden_tiles(g));
  }
}

TEST(TrainingData, AssistantOnlyLabelsMatchTheGoldens) {
  for (size_t i = 0; i < golden_examples().size(); ++i) {
    SCOPED_TRACE("conversation " + std::to_string(i));
    const Json& g = golden_examples()[i];
    const SftEncoding e = encoder().encode(fixture_data().records[i].messages, LabelMasking::AssistantOnly);
    EXPECT_EQ(Json(e.example.input_ids), g["input_ids"]);
    EXPECT_EQ(Json(e.example.labels), g["labels_assistant_only"]);
  }
}

TEST(TrainingData, ImageFeaturesAreTheVisionTowerOutputInTokenOrder) {
  // Conversation 0 holds photo_320x240.jpg alone, as the image_rgb_jpeg case
  // does (same checkpoint, load_image): its features are that case's.
  const SftEncoding e = encoder().encode(fixture_data().records[0].messages, LabelMasking::Notebook);
  const TensorStore golden =
      TensorStore::open_file(fixtures_dir() + "/cases/tiny-smolvlm-256m/image_rgb_jpeg/golden.safetensors");
  const std::vector<float> expected = to_f32(golden.get("image_hidden_states"));
  ASSERT_EQ(e.example.image_features.size(), expected.size());
  double err = 0;
  for (size_t k = 0; k < expected.size(); ++k) err = std::max(err, double(std::fabs(e.example.image_features[k] - expected[k])));
  EXPECT_LE(err, 1e-4);
}

TEST(TrainingData, ImageFeaturesAreThoseOfTheConversationPath) {
  // The gradient goldens' tests feed features from PromptBuilder::prepare of
  // the conversation; the text path must give the same rows, two images in order.
  for (size_t i : {0, 2, 3}) {
    SCOPED_TRACE("conversation " + std::to_string(i));
    const Conversation& c = fixture_data().records[i].messages;
    GenerationOptions options;
    options.add_generation_prompt = false;
    options.keep_image_tensors = true;
    const PreparedPrompt p = tiny_model().prompts.prepare(c, options);
    EXPECT_EQ(encoder().encode(c, LabelMasking::Notebook).example.image_features, p.image_hidden_states);
  }
}

TEST(TrainingData, TooLongSequencesAreSkippedWholeAndCounted) {
  // Conversation 2 (two images) has 1749 tokens, the others at most 887.
  const SftExamples out = build_sft_examples(fixture_data(), encoder(), LabelMasking::Notebook, 1000,
                                             BadLinePolicy::Stop);
  EXPECT_EQ(out.skipped_too_long, 1);
  EXPECT_EQ(out.lines, (std::vector<int64_t>{1, 2, 4}));
  ASSERT_EQ(out.examples.size(), 3u);
  EXPECT_EQ(Json(out.examples[2].input_ids), golden_examples()[3]["input_ids"]);
  const SftExamples all = build_sft_examples(fixture_data(), encoder(), LabelMasking::Notebook, 0,
                                             BadLinePolicy::Stop);
  EXPECT_EQ(all.examples.size(), 4u);
  EXPECT_EQ(all.skipped_too_long, 0);
}

TEST(TrainingData, TextLongerThanTheModelIsSkippedBeforeAnyImageWork) {
  // 9000 words: past max_length, and past max_position_embeddings (8192),
  // which prepare_text refuses; the text's own count skips it first.
  std::string words;
  for (int i = 0; i < 9000; ++i) words += " word";
  SftDataset data;
  data.path = "memory.jsonl";
  data.records.push_back({7, {{"user", {Content::text_item(words)}}, {"assistant", {Content::text_item("ok")}}}});
  const SftExamples skipped = build_sft_examples(data, encoder(), LabelMasking::Notebook, 2048, BadLinePolicy::Stop);
  EXPECT_EQ(skipped.skipped_too_long, 1);
  EXPECT_TRUE(skipped.examples.empty());
  // Without a limit the model's own limit is a line error.
  const SftExamples refused = build_sft_examples(data, encoder(), LabelMasking::Notebook, 0, BadLinePolicy::Skip);
  ASSERT_EQ(refused.bad_lines.size(), 1u);
  EXPECT_EQ(refused.bad_lines[0].line, 7);
  EXPECT_NE(refused.bad_lines[0].problem.find("max_position_embeddings"), std::string::npos);
}

TEST(TrainingData, ConnectorInputsAreTheRowsTheConnectorProjects) {
  // Idefics3Connector: features = proj(pixel-shuffled tower output), a linear
  // map without bias; each image token's connector input row maps to its row.
  SftEncoder with_inputs(tiny_model(), model_dir(), /*connector_inputs=*/true);
  const SftEncoding e = with_inputs.encode(fixture_data().records[3].messages, LabelMasking::Notebook);
  const SftEncoding plain = encoder().encode(fixture_data().records[3].messages, LabelMasking::Notebook);
  EXPECT_EQ(e.example.image_features, plain.example.image_features);
  const std::vector<float> w = to_f32(tiny_model().weights.get("model.connector.modality_projection.proj.weight"));
  const int64_t hidden = tiny_model().config.text.hidden_size;
  const int64_t in_dim = static_cast<int64_t>(w.size()) / hidden;
  const int64_t rows = std::count(e.example.input_ids.begin(), e.example.input_ids.end(), 49190);
  ASSERT_EQ(static_cast<int64_t>(e.example.connector_inputs.size()), rows * in_dim);
  double err = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < hidden; ++o) {
      double y = 0;
      for (int64_t k = 0; k < in_dim; ++k) y += double(w[o * in_dim + k]) * e.example.connector_inputs[r * in_dim + k];
      err = std::max(err, std::fabs(y - e.example.image_features[r * hidden + o]));
    }
  EXPECT_LE(err, 1e-4);
  EXPECT_TRUE(plain.example.connector_inputs.empty());
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(TrainingData, ImageThatFailsToLoadIsALineError) {
  TempDir dir;
  write_file(dir.file("broken.jpg"), "not a JPEG at all");
  std::ifstream src(fixtures_dir() + "/images/small_64x48.png", std::ios::binary);
  write_file(dir.file("ok.png"), std::string(std::istreambuf_iterator<char>(src), {}));
  const std::string turn = R"(, {"role": "assistant", "content": [{"type": "text", "text": "Blue"}]}]})";
  write_file(dir.file("data.jsonl"),
             R"({"messages": [{"role": "user", "content": [{"type": "image", "path": "ok.png"}]})" + turn + "\n" +
                 R"({"messages": [{"role": "user", "content": [{"type": "image", "path": "broken.jpg"}]})" + turn +
                 "\n");
  const SftDataset data = read_sft_jsonl(dir.file("data.jsonl"), BadLinePolicy::Skip);
  ASSERT_EQ(data.records.size(), 2u);  // the file exists: decoding finds the problem

  const SftExamples skipped = build_sft_examples(data, encoder(), LabelMasking::Notebook, 0, BadLinePolicy::Skip);
  EXPECT_EQ(skipped.lines, (std::vector<int64_t>{1}));
  ASSERT_EQ(skipped.bad_lines.size(), 1u);
  EXPECT_EQ(skipped.bad_lines[0].line, 2);
  EXPECT_NE(skipped.bad_lines[0].problem.find("broken.jpg"), std::string::npos) << skipped.bad_lines[0].problem;
  try {
    build_sft_examples(data, encoder(), LabelMasking::Notebook, 0, BadLinePolicy::Stop);
    FAIL() << "a corrupt image under stop";
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), dir.file("data.jsonl") + ":2");
  }
}

TEST(TrainingData, PadTokenIsTheTokenizers) {
  EXPECT_EQ(encoder().token_ids().pad, std::optional<int32_t>(2));  // <|im_end|>
  EXPECT_EQ(encoder().token_ids().image, 49190);
  EXPECT_EQ(encoder().token_ids().end_of_utterance, 49279);
}

TEST(PythonStrip, CutsWhatStrIsspaceAccepts) {
  EXPECT_EQ(python_strip("<a>\n"), "<a>");
  EXPECT_EQ(python_strip(" \t\r\n\v\f\x1c\x1f x y \n"), "x y");
  EXPECT_EQ(python_strip("\u3000\u00a0x\u2029\u0085"), "x");  // ideographic, no-break, paragraph sep, NEL
  EXPECT_EQ(python_strip("\u200bx\u200b"), "\u200bx\u200b");   // zero-width space is not whitespace in Python
  EXPECT_EQ(python_strip("   "), "");
  EXPECT_EQ(python_strip("x\xa0"), "x\xa0");  // a stray byte is not a code point, kept
  const StrippedRange r = python_strip_range("\n\nab\n");
  EXPECT_EQ(r.begin, 2u);
  EXPECT_EQ(r.end, 4u);
}

}  // namespace
}  // namespace smolvlm::train
