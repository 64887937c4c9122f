// The SFT JSONL reader: the fixture file's conversations with their images
// resolved against the file's folder, and every kind of bad line reported
// with its line number, skipped or stopping the run per --on-bad-line.
#include "train/sft_data.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/fixtures.h"
#include "core/error.h"

namespace smolvlm::train {
namespace {

using testing::fixtures_dir;
using testing::TempDir;

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(SftData, ReadsTheFixtureConversations) {
  const std::string path = fixtures_dir() + "/training/data/sft.jsonl";
  const SftDataset data = read_sft_jsonl(path, BadLinePolicy::Stop);
  EXPECT_EQ(data.path, path);
  EXPECT_TRUE(data.bad_lines.empty());
  ASSERT_EQ(data.records.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(data.records[i].line, static_cast<int64_t>(i + 1));
  const Conversation& first = data.records[0].messages;
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].role, "user");
  ASSERT_EQ(first[0].content[0].kind, Content::Kind::Image);
  // "../../images/photo_320x240.jpg" relative to training/data/.
  EXPECT_TRUE(std::filesystem::equivalent(first[0].content[0].image_path, fixtures_dir() + "/images/photo_320x240.jpg"));
  EXPECT_EQ(first[1].content[0].text, "A small room with a window and a lamp.");
  EXPECT_EQ(data.records[1].messages.size(), 5u);  // system + two exchanges
  EXPECT_EQ(data.records[2].messages[0].content.size(), 5u);  // text, image, text, image, text
}

// Line 1 good, 2 blank (ignored), then one bad line of each kind, the last good.
std::string mixed_file(const TempDir& dir) {
  std::ifstream src(fixtures_dir() + "/images/small_64x48.png", std::ios::binary);
  write_file(dir.file("img.png"), std::string(std::istreambuf_iterator<char>(src), {}));
  const std::string answer = R"({"role": "assistant", "content": [{"type": "text", "text": "Blue"}]})";
  const std::string good =
      R"({"messages": [{"role": "user", "content": [{"type": "image", "path": "img.png"}, {"type": "text", "text": "Colour?"}]}, )" +
      answer + "]}";
  const std::string lines[] = {
      good,
      "   ",
      R"({"messages": [{"role": "user", "content": "hi"}, )",  // 3: malformed JSON
      R"({"conversation": []})",                                 // 4: no messages
      R"({"messages": [{"role": "user", "content": [{"type": "image", "path": "missing.png"}]}, )" + answer + "]}",
      R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]})",  // 6: no assistant turn
      R"({"messages": [{"content": "no role"}, )" + answer + "]}",                          // 7
      good,
  };
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  write_file(dir.file("data.jsonl"), text);
  return dir.file("data.jsonl");
}

TEST(SftData, SkipReportsEveryBadLineWithItsNumber) {
  TempDir dir;
  const SftDataset data = read_sft_jsonl(mixed_file(dir), BadLinePolicy::Skip);
  ASSERT_EQ(data.records.size(), 2u);
  EXPECT_EQ(data.records[0].line, 1);
  EXPECT_EQ(data.records[1].line, 8);
  EXPECT_EQ(data.records[1].messages[0].content[0].image_path, dir.file("img.png"));
  ASSERT_EQ(data.bad_lines.size(), 5u);
  const std::pair<int64_t, std::string> expected[] = {
      {3, "JSON"}, {4, "messages"}, {5, "missing.png"}, {6, "no assistant turn"}, {7, "role"}};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(data.bad_lines[i].line, expected[i].first);
    EXPECT_NE(data.bad_lines[i].problem.find(expected[i].second), std::string::npos) << data.bad_lines[i].problem;
  }
}

TEST(SftData, StopThrowsAtTheFirstBadLine) {
  TempDir dir;
  const std::string path = mixed_file(dir);
  try {
    read_sft_jsonl(path, BadLinePolicy::Stop);
    FAIL() << "line 3 is malformed";
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), path + ":3");
  }
}

TEST(SftData, VideoItemsAndMissingFilesAreRefused) {
  TempDir dir;
  write_file(dir.file("v.jsonl"),
             R"({"messages": [{"role": "user", "content": [{"type": "video", "path": "clip.mp4"}]}, {"role": "assistant", "content": "ok"}]})"
             "\n");
  const SftDataset data = read_sft_jsonl(dir.file("v.jsonl"), BadLinePolicy::Skip);
  ASSERT_EQ(data.bad_lines.size(), 1u);
  EXPECT_NE(data.bad_lines[0].problem.find("video"), std::string::npos);
  EXPECT_THROW(read_sft_jsonl(dir.file("absent.jsonl"), BadLinePolicy::Skip), Error);
}

TEST(SftData, BadLinePolicyNames) {
  EXPECT_EQ(parse_bad_line_policy("skip"), BadLinePolicy::Skip);
  EXPECT_EQ(parse_bad_line_policy("stop"), BadLinePolicy::Stop);
  EXPECT_THROW(parse_bad_line_policy("ignore"), Error);
}

}  // namespace
}  // namespace smolvlm::train
