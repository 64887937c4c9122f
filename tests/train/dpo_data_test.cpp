// DPO pairs of fixtures/training/data/dpo.jsonl (RLAIF-V layout) split and
// tokenized as TRL's DPOTrainer does, against dpo/golden.json (prompt text,
// prompt length, completion texts and ids), and the reader's bad lines.
#include "train/dpo_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "common/fixtures.h"
#include "core/error.h"
#include "engine/loaded_model.h"

namespace smolvlm::train {
namespace {

using testing::fixtures_dir;
using testing::TempDir;

std::string model_dir() { return fixtures_dir() + "/models/tiny-smolvlm-256m"; }

LoadedModel& tiny_model() {
  static LoadedModel model(model_dir());
  return model;
}

const DpoDataset& fixture_data() {
  static const DpoDataset data = read_dpo_jsonl(fixtures_dir() + "/training/data/dpo.jsonl", BadLinePolicy::Stop);
  return data;
}

const Json& golden_pairs() {
  static const Json golden = read_json_file(fixtures_dir() + "/training/dpo/golden.json")["pairs"];
  return golden;
}

std::string answer_of(const Conversation& completion) { return completion.at(0).content.at(0).text; }

TEST(DpoData, ReadsTheFixturePairsWithTheirImages) {
  ASSERT_EQ(fixture_data().records.size(), 3u);
  const DpoRecord& first = fixture_data().records[0];
  EXPECT_EQ(first.line, 1);
  ASSERT_EQ(first.prompt[0].content[0].kind, Content::Kind::Image);
  EXPECT_EQ(first.prompt[0].content[0].image_path, fixtures_dir() + "/images/photo_320x240.jpg");
  EXPECT_EQ(answer_of(first.chosen), "A small indoor scene with soft colours.");
  EXPECT_EQ(fixture_data().records[2].prompt[0].content.size(), 1u);  // text only, "images": []
}

TEST(DpoData, SplitIsTrlsPromptAndCompletion) {
  for (size_t i = 0; i < golden_pairs().size(); ++i) {
    SCOPED_TRACE("pair " + std::to_string(i));
    const DpoRecord& r = fixture_data().records[i];
    const DpoTexts t = split_dpo_texts(
        [](const Conversation& c, bool gen) { return tiny_model().prompts.render(c, gen); }, r);
    EXPECT_EQ(t.prompt, golden_pairs()[i]["prompt_text"].get<std::string>());
    // README "DPO": the completion is " <answer><end_of_utterance>\n".
    EXPECT_EQ(t.chosen, std::string(" ").append(answer_of(r.chosen)).append("<end_of_utterance>\n"));
    EXPECT_EQ(t.rejected, std::string(" ").append(answer_of(r.rejected)).append("<end_of_utterance>\n"));
    EXPECT_EQ(t.chosen, golden_pairs()[i]["chosen_text"].get<std::string>());
    EXPECT_EQ(t.rejected, golden_pairs()[i]["rejected_text"].get<std::string>());
  }
}

std::vector<int32_t> tail(const std::vector<int32_t>& v, size_t from) { return {v.begin() + from, v.end()}; }

TEST(DpoData, PairsAreThePromptIdsThenTheCompletionIds) {
  const int64_t hidden = tiny_model().config.text.hidden_size;
  for (size_t i = 0; i < golden_pairs().size(); ++i) {
    SCOPED_TRACE("pair " + std::to_string(i));
    const Json& g = golden_pairs()[i];
    const DpoPair p = encode_dpo_pair(tiny_model().prompts, fixture_data().records[i]);
    EXPECT_EQ(p.prompt_length, g["prompt_ids_len"].get<int64_t>());
    const auto plen = static_cast<size_t>(p.prompt_length);
    EXPECT_EQ(Json(tail(p.chosen.input_ids, plen)), g["chosen_completion_ids"]);
    EXPECT_EQ(Json(tail(p.rejected.input_ids, plen)), g["rejected_completion_ids"]);
    EXPECT_TRUE(std::equal(p.chosen.input_ids.begin(), p.chosen.input_ids.begin() + p.prompt_length,
                           p.rejected.input_ids.begin()));
    for (const TrainingExample* ex : {&p.chosen, &p.rejected}) {
      // The loss sums exactly the completion positions.
      ASSERT_EQ(ex->labels.size(), ex->input_ids.size());
      EXPECT_TRUE(std::all_of(ex->labels.begin(), ex->labels.begin() + p.prompt_length,
                              [](int32_t l) { return l == kIgnoreLabel; }));
      EXPECT_EQ(tail(ex->labels, plen), tail(ex->input_ids, plen));
      const auto image_ids = std::count(ex->input_ids.begin(), ex->input_ids.end(), 49190);
      EXPECT_EQ(image_ids, i < 2 ? 13 * 64 : 0);  // both pictures split into 12 tiles + the global one
      EXPECT_EQ(static_cast<int64_t>(ex->image_features.size()), image_ids * hidden);
    }
    EXPECT_EQ(p.chosen.input_ids[0], 1);  // <|im_start|> from the template, none added
  }
}

TEST(DpoData, SplitFollowsTrlWhenThePromptShrinks) {
  // A template whose generation prompt is not what the completion renders
  // after it: TRL cuts the prompt to the common prefix, first with chosen,
  // then with rejected, and leaves chosen as cut at the first step.
  DpoRecord r;
  r.prompt = {{"user", {Content::text_item("q")}}};
  r.chosen = {{"assistant", {Content::text_item("yes")}}};
  r.rejected = {{"assistant", {Content::text_item("no")}}};
  const auto render = [](const Conversation& c, bool gen) -> std::string {
    if (c.size() == 1) return gen ? "Q|A:x" : "Q|";
    return c[1].content[0].text == "yes" ? "Q|A:yes" : "Q|B:no";
  };
  const DpoTexts t = split_dpo_texts(render, r);
  EXPECT_EQ(t.prompt, "Q|");
  EXPECT_EQ(t.chosen, "yes");  // cut after "Q|A:" at the chosen step
  EXPECT_EQ(t.rejected, "B:no");
}

TEST(DpoData, CommonPrefixStopsAtACodePoint) {
  DpoRecord r;
  r.prompt = {{"user", {Content::text_item("q")}}};
  r.chosen = {{"assistant", {Content::text_item("a")}}};
  r.rejected = r.chosen;
  // "é" (C3 A9) and "è" (C3 A8) share their first byte.
  const auto render = [](const Conversation& c, bool) -> std::string { return c.size() == 1 ? "p\u00e9" : "p\u00e8x"; };
  const DpoTexts t = split_dpo_texts(render, r);
  EXPECT_EQ(t.prompt, "p");
  EXPECT_EQ(t.chosen, "\u00e8x");
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// {"member", "member", ...} as one JSON object's text.
std::string object(std::initializer_list<std::string> members) {
  std::string text = "{";
  for (const std::string& m : members) text.append(text.size() > 1 ? ", " : "").append(m);
  return text.append("}");
}

TEST(DpoData, BadLinesAreReportedWithTheirNumbers) {
  TempDir dir;
  std::ifstream src(fixtures_dir() + "/images/small_64x48.png", std::ios::binary);
  write_file(dir.file("img.png"), std::string(std::istreambuf_iterator<char>(src), {}));
  const std::string prompt = R"("prompt": [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Q?"}]}])";
  const std::string chosen = R"("chosen": [{"role": "assistant", "content": [{"type": "text", "text": "A."}]}])";
  const std::string rejected = R"("rejected": [{"role": "assistant", "content": [{"type": "text", "text": "B."}]}])";
  const std::string lines[] = {
      object({prompt, chosen, rejected, R"("images": ["img.png"])"}),
      object({prompt, chosen}).substr(0, 40),                         // 2: malformed
      object({prompt, chosen, R"("images": ["img.png"])"}),           // 3: no rejected
      object({prompt, chosen, rejected, R"("images": [])"}),          // 4: placeholder count
      object({prompt, chosen, rejected, R"("images": ["gone.png"])"}),  // 5: missing file
      object({R"("prompt": [{"role": "assistant", "content": "x"}])", chosen, rejected}),  // 6: not a user turn
  };
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  write_file(dir.file("pairs.jsonl"), text);

  const DpoDataset data = read_dpo_jsonl(dir.file("pairs.jsonl"), BadLinePolicy::Skip);
  ASSERT_EQ(data.records.size(), 1u);
  EXPECT_EQ(data.records[0].prompt[0].content[0].image_path, dir.file("img.png"));
  const std::pair<int64_t, std::string> expected[] = {
      {2, "JSON"}, {3, "rejected"}, {4, "1 image placeholders but 0 images"}, {5, "gone.png"}, {6, "user turn"}};
  ASSERT_EQ(data.bad_lines.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(data.bad_lines[i].line, expected[i].first);
    EXPECT_NE(data.bad_lines[i].problem.find(expected[i].second), std::string::npos) << data.bad_lines[i].problem;
  }
  try {
    read_dpo_jsonl(dir.file("pairs.jsonl"), BadLinePolicy::Stop);
    FAIL() << "line 2 is malformed";
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), dir.file("pairs.jsonl") + ":2");
  }

  const DpoPairs pairs = build_dpo_pairs(data, tiny_model().prompts, 0, BadLinePolicy::Skip);
  EXPECT_EQ(pairs.lines, (std::vector<int64_t>{1}));
  EXPECT_EQ(pairs.bad_lines.size(), 5u);  // the reader's, carried along
  const DpoPairs short_only = build_dpo_pairs(data, tiny_model().prompts, 100, BadLinePolicy::Skip);
  EXPECT_EQ(short_only.skipped_too_long, 1);
  EXPECT_TRUE(short_only.pairs.empty());
}

}  // namespace
}  // namespace smolvlm::train
