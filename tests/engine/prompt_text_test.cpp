// Engine::generate_from_text / PromptBuilder::prepare_text: a finished prompt
// text with its images (as VLMEvalKit's SmolVLM wrappers hand the processor)
// runs exactly as the conversation whose template output it is.
#include <gtest/gtest.h>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "smolvlm.h"

namespace smolvlm {
namespace {

struct FixtureCase {
  std::string model;
  Conversation conversation;
  int64_t max_new_tokens = 0;
};

FixtureCase fixture_case(const std::string& model, const std::string& name) {
  const std::string dir = testing::fixtures_dir() + "/cases/" + model + "/" + name;
  const Json input = read_json_file(dir + "/input.json");
  return {model, parse_conversation_json(input["messages"].dump(), dir), input.value("max_new_tokens", 8)};
}

std::vector<Content> images_of(const Conversation& conversation) {
  std::vector<Content> images;
  for (const Message& m : conversation)
    for (const Content& c : m.content)
      if (c.kind == Content::Kind::Image) images.push_back(c);
  return images;
}

void expect_same_run(const FixtureCase& c) {
  SCOPED_TRACE(c.model);
  auto engine = Engine::load(testing::fixtures_dir() + "/models/" + c.model);
  GenerationOptions o;
  o.max_new_tokens = c.max_new_tokens;
  o.ignore_eos = true;
  const GenerationResult chat = engine->generate(c.conversation, o);
  const std::vector<Content> images = images_of(c.conversation);
  std::string streamed;
  const GenerationResult text = engine->generate_from_text(chat.rendered_prompt, images, o,
                                                           [&](std::string_view t) { streamed += t; });
  EXPECT_EQ(text.rendered_prompt, chat.rendered_prompt);
  EXPECT_EQ(text.expanded_prompt, chat.expanded_prompt);
  EXPECT_EQ(text.input_ids, chat.input_ids);
  EXPECT_EQ(text.generated_ids, chat.generated_ids);
  EXPECT_EQ(text.logits_last, chat.logits_last);
  EXPECT_EQ(streamed, text.text);
  ASSERT_EQ(text.images.size(), images.size());
  EXPECT_GT(text.images.size(), 0u);
}

TEST(PromptText, RenderedPromptOfAnImageCaseRunsAsTheConversation) {
  expect_same_run(fixture_case("tiny-smolvlm", "image_rgb_jpeg"));
  expect_same_run(fixture_case("tiny-smolvlm2", "image_rgb_jpeg"));
}

TEST(PromptText, TwoInterleavedImagesTakeTheirPlaceholdersInOrder) {
  expect_same_run(fixture_case("tiny-smolvlm-256m", "image_two_interleaved"));
}

TEST(PromptText, PlaceholderCountMustMatchTheImages) {
  auto engine = Engine::load(testing::fixtures_dir() + "/models/tiny-smolvlm");
  const FixtureCase c = fixture_case("tiny-smolvlm", "image_rgb_jpeg");
  GenerationOptions o;
  o.max_new_tokens = 1;
  const std::vector<Content> one = images_of(c.conversation);
  try {
    engine->generate_from_text("<|im_start|>User:<image><image>Hi<end_of_utterance>\nAssistant:", one, o);
    FAIL() << "two placeholders, one image";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("2 <image> placeholders but 1 images"), std::string::npos) << e.what();
  }
  EXPECT_THROW(engine->generate_from_text("<|im_start|>User:<image>Hi", {Content::text_item("x")}, o),
               std::runtime_error);
}

TEST(PromptText, TextOnlyPromptIsTokenizedAsGiven) {
  auto engine = Engine::load(testing::fixtures_dir() + "/models/tiny-smolvlm");
  GenerationOptions o;
  o.max_new_tokens = 2;
  const std::string prompt = "<|im_start|>User: Hello<end_of_utterance>\nAssistant:";
  const GenerationResult r = engine->generate_from_text(prompt, {}, o);
  EXPECT_EQ(r.input_ids, engine->tokenize(prompt));
  EXPECT_EQ(r.expanded_prompt, prompt);
}

}  // namespace
}  // namespace smolvlm
