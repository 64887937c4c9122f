// Video-MME as VLMEvalKit feeds SmolVLM2: frame indices, the dataset message
// (against the prompt golden), and a whole run through the CLI on a fixture
// video whose prompt is the golden's byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "eval/video_frames.h"

namespace smolvlm::eval {
namespace {

namespace fs = std::filesystem;

const Json& videomme_golden() {
  static const Json golden = read_json_file(testing::fixtures_dir() + "/eval/prompts/videomme.json")[0];
  return golden;
}

const EvalRow kCarRow{"0", {{"question", "What colour is the car?"},
                            {"candidates", "['A. red', 'B. blue', 'C. green', 'D. yellow']"},
                            {"answer", "B"}}};

TEST(VideoMme, FrameIndicesAreSaveVideoFrames) {
  EXPECT_EQ(vlmevalkit_frame_indices(40, 3), (std::vector<int64_t>{10, 20, 30}));
  EXPECT_EQ(vlmevalkit_frame_indices(5, 8), (std::vector<int64_t>{0, 1, 1, 2, 2, 3, 3, 4}));
  EXPECT_EQ(vlmevalkit_frame_indices(100, 1), (std::vector<int64_t>{50}));
}

TEST(VideoMme, DatasetMessageIsTheGoldens) {
  const DatasetMessage message = videomme_message(kCarRow, 3);
  const Json& golden = videomme_golden()["message"];
  ASSERT_EQ(message.size(), golden.size());
  for (size_t i = 0; i < message.size(); ++i) {
    EXPECT_EQ(message[i].kind == MessagePart::Kind::Image, golden[i]["type"] == "image") << i;
    if (message[i].kind == MessagePart::Kind::Text) EXPECT_EQ(message[i].text, golden[i]["value"].get<std::string>());
  }
}

TEST(VideoMme, RunsEndToEndWithTheGoldenPrompt) {
  testing::TempDir dir;
  fs::create_directories(dir.file("video"));
  fs::copy_file(testing::fixtures_dir() + "/videos/clip_h264_320x180_10fps_4s.mp4", dir.file("video/car.mp4"));
  std::ofstream(dir.file("Video-MME.tsv"))
      << "index\tvideo\tduration\tdomain\tcandidates\ttask_type\tquestion\tanswer\n"
      << "0\tcar\tshort\tTraffic\t['A. red', 'B. blue', 'C. green', 'D. yellow']\tColor Recognition\t"
         "What colour is the car?\tB\n"
      << "1\tmissing\tshort\tTraffic\t['A. x', 'B. y']\tCounting\tHow many?\tA\n";
  const std::string out = dir.file("out");
  const auto r = testing::run_command(
      testing::shell_quote(testing::cli_path()) + " eval --model " +
      testing::shell_quote(testing::fixtures_dir() + "/models/tiny-smolvlm2") + " --task videomme --data " +
      testing::shell_quote(dir.file("Video-MME.tsv")) + " --out " + testing::shell_quote(out) +
      " --frames 3 --max-new-tokens 3 --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream samples(out + "/samples.jsonl");
  std::string first, second;
  std::getline(samples, first);
  std::getline(samples, second);
  const Json car = parse_json(first, "line 1"), missing = parse_json(second, "line 2");
  EXPECT_EQ(car["prompt"], videomme_golden()["SmolVLM2"]["text"]);
  EXPECT_TRUE(car["error"].is_null()) << first;
  EXPECT_TRUE(car["score"].is_number()) << first;
  EXPECT_EQ(car["category"], "Color Recognition");
  EXPECT_EQ(car["split"], "short");
  EXPECT_NE(missing["error"].get<std::string>().find("missing.mp4"), std::string::npos) << second;
  const Json summary = read_json_file(out + "/summary.json");
  EXPECT_EQ(summary["samples"], 2);
  EXPECT_EQ(summary["errors"], 1);
  EXPECT_EQ(summary["per_split"]["short"]["samples"], 2);
}

}  // namespace
}  // namespace smolvlm::eval
