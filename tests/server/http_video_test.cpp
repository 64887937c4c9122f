// video_url parts (vLLM's convention): a data:video/...;base64 URL is decoded
// from memory and sampled as `smolvlm run --video` samples the same file, so
// a greedy reply equals the engine's for that file; and videos over the
// byte, frame and count limits, or that are not videos, get one clear 400.
#include <gtest/gtest.h>

#include "running_server.h"
#include "smolvlm.h"
#include "video/synthetic_video.h"

namespace smolvlm::testing {
namespace {

std::string video_data_url(const std::string& bytes) { return "data:video/mp4;base64," + base64(bytes); }

Json video_body(const std::string& text, const std::vector<std::string>& video_urls, Json extra = Json::object()) {
  Json content = Json::array();
  for (const std::string& url : video_urls) content.push_back({{"type", "video_url"}, {"video_url", {{"url", url}}}});
  content.push_back({{"type", "text"}, {"text", text}});
  Json body = {{"messages", Json::array({{{"role", "user"}, {"content", content}}})}};
  for (auto& [k, v] : extra.items()) body[k] = v;
  return body;
}

class VideoUrl : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server::ServerOptions o = fixture_server_options();
    o.model_dir = fixtures_dir() + "/models/tiny-smolvlm2";
    o.request_limits.max_video_bytes = 100'000;  // the 174 KB lossless fixture is over it
    o.video_limits.max_frames = 45;             // the 40-frame fixture fits; a 60-frame video does not
    server_ = new RunningServer(o);
    engine_ = Engine::load(o.model_dir).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete engine_;
  }

  // The engine's greedy answer for the file (what `smolvlm run --video FILE` prints) and the server's for its bytes.
  static void expect_same_answer(const std::string& path, const std::string& question) {
    GenerationOptions o;
    o.max_new_tokens = 12;
    const GenerationResult expected =
        engine_->generate({{"user", {Content::video_item(path), Content::text_item(question)}}}, o);
    const httplib::Result r = server_->post_json(
        "/v1/chat/completions",
        video_body(question, {video_data_url(read_binary(path))}, {{"max_tokens", 12}, {"temperature", 0}}).dump());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const Json j = Json::parse(r->body);
    EXPECT_EQ(j["choices"][0]["message"]["content"], expected.text);
    EXPECT_EQ(j["usage"]["prompt_tokens"], expected.input_ids.size());
    EXPECT_EQ(j["usage"]["completion_tokens"], expected.generated_ids.size());
  }

  static void expect_error(const Json& body, const std::string& code) {
    const httplib::Result r = server_->post_json("/v1/chat/completions", body.dump());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    const Json j = Json::parse(r->body, nullptr, false);
    EXPECT_EQ(j["error"]["code"], code) << r->body;
  }

  static RunningServer* server_;
  static Engine* engine_;
};
RunningServer* VideoUrl::server_ = nullptr;
Engine* VideoUrl::engine_ = nullptr;

TEST_F(VideoUrl, FixtureVideoAnswersAsTheEngineDoesForTheFile) {
  expect_same_answer(fixtures_dir() + "/videos/clip_h264_320x180_10fps_4s.mp4", "What happens in this video?");
}

TEST_F(VideoUrl, SyntheticVideoAnswersAsTheEngineDoesForTheFile) {
  TempDir dir;
  SyntheticVideo spec;
  spec.frames = 25;
  spec.rate_num = 10;  // 2.5 s: three frames at SmolVLM2's 1 fps
  write_synthetic_video(dir.file("clip.mp4"), spec);
  expect_same_answer(dir.file("clip.mp4"), "Describe it.");
}

TEST_F(VideoUrl, BadVideosAreOneClearError) {
  expect_error(video_body("hi", {video_data_url("not a video at all, just text")}), "invalid_video");
  const std::string mp4 = read_binary(fixtures_dir() + "/videos/clip_h264_320x180_10fps_4s.mp4");
  expect_error(video_body("hi", {video_data_url(mp4.substr(0, 2000))}), "invalid_video");  // truncated
  expect_error(video_body("hi", {video_data_url(read_binary(fixtures_dir() +
                                                            "/videos/clip_h264rgb_lossless_160x120_8fps_2p5s.mp4"))}),
               "video_too_large");
  TempDir dir;
  SyntheticVideo spec;
  spec.frames = 60;  // over the server's 45-frame limit
  write_synthetic_video(dir.file("long.mp4"), spec);
  expect_error(video_body("hi", {video_data_url(read_binary(dir.file("long.mp4")))}), "invalid_video");
  expect_error(video_body("hi", {video_data_url(mp4), video_data_url(mp4)}), "too_many_videos");
  expect_error(video_body("hi", {"https://example.com/clip.mp4"}), "video_url_not_allowed");
  expect_error(video_body("hi", {"data:image/png;base64,QUJD"}), "invalid_video_url");
  expect_error(video_body("hi", {"data:video/mp4;base64,@@@"}), "invalid_base64");
  Json extra_field = video_body("hi", {video_data_url(mp4)});
  extra_field["messages"][0]["content"][0]["video_url"]["fps"] = 2;
  expect_error(extra_field, "unknown_parameter");
}

}  // namespace
}  // namespace smolvlm::testing
