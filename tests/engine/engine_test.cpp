// The public API end to end on a fixture checkpoint: streaming, stop strings,
// EOS handling, sampling knobs and budgets.
#include <gtest/gtest.h>

#include "common/fixtures.h"
#include "smolvlm.h"

namespace smolvlm {
namespace {

class EngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { engine_ = Engine::load(testing::fixtures_dir() + "/models/tiny-smolvlm-256m").release(); }
  static void TearDownTestSuite() { delete engine_; }
  static Conversation question() { return {{"user", {Content::text_item("What is the capital of France?")}}}; }
  static Engine* engine_;
};
Engine* EngineTest::engine_ = nullptr;

TEST_F(EngineTest, StreamedTextEqualsFinalTextAndDecode) {
  GenerationOptions o;
  o.max_new_tokens = 24;
  std::string streamed;
  const GenerationResult r = engine_->generate(question(), o, [&](std::string_view t) { streamed += t; });
  EXPECT_EQ(streamed, r.text);
  EXPECT_EQ(r.text, engine_->detokenize(r.generated_ids, true));
  EXPECT_EQ(r.generated_ids.size(), 24u);
  EXPECT_EQ(r.finish_reason, "length");
  EXPECT_EQ(r.timings.prompt_tokens, static_cast<int64_t>(r.input_ids.size()));
}

TEST_F(EngineTest, StopStringCutsTheAnswerAndNeverStreamsIt) {
  GenerationOptions o;
  o.max_new_tokens = 24;
  const GenerationResult full = engine_->generate(question(), o);
  ASSERT_GT(full.text.size(), 12u);
  const std::string stop = full.text.substr(8, 4);  // a piece of the greedy answer
  o.stop_strings = {stop};
  std::string streamed;
  const GenerationResult cut = engine_->generate(question(), o, [&](std::string_view t) { streamed += t; });
  EXPECT_EQ(cut.finish_reason, "stop");
  EXPECT_EQ(cut.text, full.text.substr(0, full.text.find(stop)));
  EXPECT_EQ(streamed, cut.text);
  EXPECT_LT(cut.generated_ids.size(), full.generated_ids.size());
}

TEST_F(EngineTest, SeededSamplingRepeatsAndDiffersFromGreedy) {
  GenerationOptions o;
  o.max_new_tokens = 16;
  o.do_sample = true;
  o.temperature = 1.5;
  o.top_k = 0;
  o.seed = 7;
  const GenerationResult a = engine_->generate(question(), o), b = engine_->generate(question(), o);
  EXPECT_EQ(a.generated_ids, b.generated_ids);
  o.seed = 8;
  const GenerationResult c = engine_->generate(question(), o);
  EXPECT_NE(a.generated_ids, c.generated_ids);
}

TEST_F(EngineTest, InvalidSamplingParametersAreRejected) {
  GenerationOptions o;
  o.do_sample = true;
  o.top_p = 1.5;
  EXPECT_THROW(engine_->generate(question(), o), std::runtime_error);
}

TEST_F(EngineTest, MultiTurnRendersEveryTurn) {
  Conversation chat = {{"system", {Content::text_item("Be brief.")}},
                       {"user", {Content::text_item("Hi")}},
                       {"assistant", {Content::text_item("Hello!")}},
                       {"user", {Content::text_item("Bye")}}};
  const std::string prompt = engine_->render_prompt(chat, true);
  EXPECT_EQ(prompt,
            "<|im_start|>System: Be brief.<end_of_utterance>\nUser: Hi<end_of_utterance>\nAssistant: "
            "Hello!<end_of_utterance>\nUser: Bye<end_of_utterance>\nAssistant:");
}

TEST_F(EngineTest, ZeroBudgetRunsPromptOnly) {
  GenerationOptions o;
  o.max_new_tokens = 0;
  const GenerationResult r = engine_->generate(question(), o);
  EXPECT_TRUE(r.generated_ids.empty());
  EXPECT_EQ(r.logits_last.size(), static_cast<size_t>(engine_->vocab_size()));
}

TEST(ConversationJson, ParsesStringAndListContentAndResolvesImagePaths) {
  const Conversation c = parse_conversation_json(
      R"([{"role":"user","content":[{"type":"image","path":"a.png"},{"type":"text","text":"Hi"}]},)"
      R"({"role":"assistant","content":"Hello"}])",
      "/data");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].content[0].kind, Content::Kind::Image);
  EXPECT_EQ(c[0].content[0].image_path, "/data/a.png");
  EXPECT_EQ(c[1].content[0].text, "Hello");
  EXPECT_THROW(parse_conversation_json(R"([{"role":"user","content":[{"type":"audio"}]}])"), std::runtime_error);
  EXPECT_THROW(parse_conversation_json(R"({"role":"user"})"), std::runtime_error);
}

}  // namespace
}  // namespace smolvlm
