// Label masks (fixtures/training/README.md "Label masking"): the notebook's
// pad/<image> masking, and the assistant-only targets found by walking the
// template's turns, checked against the goldens of the text-only conversation
// and on conversations built to trip a text search.
#include "train/label_mask.h"

#include <gtest/gtest.h>

#include "chat/chat_template.h"
#include "common/fixtures.h"
#include "core/error.h"
#include "engine/conversation.h"
#include "train/assistant_spans.h"
#include "train/python_strip.h"
#include "train/training_example.h"

namespace smolvlm::train {
namespace {

using testing::fixtures_dir;

std::string model_dir() { return fixtures_dir() + "/models/tiny-smolvlm-256m"; }

const Tokenizer& tokenizer() {
  static const Tokenizer t = Tokenizer::from_dir(model_dir());
  return t;
}

const ChatTemplate& chat_template() {
  static const ChatTemplate t = ChatTemplate::from_dir(model_dir());
  return t;
}

std::string render(const Conversation& c) { return chat_template().render(conversation_to_json(c, false), false); }

Message text_message(const std::string& role, const std::string& text) { return {role, {Content::text_item(text)}}; }

constexpr int32_t X = kIgnoreLabel;

TEST(NotebookLabels, MaskPadAndImageOnly) {
  const std::vector<int32_t> ids = {1, 49190, 49190, 2, 49279, 198, 0};
  EXPECT_EQ(notebook_labels(ids, 49190, 2), (std::vector<int32_t>{1, X, X, X, 49279, 198, 0}));
  EXPECT_EQ(notebook_labels(ids, 49190, std::nullopt), (std::vector<int32_t>{1, X, X, 2, 49279, 198, 0}));
}

TEST(AssistantOnlyLabels, OnlyTheSpansAreTargets) {
  const std::vector<int32_t> ids = {10, 11, 12, 13, 14, 15};
  const std::vector<TokenSpan> spans = {{1, 3}, {4, 6}};
  EXPECT_EQ(assistant_only_labels(ids, spans), (std::vector<int32_t>{X, 11, 12, X, 14, 15}));
  const std::vector<TokenSpan> outside = {{5, 7}};
  EXPECT_THROW(assistant_only_labels(ids, outside), Error);
}

// The labels assistant-only masking gives a text-only conversation.
std::vector<int32_t> assistant_labels(const Conversation& c, std::vector<int32_t>* ids_out = nullptr) {
  const std::string rendered = render(c);
  std::vector<CharSpan> spans = assistant_target_chars(c, render, rendered, "<end_of_utterance>");
  const std::string text(python_strip(rendered));
  const std::vector<int32_t> ids = tokenizer().encode(text);
  if (ids_out) *ids_out = ids;
  return assistant_only_labels(ids, token_spans_of(text, spans, {}, 0, tokenizer(), ids));
}

TEST(AssistantSpans, TextOnlyGoldenConversation) {
  const Json golden = read_json_file(fixtures_dir() + "/training/data/sft_encoded.json")["examples"][1];
  const Conversation c = {text_message("system", "You are a concise assistant."),
                          text_message("user", "What is the capital of France?"), text_message("assistant", "Paris."),
                          text_message("user", "And of Italy?"),
                          text_message("assistant", "Rome. It is also the largest city.")};
  ASSERT_EQ(std::string(python_strip(render(c))), golden["text"].get<std::string>());
  std::vector<int32_t> ids;
  EXPECT_EQ(Json(assistant_labels(c, &ids)), golden["labels_assistant_only"]);
  EXPECT_EQ(Json(ids), golden["input_ids"]);
}

TEST(AssistantSpans, SpansCoverSpaceAnswerAndEndOfUtterance) {
  const Conversation c = {text_message("user", "Hi"), text_message("assistant", "Hello."),
                          text_message("user", "Bye"), text_message("assistant", "Bye.")};
  const std::string rendered = render(c);
  const std::vector<CharSpan> spans = assistant_target_chars(c, render, rendered, "<end_of_utterance>");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(rendered.substr(spans[0].begin, spans[0].end - spans[0].begin), " Hello.<end_of_utterance>");
  EXPECT_EQ(rendered.substr(spans[1].begin, spans[1].end - spans[1].begin), " Bye.<end_of_utterance>");
}

TEST(AssistantSpans, AnswerRepeatedEarlierInTheTextIsTakenFromItsOwnTurn) {
  // The user's turn contains the answer's exact text, " Bye." included; a
  // search for it would land in the user turn.
  const Conversation c = {text_message("user", "Say Bye.<end_of_utterance>"), text_message("assistant", "Bye.")};
  const std::string rendered = render(c);
  const std::vector<CharSpan> spans = assistant_target_chars(c, render, rendered, "<end_of_utterance>");
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(spans[0].end, python_strip(rendered).size());
  std::vector<int32_t> ids;
  const std::vector<int32_t> labels = assistant_labels(c, &ids);
  // Targets: the ids of " Bye." and <end_of_utterance>, the sequence's last ones; nothing before.
  const size_t n = ids.size(), n_targets = tokenizer().encode(" Bye.").size() + 1;
  std::vector<int32_t> expected(n, X);
  for (size_t t = n - n_targets; t < n; ++t) expected[t] = ids[t];
  EXPECT_EQ(labels, expected);
  EXPECT_EQ(tokenizer().decode(std::vector<int32_t>(ids.end() - n_targets, ids.end()), false),
            " Bye.<end_of_utterance>");
}

TEST(AssistantSpans, TemplateWithoutTheSmolVLMShapeIsRefused) {
  // ChatML (SmolLM2): no " " before the answer, <|im_end|> after it.
  const ChatTemplate chatml = ChatTemplate::from_string(
      "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'][0]['text'] }}<|im_end|>\n{% endfor %}");
  const RenderConversation render_chatml = [&](const Conversation& c) {
    return chatml.render(conversation_to_json(c, false), false);
  };
  const Conversation c = {text_message("user", "Hi"), text_message("assistant", "Hello.")};
  try {
    assistant_target_chars(c, render_chatml, render_chatml(c), "<end_of_utterance>");
    FAIL() << "ChatML has no \": \" + answer + <end_of_utterance>";
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), "messages[1]");
  }
}

TEST(AssistantSpans, AssistantTurnWithAnImageIsRefused) {
  const Conversation c = {text_message("user", "Hi"), {"assistant", {Content::image_item("x.png")}}};
  EXPECT_THROW(assistant_target_chars(c, render, render(c), "<end_of_utterance>"), Error);
}

TEST(TokenSpans, CutThatChangesTheTokensIsRefused) {
  const std::string text = "hello world";
  const std::vector<int32_t> ids = tokenizer().encode(text);
  const std::vector<CharSpan> inside_words = {{2, 8}};
  EXPECT_THROW(token_spans_of(text, inside_words, {}, 0, tokenizer(), ids), Error);
  const std::vector<CharSpan> at_word = {{5, 11}};  // " world"
  const std::vector<TokenSpan> spans = token_spans_of(text, at_word, {}, 0, tokenizer(), ids);
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(tokenizer().decode(std::vector<int32_t>(ids.begin() + spans[0].begin, ids.begin() + spans[0].end), false),
            " world");
  EXPECT_EQ(spans[0].end, ids.size());
}

}  // namespace
}  // namespace smolvlm::train
