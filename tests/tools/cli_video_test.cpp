// Videos through the CLI: `run --video`, video items in --messages (file and
// frames forms), the sampling flags, `chat`'s /video, and bad video input.
#include <gtest/gtest.h>

#include <fstream>

#include "common/fixtures.h"
#include "core/json_file.h"

namespace smolvlm {
namespace {

using testing::CommandResult;
using testing::shell_quote;

std::string model(const std::string& name = "tiny-smolvlm2") {
  return shell_quote(testing::fixtures_dir() + "/models/" + name);
}
std::string clip() { return shell_quote(testing::fixtures_dir() + "/videos/clip_h264_320x180_10fps_4s.mp4"); }
std::string case_dir(const std::string& name) { return testing::fixtures_dir() + "/cases/tiny-smolvlm2/" + name; }
CommandResult smolvlm(const std::string& args) { return testing::run_command(shell_quote(testing::cli_path()) + " " + args); }

TEST(CliVideo, RunVideoMatchesTheFixture) {
  const Json golden = read_json_file(case_dir("video_mp4_h264_320x180") + "/golden.json");
  const CommandResult r = smolvlm("run --json --model " + model() + " --video " + clip() +
                                  " --prompt 'Describe what happens in this video.' --max-new-tokens 24");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json out = parse_json(r.out, "run output");
  EXPECT_EQ(out["rendered_prompt"], golden["rendered_prompt"]);
  EXPECT_EQ(out["input_ids"], golden["input_ids"]);
  EXPECT_EQ(out["generated_ids"], golden["greedy_ids"]);
  EXPECT_EQ(out["videos"][0]["frame_indices"], golden["video"]["frames_indices"]);
  EXPECT_EQ(out["images"].size(), 4u);
}

// --messages paths are relative to the current directory: run in the case folder.
TEST(CliVideo, MessagesWithVideoItems) {
  testing::TempDir dir;
  for (const std::string name : {"video_mp4_h264rgb_lossless_2p5s", "video_frames_png_from_mp4"}) {
    const Json golden = read_json_file(case_dir(name) + "/golden.json");
    std::ofstream(dir.file(name + ".json")) << read_json_file(case_dir(name) + "/input.json")["messages"].dump();
    const CommandResult r = testing::run_command("cd " + shell_quote(case_dir(name)) + " && " +
                                                 shell_quote(testing::cli_path()) + " run --json --max-new-tokens 24 --model " +
                                                 model() + " --messages " + shell_quote(dir.file(name + ".json")));
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    const Json out = parse_json(r.out, "run output");
    EXPECT_EQ(out["input_ids"], golden["input_ids"]) << name;
    EXPECT_EQ(out["generated_ids"], golden["greedy_ids"]) << name;
  }
}

TEST(CliVideo, UniformSamplingFlags) {
  const CommandResult r = smolvlm("run --json --max-new-tokens 0 --model " + model() + " --video " + clip() +
                                  " --prompt 'What happens?' --sampling uniform --frames 8");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json out = parse_json(r.out, "run output");
  EXPECT_EQ(out["videos"][0]["frame_indices"], Json({0, 5, 11, 16, 22, 27, 33, 39}));
  EXPECT_NE(out["rendered_prompt"].get<std::string>().find("series of eight frames"), std::string::npos);
  // fps sampling with a lower maximum.
  const CommandResult capped = smolvlm("run --json --max-new-tokens 0 --model " + model() + " --video " + clip() +
                                       " --prompt 'What happens?' --frames 2");
  ASSERT_EQ(capped.exit_code, 0) << capped.err;
  EXPECT_EQ(parse_json(capped.out, "run output")["videos"][0]["frame_indices"], Json({0, 39}));
}

TEST(CliVideo, ChatAttachesAVideo) {
  const CommandResult r = testing::run_command("printf '/video %s\\nWhat happens?\\nAnd then?\\n' " + clip() + " | " +
                                               shell_quote(testing::cli_path()) + " chat --max-new-tokens 3 --model " +
                                               model());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("video attached"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("error"), std::string::npos) << r.err;
}

TEST(CliVideo, BadVideoInputFailsCleanly) {
  testing::TempDir dir;
  std::ofstream(dir.file("not_a_video.mp4")) << "hello";
  for (const std::string& path : {dir.file("missing.mp4"), dir.file("not_a_video.mp4")}) {
    const CommandResult r = smolvlm("run --model " + model() + " --video " + shell_quote(path) + " --prompt hi");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("smolvlm: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
  }
  const CommandResult bad_mode = smolvlm("run --model " + model() + " --video " + clip() + " --prompt hi --sampling bogus");
  EXPECT_EQ(bad_mode.exit_code, 2) << bad_mode.err;
  const CommandResult bad_frames = smolvlm("run --model " + model() + " --video " + clip() + " --prompt hi --frames 0");
  EXPECT_EQ(bad_frames.exit_code, 2) << bad_frames.err;
  const CommandResult bad_resize = smolvlm("run --model " + model() + " --video " + clip() + " --prompt hi --video-resize bicubic");
  EXPECT_EQ(bad_resize.exit_code, 2) << bad_resize.err;
}

// --video-resize torchvision-bicubic: the same prompt and ids, other frame pixels.
TEST(CliVideo, VideoResizeTorchvisionBicubic) {
  const std::string run = "run --json --max-new-tokens 0 --dump-tensors ";
  testing::TempDir dir;
  const std::string args = " --model " + model() + " --video " + clip() + " --prompt 'What happens?'";
  const CommandResult pillow = smolvlm(run + shell_quote(dir.file("p.safetensors")) + args);
  const CommandResult tv =
      smolvlm(run + shell_quote(dir.file("t.safetensors")) + args + " --video-resize torchvision-bicubic");
  ASSERT_EQ(pillow.exit_code, 0) << pillow.err;
  ASSERT_EQ(tv.exit_code, 0) << tv.err;
  EXPECT_EQ(parse_json(tv.out, "run")["input_ids"], parse_json(pillow.out, "run")["input_ids"]);
  EXPECT_NE(testing::run_command("cmp -s " + shell_quote(dir.file("p.safetensors")) + " " +
                                 shell_quote(dir.file("t.safetensors")))
                .exit_code,
            0);
}

}  // namespace
}  // namespace smolvlm
