// CinePile: its rows (choices, answer_key/answer_key_position, video lookup),
// our prompt, SmolVLM v1's uniform frames, and whole runs through the CLI on
// a synthetic clip with the fixture checkpoints, bad input included.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "eval/cinepile.h"
#include "eval/eval_prompts.h"
#include "eval/video_frames.h"
#include "video/synthetic_video.h"
#include "vision/image_decode.h"

namespace smolvlm::eval {
namespace {

namespace fs = std::filesystem;

EvalRow cinepile_row() {
  return {"0",
          {{"question", "Who opens the door?"},
           {"choices", "['The butler', 'The detective', 'Nobody', 'The cat', 'The maid']"},
           {"answer_key", "The detective"},
           {"answer_key_position", "1"},
           {"question_category", "Character and Relationship Dynamics"},
           {"hard_split", "False"},
           {"yt_clip_link", "https://www.youtube.com/watch?v=abc_DEF-123"}}};
}

TEST(CinePile, RowBecomesLetteredOptionsAndTheAnswerLetter) {
  EvalRow row = cinepile_row();
  EXPECT_EQ(prepare_cinepile_row(row), "");
  EXPECT_EQ(row.fields["A"], "The butler");
  EXPECT_EQ(row.fields["E"], "The maid");
  EXPECT_EQ(row.fields.count("F"), 0u);
  EXPECT_EQ(row.fields["answer"], "B");
  EXPECT_EQ(row.fields["category"], "Character and Relationship Dynamics");
  EXPECT_EQ(row.fields["split"], "False");

  EvalRow key_only = cinepile_row();
  key_only.fields.erase("answer_key_position");
  key_only.fields["answer_key"] = "The cat";
  EXPECT_EQ(prepare_cinepile_row(key_only), "");
  EXPECT_EQ(key_only.fields["answer"], "D");
}

TEST(CinePile, RowProblemsAreNamed) {
  EvalRow disagree = cinepile_row();
  disagree.fields["answer_key_position"] = "2";
  EXPECT_NE(prepare_cinepile_row(disagree).find("is not choice 2 (\"Nobody\")"), std::string::npos);
  EvalRow beyond = cinepile_row();
  beyond.fields["answer_key_position"] = "5";
  EXPECT_NE(prepare_cinepile_row(beyond).find("not an index into the 5 choices"), std::string::npos);
  EvalRow unknown_key = cinepile_row();
  unknown_key.fields.erase("answer_key_position");
  unknown_key.fields["answer_key"] = "The gardener";
  EXPECT_NE(prepare_cinepile_row(unknown_key).find("none of the choices"), std::string::npos);
  EvalRow no_answer = cinepile_row();
  no_answer.fields.erase("answer_key_position");
  no_answer.fields.erase("answer_key");
  EXPECT_EQ(prepare_cinepile_row(no_answer), "the row has no answer");
  EvalRow bad_choices = cinepile_row();
  bad_choices.fields["choices"] = "['a' 'b']";  // numpy's repr, not a list literal
  EXPECT_NE(prepare_cinepile_row(bad_choices).find("\"choices\" is not a list"), std::string::npos);
}

TEST(CinePile, VideoIsFoundByNameIdOrYouTubeLink) {
  EvalRow row = cinepile_row();
  EXPECT_EQ(cinepile_video_name(row), "abc_DEF-123");
  row.fields["yt_clip_link"] = "https://youtu.be/xyz987?t=3";
  EXPECT_EQ(cinepile_video_name(row), "xyz987");
  row.fields["videoID"] = "vid42";
  EXPECT_EQ(cinepile_video_name(row), "vid42");
  row.fields["video"] = "my clip.mkv";
  EXPECT_EQ(cinepile_video_name(row), "my clip.mkv");

  testing::TempDir dir;
  std::ofstream(dir.file("my clip.mkv")) << "x";
  std::ofstream(dir.file("vid42.webm")) << "x";
  EXPECT_EQ(find_cinepile_video(row, dir.path()), dir.file("my clip.mkv"));
  row.fields.erase("video");
  EXPECT_EQ(find_cinepile_video(row, dir.path()), dir.file("vid42.webm"));
  row.fields["videoID"] = "gone";
  try {
    find_cinepile_video(row, dir.path());
    FAIL() << "a missing video must throw";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("tried gone, gone.mp4, gone.mkv, gone.webm"), std::string::npos) << e.what();
  }
}

TEST(CinePile, PromptIsTheMultipleChoiceWordingAfterTheFrames) {
  EvalRow row = cinepile_row();
  ASSERT_EQ(prepare_cinepile_row(row), "");
  const DatasetMessage message = dataset_message(Task::CinePile, row, 2);
  const WrapperPrompt v1 = wrapper_prompt(PromptStyle::SmolVLM, Task::CinePile, message);
  EXPECT_EQ(v1.text,
            "<|im_start|>User:<image><image>Question: Who opens the door?\nChoices:\nA. The butler\nB. The "
            "detective\nC. Nobody\nD. The cat\nE. The maid\nAnswer with the letter.<end_of_utterance>\nAssistant: "
            "Answer:");
  EXPECT_EQ(v1.images, (std::vector<size_t>{0, 1}));
  const WrapperPrompt v2 = wrapper_prompt(PromptStyle::SmolVLM2, Task::CinePile, message);
  EXPECT_EQ(v2.text,
            "<|im_start|>System: pay attention to the video and answer the question <end_of_utterance>\n "
            "<|im_start|>User: Here are some frames sampled from a video:\n Frame from 00:00: <image> Frame from "
            "00:01: <image> \n Question: Who opens the door?\nChoices:\nA. The butler\nB. The detective\nC. "
            "Nobody\nD. The cat\nE. The maid\nAnswer with the letter. <end_of_utterance> \nAssistant:");
  EXPECT_EQ(v2.images, (std::vector<size_t>{0, 1}));
  const WrapperPrompt plain = wrapper_prompt(PromptStyle::Plain, Task::CinePile, message);  // --prompt-style plain
  EXPECT_EQ(plain.text,
            "<|im_start|>User:<image><image>Question: Who opens the door?\nOptions:\nA. The butler\nB. The "
            "detective\nC. Nobody\nD. The cat\nE. The maid\nPlease select the correct answer from the options "
            "above.<end_of_utterance>\nAssistant:");
}

TEST(CinePile, UniformFramesAreTheSampledFramesLossless) {
  testing::TempDir dir;
  SyntheticVideo spec;
  spec.frames = 30;
  write_synthetic_video(dir.file("clip.mp4"), spec);
  const std::vector<Content> frames = uniform_video_frames(dir.file("clip.mp4"), 4);
  ASSERT_EQ(frames.size(), 4u);
  const std::vector<int64_t> expected = {0, 9, 19, 29};  // numpy.linspace(0, 29, 4, dtype=int)
  for (size_t k = 0; k < frames.size(); ++k) {
    const Image frame = decode_image(frames[k].image_bytes, "frame");
    EXPECT_EQ(frame.width, 64);
    EXPECT_EQ(frame_label(frame), expected[k]);
  }
}

// --- through the CLI ----------------------------------------------------------

struct Clip {
  testing::TempDir dir;
  Clip() {
    fs::create_directories(dir.file("video"));
    SyntheticVideo spec;
    spec.frames = 20;
    write_synthetic_video(dir.file("video/abc123.mp4"), spec);
  }
  // Two questions: one about the clip, one whose clip is not in the folder.
  void write_jsonl(const std::string& name, bool with_choices = true) const {
    std::ofstream out(dir.file(name));
    const std::string choices = with_choices ? "\"choices\": [\"red\", \"blue\", \"green\"], " : "";
    out << "{\"movie_name\": \"Cars\", \"yt_clip_link\": \"https://www.youtube.com/watch?v=abc123\", "
        << "\"question\": \"What colour is the car?\", " << choices
        << "\"answer_key\": \"blue\", \"answer_key_position\": 1, \"question_category\": \"Setting\", "
           "\"hard_split\": \"True\"}\n"
        << "{\"movie_name\": \"Cars\", \"yt_clip_link\": \"https://www.youtube.com/watch?v=nothere\", "
        << "\"question\": \"Who drives?\", " << choices
        << "\"answer_key\": \"red\", \"answer_key_position\": 0, \"question_category\": \"Narrative\", "
           "\"hard_split\": \"False\"}\n";
  }
  testing::CommandResult run(const std::string& model, const std::string& data, const std::string& extra = "") const {
    return testing::run_command(testing::shell_quote(testing::cli_path()) + " eval --model " +
                                testing::shell_quote(testing::fixtures_dir() + "/models/" + model) +
                                " --task cinepile --data " + testing::shell_quote(dir.file(data)) + " --out " +
                                testing::shell_quote(dir.file("out")) + " --frames 3 --max-new-tokens 3 --threads 2 " +
                                extra);
  }
  std::vector<Json> samples() const {
    std::vector<Json> lines;
    std::ifstream in(dir.file("out/samples.jsonl"));
    for (std::string line; std::getline(in, line);) lines.push_back(parse_json(line, "samples.jsonl"));
    return lines;
  }
};

TEST(CinePileCli, SmolVlmV1RunsUniformFramesAndRecordsAMissingVideo) {
  Clip clip;
  clip.write_jsonl("cinepile.jsonl");
  const testing::CommandResult r = clip.run("tiny-smolvlm", "cinepile.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Json> samples = clip.samples();
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0]["id"], "0");
  EXPECT_EQ(samples[0]["prompt"],
            "<|im_start|>User:<image><image><image>Question: What colour is the car?\nChoices:\nA. red\nB. blue\nC. "
            "green\nAnswer with the letter.<end_of_utterance>\nAssistant: Answer:");
  EXPECT_TRUE(samples[0]["error"].is_null()) << samples[0].dump();
  EXPECT_TRUE(samples[0]["score"].is_number()) << samples[0].dump();
  EXPECT_EQ(samples[0]["answer"], "B");
  EXPECT_EQ(samples[0]["category"], "Setting");
  EXPECT_EQ(samples[0]["split"], "True");
  EXPECT_GT(samples[0]["tokens"].get<int64_t>(), 0);
  EXPECT_NE(samples[1]["error"].get<std::string>().find("no video file for clip \"nothere\""), std::string::npos)
      << samples[1].dump();
  const Json summary = read_json_file(clip.dir.file("out/summary.json"));
  EXPECT_EQ(summary["samples"], 2);
  EXPECT_EQ(summary["errors"], 1);
  EXPECT_EQ(summary["prompt_style"], "smolvlm");
  EXPECT_EQ(summary["images"], "3 uniform frames as unsplit images (SPEC §10)");
  EXPECT_DOUBLE_EQ(summary["published"]["score"].get<double>(), 27.14);
}

TEST(CinePileCli, SmolVlm2TakesItsVideoPromptFromATsv) {
  Clip clip;
  std::ofstream(clip.dir.file("cinepile.tsv"))
      << "movie_name\tyt_clip_link\tquestion\tchoices\tanswer_key\tanswer_key_position\tquestion_category\n"
      << "Cars\thttps://www.youtube.com/watch?v=abc123\tWhat colour is the car?\t['red', 'blue']\tblue\t1\tSetting\n";
  const testing::CommandResult r = clip.run("tiny-smolvlm2", "cinepile.tsv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<Json> samples = clip.samples();
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_TRUE(samples[0]["error"].is_null()) << samples[0].dump();
  const std::string prompt = samples[0]["prompt"];
  EXPECT_EQ(prompt.rfind("<|im_start|>System: pay attention to the video", 0), 0u) << prompt;
  EXPECT_NE(prompt.find("Frame from 00:02: <image> \n Question: What colour is the car?\nChoices:\nA. red\nB. "
                        "blue\nAnswer with the letter. <end_of_utterance>"),
            std::string::npos)
      << prompt;
  EXPECT_EQ(read_json_file(clip.dir.file("out/summary.json"))["prompt_style"], "smolvlm2");
}

TEST(CinePileCli, AMissingColumnStopsBeforeAnyRow) {
  Clip clip;
  clip.write_jsonl("no_choices.jsonl", false);
  testing::CommandResult r = clip.run("tiny-smolvlm", "no_choices.jsonl");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no \"choices\" column, which task cinepile needs"), std::string::npos) << r.err;
  std::ofstream(clip.dir.file("no_video.tsv")) << "question\tchoices\tanswer_key\nQ?\t['a', 'b']\ta\n";
  r = clip.run("tiny-smolvlm", "no_video.tsv");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no \"video or videoID or yt_clip_link\" column"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(clip.dir.file("out/samples.jsonl")));
}

}  // namespace
}  // namespace smolvlm::eval
