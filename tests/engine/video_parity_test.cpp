// The fixtures' SmolVLM2 video cases through the public API, against
// transformers 4.51.3 (fixtures README "SmolVLM2 video cases"): rendered and
// expanded prompts, ids, frame grids, pixel hashes, image features, logits and
// greedy ids; the frames form; the WebM that transformers cannot read; and
// the frame cache on a second question.
#include <gtest/gtest.h>

#include <cmath>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "io/safetensors.h"
#include "smolvlm.h"
#include "common/sha256_hex.h"

namespace smolvlm {
namespace {

std::string case_dir(const std::string& name) { return testing::fixtures_dir() + "/cases/tiny-smolvlm2/" + name; }

Engine& engine() {
  static std::unique_ptr<Engine> e = Engine::load(testing::fixtures_dir() + "/models/tiny-smolvlm2");
  return *e;
}

Conversation conversation_of(const std::string& name) {
  return parse_conversation_json(read_json_file(case_dir(name) + "/input.json")["messages"].dump(), case_dir(name));
}

GenerationOptions parity_options() {
  GenerationOptions o;
  o.max_new_tokens = 24;
  o.keep_image_tensors = true;
  return o;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::abs(double(a[i]) - b[i]));
  return worst;
}

void expect_matches_golden(const std::string& name, const GenerationResult& r) {
  const Json g = read_json_file(case_dir(name) + "/golden.json");
  EXPECT_EQ(r.rendered_prompt, g["rendered_prompt"].get<std::string>());
  EXPECT_EQ(r.expanded_prompt, g["expanded_prompt"].get<std::string>());
  EXPECT_EQ(Json(r.input_ids), g["input_ids"]);
  ASSERT_EQ(r.images.size(), g["rows"].size());
  for (size_t i = 0; i < r.images.size(); ++i) {
    EXPECT_EQ(r.images[i].rows, g["rows"][i].get<int64_t>());
    EXPECT_EQ(r.images[i].cols, g["cols"][i].get<int64_t>());
  }
  const size_t tile_floats = static_cast<size_t>(3 * r.tile_size * r.tile_size);
  ASSERT_EQ(r.pixel_values.size(), r.images.size() * tile_floats);
  for (size_t t = 0; t < r.images.size(); ++t)
    EXPECT_EQ(testing::sha256_hex(r.pixel_values.data() + t * tile_floats, tile_floats * sizeof(float)),
              g["pixel_values_tile_sha256"][t].get<std::string>())
        << "frame " << t;
  EXPECT_EQ(testing::sha256_hex(r.pixel_values.data(), r.pixel_values.size() * sizeof(float)),
            g["pixel_values_sha256"].get<std::string>());

  const TensorStore golden = TensorStore::open_file(case_dir(name) + "/golden.safetensors");
  const double features_err = max_abs_diff(r.image_hidden_states, to_f32(golden.get("image_hidden_states")));
  const double logits_err = max_abs_diff(r.logits_last, to_f32(golden.get("logits_last")));
  std::cout << "[ parity ] " << name << ": image_hidden_states max abs error " << features_err << ", logits_last "
            << logits_err << "\n";
  EXPECT_LE(features_err, 1e-4);
  EXPECT_LE(logits_err, 1e-4);
  EXPECT_EQ(Json(r.generated_ids), g["greedy_ids"]);

  ASSERT_EQ(r.videos.size(), 1u);
  EXPECT_EQ(Json(r.videos[0].frame_indices), g["video"]["frames_indices"]);
  EXPECT_EQ(r.videos[0].total_frames, g["video"]["metadata"]["total_num_frames"].get<int64_t>());
  EXPECT_EQ(r.videos[0].duration, g["video"]["metadata"]["duration"].get<double>());
}

class VideoCase : public ::testing::TestWithParam<std::string> {};

TEST_P(VideoCase, MatchesTransformers) {
  const std::string name = GetParam();
  const Conversation conversation = conversation_of(name);
  // The template alone renders the video item as <video> (never tokenized).
  const Json golden = read_json_file(case_dir(name) + "/golden.json");
  if (golden.contains("rendered_prompt_unexpanded_video")) {
    EXPECT_EQ(engine().render_prompt(conversation, true), golden["rendered_prompt_unexpanded_video"].get<std::string>());
  }
  expect_matches_golden(name, engine().generate(conversation, parity_options()));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VideoCase,
                         ::testing::Values("video_mp4_h264_320x180", "video_mp4_h264rgb_lossless_2p5s",
                                           "video_frames_png_from_mp4"));

// transformers 4.51.3 fails on this WebM (no frame count in the container);
// the engine counts its 40 frames and samples as for the mp4 twin.
TEST(VideoWebm, RunsWhereTransformersFails) {
  const Json mp4 = read_json_file(case_dir("video_mp4_h264_320x180") + "/golden.json");
  const GenerationResult r = engine().generate(conversation_of("video_webm_vp9_error"), parity_options());
  EXPECT_EQ(r.rendered_prompt, mp4["rendered_prompt"].get<std::string>());
  EXPECT_EQ(Json(r.input_ids), mp4["input_ids"]);
  ASSERT_EQ(r.videos.size(), 1u);
  EXPECT_TRUE(r.videos[0].frames_counted);
  EXPECT_EQ(r.videos[0].total_frames, 40);
  EXPECT_EQ(r.videos[0].frame_indices, (std::vector<int64_t>{0, 13, 26, 39}));
  EXPECT_EQ(r.images.size(), 4u);
  EXPECT_EQ(r.generated_ids.size(), 24u);
}

// A second question about the same video reuses every frame's encoding: the
// features are identical and no frame is decoded again (the time drops).
TEST(VideoCache, SecondQuestionSkipsDecodingAndEncoding) {
  auto fresh = Engine::load(testing::fixtures_dir() + "/models/tiny-smolvlm2");
  Conversation c = conversation_of("video_mp4_h264_320x180");
  GenerationOptions o;
  o.max_new_tokens = 0;
  o.keep_image_tensors = false;
  const GenerationResult first = fresh->generate(c, o);
  c[0].content.back().text = "What is the colour of the ball?";
  const GenerationResult second = fresh->generate(c, o);
  EXPECT_EQ(second.images.size(), 4u);
  EXPECT_LT(second.timings.vision_ms, first.timings.vision_ms / 5) << first.timings.vision_ms;
  EXPECT_NE(second.input_ids, first.input_ids);
}

// Two videos in one message: frame counts and timestamps are per video, but
// both intros name the last video's duration (transformers 4.51.3 reuses a
// loop variable; SPEC §9.2, Appendix A item 14).
TEST(VideoQuirks, EveryIntroNamesTheLastVideosDuration) {
  const std::string videos = testing::fixtures_dir() + "/videos/";
  Conversation c = {{"user",
                     {Content::video_item(videos + "clip_h264_320x180_10fps_4s.mp4"),
                      Content::video_item(videos + "clip_h264rgb_lossless_160x120_8fps_2p5s.mp4"),
                      Content::text_item("Compare.")}}};
  GenerationOptions o;
  o.max_new_tokens = 0;
  const GenerationResult r = engine().generate(c, o);
  const std::string intro = "You are provided the following series of ";
  EXPECT_EQ(r.rendered_prompt,
            "<|im_start|>User: " + intro + "four frames from a 0:00:02 [H:MM:SS] video.\n\nFrame from 00:00:<image>"
            "\nFrame from 00:01:<image>\nFrame from 00:02:<image>\nFrame from 00:03:<image>\n\n" +
                intro + "two frames from a 0:00:02 [H:MM:SS] video.\n\nFrame from 00:00:<image>\nFrame from "
                "00:02:<image>\n\nCompare.<end_of_utterance>\nAssistant:");
  ASSERT_EQ(r.videos.size(), 2u);
  EXPECT_EQ(r.videos[0].duration, 4.0);
  EXPECT_EQ(r.images.size(), 6u);
}

// SmolVLM v1 has no video path: N frames spread uniformly, through the image
// settings, with the same prompt text (SPEC §10).
TEST(VideoUniform, V1CheckpointTakesUniformFramesAsImages) {
  auto v1 = Engine::load(testing::fixtures_dir() + "/models/tiny-smolvlm-256m");
  Conversation c = {{"user",
                     {Content::video_item(testing::fixtures_dir() + "/videos/clip_h264_320x180_10fps_4s.mp4"),
                      Content::text_item("What happens?")}}};
  GenerationOptions o;
  o.max_new_tokens = 0;
  o.video_frames = 5;
  o.image_splitting = false;
  const GenerationResult r = v1->generate(c, o);
  ASSERT_EQ(r.videos.size(), 1u);
  EXPECT_EQ(r.videos[0].frame_indices, (std::vector<int64_t>{0, 9, 19, 29, 39}));
  EXPECT_EQ(r.images.size(), 5u);
  EXPECT_EQ(r.rendered_prompt.rfind("<|im_start|>User: You are provided the following series of five frames from a "
                                    "0:00:04 [H:MM:SS] video.\n\nFrame from 00:00:<image>\nFrame from 00:00:<image>",
                                    0),
            0u)
      << r.rendered_prompt;
}

TEST(VideoErrors, BadVideoItemsNameTheFile) {
  Conversation c = {{"user", {Content::video_item("/nonexistent/clip.mp4"), Content::text_item("?")}}};
  try {
    engine().generate(c, {});
    FAIL() << "no error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/clip.mp4"), std::string::npos) << e.what();
  }
  Conversation frames = {{"user", {Content::video_frames_item({"/nonexistent/f0.png"}, 2.0), Content::text_item("?")}}};
  EXPECT_THROW(engine().generate(frames, {}), std::exception);
  Conversation bad_fps = {{"user", {Content::video_frames_item({"a.png"}, -1.0), Content::text_item("?")}}};
  EXPECT_THROW(engine().generate(bad_fps, {}), std::exception);
}

TEST(VideoConversation, ParsesBothForms) {
  const Conversation c = parse_conversation_json(
      R"([{"role":"user","content":[{"type":"video","path":"clip.mp4"},
           {"type":"video","frames":["a.png","b.png"],"fps":2.0,"duration":1.5},
           {"type":"video","path":["c.png"]},{"type":"text","text":"?"}]}])",
      "/base");
  ASSERT_EQ(c[0].content.size(), 4u);
  EXPECT_EQ(c[0].content[0].kind, Content::Kind::Video);
  EXPECT_EQ(c[0].content[0].video_path, "/base/clip.mp4");
  EXPECT_EQ(c[0].content[1].video_frames, (std::vector<std::string>{"/base/a.png", "/base/b.png"}));
  EXPECT_EQ(c[0].content[1].video_fps, 2.0);
  EXPECT_EQ(c[0].content[1].video_duration, 1.5);
  EXPECT_EQ(c[0].content[2].video_frames, (std::vector<std::string>{"/base/c.png"}));
  EXPECT_FALSE(c[0].content[2].video_fps.has_value());
  EXPECT_THROW(parse_conversation_json(R"([{"role":"user","content":[{"type":"video"}]}])"), std::exception);
  EXPECT_THROW(parse_conversation_json(R"([{"role":"user","content":[{"type":"video","frames":[]}]}])"),
               std::exception);
}

}  // namespace
}  // namespace smolvlm
