// Images through the CLI: tensor dumps, chat turns, and bad image input.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "io/safetensors.h"

namespace smolvlm {
namespace {

using testing::CommandResult;
using testing::shell_quote;
using testing::TempDir;

std::string model(const std::string& name = "tiny-smolvlm-256m") {
  return shell_quote(testing::fixtures_dir() + "/models/" + name);
}
std::string image(const std::string& name) { return shell_quote(testing::fixtures_dir() + "/images/" + name); }
CommandResult smolvlm(const std::string& args) { return testing::run_command(shell_quote(testing::cli_path()) + " " + args); }

void expect_error(const CommandResult& r, const std::string& expected) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("smolvlm: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
}

TEST(CliImage, DumpsPixelValuesMaskAndImageFeatures) {
  TempDir dir;
  const CommandResult r = smolvlm("run --json --model " + model() + " --image " + image("small_64x48.png") +
                                  " --prompt 'Describe.' --max-new-tokens 0 --no-split --dump-tensors " +
                                  shell_quote(dir.file("d.safetensors")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json out = parse_json(r.out, "run output");
  EXPECT_EQ(out["images"][0]["tiles"], 1);
  EXPECT_EQ(out["images"][0]["rows"], 0);
  const TensorStore dump = TensorStore::open_file(dir.file("d.safetensors"));
  EXPECT_EQ(dump.get("pixel_values").shape, (std::vector<int64_t>{1, 1, 3, 512, 512}));
  EXPECT_EQ(dump.get("pixel_attention_mask").shape, (std::vector<int64_t>{1, 1, 512, 512}));
  EXPECT_EQ(dump.get("image_hidden_states").shape, (std::vector<int64_t>{1, 64, 64}));
  EXPECT_EQ(dump.get("logits_last").shape, (std::vector<int64_t>{49280}));
}

TEST(CliImage, ImageMarkersPlaceImagesInThePrompt) {
  const CommandResult r = smolvlm("run --json --model " + model() + " --image " + image("small_64x48.png") + " --image " +
                                  image("tiny_1x1.png") + " --prompt 'A <image> and B <image>?' --max-new-tokens 0 "
                                  "--no-split");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string prompt = parse_json(r.out, "run output")["rendered_prompt"];
  EXPECT_EQ(prompt, "<|im_start|>User: A <image> and B <image>?<end_of_utterance>\nAssistant:");
}

TEST(CliImage, MaxImageEdgeBoundsTheTileCount) {
  const CommandResult full = smolvlm("run --json --max-new-tokens 0 --model " + model() + " --image " +
                                     image("photo_320x240.jpg") + " --prompt hi");
  const CommandResult small = smolvlm("run --json --max-new-tokens 0 --model " + model() + " --image " +
                                      image("photo_320x240.jpg") + " --prompt hi --max-image-edge 1024");
  ASSERT_EQ(full.exit_code, 0) << full.err;
  ASSERT_EQ(small.exit_code, 0) << small.err;
  EXPECT_EQ(parse_json(full.out, "full")["images"][0]["tiles"], 13);
  EXPECT_EQ(parse_json(small.out, "small")["images"][0]["tiles"], 5);
}

TEST(CliImage, BadImagesGiveOneClearError) {
  TempDir dir;
  { std::ofstream(dir.file("empty.png")); }
  { std::ofstream(dir.file("junk.jpg")) << "this is not a jpeg at all"; }
  std::ifstream in(testing::fixtures_dir() + "/images/photo_320x240.jpg", std::ios::binary);
  std::string jpeg((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(dir.file("cut.jpg"), std::ios::binary) << jpeg.substr(0, jpeg.size() / 3);
  for (const char* name : {"empty.png", "junk.jpg", "missing.png"}) {
    SCOPED_TRACE(name);
    expect_error(smolvlm("run --model " + model() + " --image " + shell_quote(dir.file(name)) + " --prompt hi"), name);
  }
  // A truncated JPEG either decodes what is there (as Pillow with LOAD_TRUNCATED_IMAGES would not) or fails cleanly.
  const CommandResult cut = smolvlm("run --model " + model() + " --image " + shell_quote(dir.file("cut.jpg")) +
                                    " --prompt hi --max-new-tokens 1 --no-split");
  EXPECT_TRUE(cut.exit_code == 0 || cut.exit_code == 1) << cut.err;
  if (cut.exit_code == 1) EXPECT_NE(cut.err.find("cut.jpg"), std::string::npos);
}

TEST(CliImage, PlaceholderCountsMustMatch) {
  EXPECT_EQ(smolvlm("run --model " + model() + " --image " + image("tiny_1x1.png") + " --prompt '<image><image>'").exit_code, 2);
  EXPECT_EQ(smolvlm("run --model " + model() + " --prompt 'what is <image>?'").exit_code, 2);
  // An <image> typed into a conversation's text without an image to fill it.
  TempDir dir;
  std::ofstream(dir.file("m.json")) << R"([{"role":"user","content":[{"type":"text","text":"what is <image>?"}]}])";
  expect_error(smolvlm("run --model " + model() + " --messages " + shell_quote(dir.file("m.json"))), "image tokens");
}

TEST(CliImage, ImageTokensBeyondTheContextAreRefused) {
  TempDir dir;
  std::filesystem::copy(testing::fixtures_dir() + "/models/tiny-smolvlm-256m", dir.file("m"),
                        std::filesystem::copy_options::recursive);
  std::ifstream in(dir.file("m/config.json"));
  std::string config((std::istreambuf_iterator<char>(in)), {});
  in.close();
  const std::string from = "\"max_position_embeddings\": 8192";
  ASSERT_NE(config.find(from), std::string::npos);
  config.replace(config.find(from), from.size(), "\"max_position_embeddings\": 512");
  std::filesystem::permissions(dir.file("m/config.json"), std::filesystem::perms::owner_write, std::filesystem::perm_options::add);
  std::ofstream(dir.file("m/config.json")) << config;
  expect_error(smolvlm("run --model " + shell_quote(dir.file("m")) + " --image " + image("photo_320x240.jpg") + " --prompt hi"),
               "exceed the model's max_position_embeddings of 512");
}

TEST(CliChat, KeepsTurnsAttachesImagesAndSurvivesErrors) {
  TempDir dir;
  std::ofstream(dir.file("in.txt")) << "Hello\n/image " << testing::fixtures_dir() << "/images/small_64x48.png\n"
                                    << "What is this?\n/image /nonexistent.png\nAnd this?\n/reset\nHi\n/quit\nnever read\n";
  const CommandResult r = testing::run_command(shell_quote(testing::cli_path()) + " chat --no-split --max-new-tokens 3 --model " +
                                               model() + " < " + shell_quote(dir.file("in.txt")));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("/nonexistent.png"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("conversation cleared"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4) << r.out;  // three answers + the failed turn's newline
}

}  // namespace
}  // namespace smolvlm
