// Raw HTTP against the server: every malformed or oversized request gets an
// OpenAI error object with the right status, and the server keeps serving.
#include <gtest/gtest.h>

#include "running_server.h"

namespace smolvlm::testing {
namespace {

class HttpErrors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server::ServerOptions o = fixture_server_options();
    o.max_body_bytes = 1 << 20;
    o.request_limits.max_images = 2;
    o.max_prompt_tokens = 300;
    o.max_image_pixels = 400 * 400;
    o.api_key = "";
    server_ = new RunningServer(o);
  }
  static void TearDownTestSuite() { delete server_; }

  // POSTs `body` and checks the status and the error object's shape and code.
  static Json expect_error(const std::string& body, int status, const std::string& code) {
    const httplib::Result r = server_->post_json("/v1/chat/completions", body);
    EXPECT_TRUE(r) << "no response";
    if (!r) return {};
    EXPECT_EQ(r->status, status) << r->body;
    const Json j = Json::parse(r->body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("error")) << r->body;
    if (!j.contains("error")) return {};
    const Json& e = j["error"];
    EXPECT_TRUE(e["message"].is_string() && !e["message"].get<std::string>().empty());
    EXPECT_TRUE(e["type"].is_string());
    EXPECT_TRUE(e.contains("param"));
    EXPECT_EQ(e["code"], code) << r->body;
    return e;
  }
  static RunningServer* server_;
};
RunningServer* HttpErrors::server_ = nullptr;

TEST_F(HttpErrors, MalformedJson) {
  expect_error("{\"messages\": [", 400, "invalid_json");
  expect_error("", 400, "invalid_json");
  expect_error("[1, 2]", 400, "invalid_type");
  expect_error("{\"messages\": [{\"role\": \"user\", \"content\": \"\xff\xfe\"}]}", 400, "invalid_json");  // not UTF-8
}

TEST_F(HttpErrors, WrongTypesAndValues) {
  expect_error(chat_body("hi", {}, {{"max_tokens", "10"}}).dump(), 400, "invalid_type");
  expect_error(chat_body("hi", {}, {{"temperature", 3}}).dump(), 400, "invalid_value");
  expect_error(chat_body("hi", {}, {{"max_tokens", 0}}).dump(), 400, "invalid_value");
  expect_error(chat_body("hi", {}, {{"max_tokens", 100000}}).dump(), 400, "invalid_value");
  expect_error(chat_body("hi", {}, {{"stream", "yes"}}).dump(), 400, "invalid_type");
  expect_error(chat_body("hi", {}, {{"stop", Json::array({"a", 1})}}).dump(), 400, "invalid_type");
  expect_error(chat_body("hi", {}, {{"stream_options", {{"include_usage", true}}}}).dump(), 400, "invalid_value");
  expect_error(R"({"messages": "hello"})", 400, "invalid_type");
  expect_error(R"({"messages": []})", 400, "empty_array");
  expect_error(R"({"model": "x"})", 400, "missing_required_parameter");
  expect_error(R"({"messages": [{"role": "user", "content": 5}]})", 400, "invalid_type");
  expect_error(R"({"messages": [{"role": "tool", "content": "x"}]})", 400, "invalid_value");
  expect_error(R"({"messages": [{"role": "user", "content": [{"type": "input_audio"}]}]})", 400, "invalid_value");
}

TEST_F(HttpErrors, UnknownAndUnsupportedFields) {
  const Json e = expect_error(chat_body("hi", {}, {{"frobnicate", true}}).dump(), 400, "unknown_parameter");
  EXPECT_EQ(e["param"], "frobnicate");
  expect_error(chat_body("hi", {}, {{"n", 2}}).dump(), 400, "unsupported_parameter");
  expect_error(chat_body("hi", {}, {{"tools", Json::array({{{"type", "function"}}})}}).dump(), 400,
               "unsupported_parameter");
  expect_error(chat_body("hi", {}, {{"logprobs", true}}).dump(), 400, "unsupported_parameter");
  // Neutral values of unsupported features and ignored metadata are accepted.
  const httplib::Result ok = server_->post_json(
      "/v1/chat/completions",
      chat_body("hi", {}, {{"n", 1}, {"user", "u1"}, {"frequency_penalty", 0}, {"max_tokens", 2}, {"logprobs", false}})
          .dump());
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST_F(HttpErrors, HugeBodyIs413) {
  std::string body = chat_body(std::string(2 << 20, 'a')).dump();
  expect_error(body, 413, "request_too_large");
}

TEST_F(HttpErrors, UnboundedBodiesAreRefusedBeforeReading) {
  // A chunked body (no Content-Length) and a compressed one could grow without
  // limit: both are refused from the headers alone.
  httplib::Request chunked;
  chunked.method = "POST";
  chunked.path = "/v1/chat/completions";
  chunked.set_header("Content-Type", "application/json");
  chunked.set_header("Transfer-Encoding", "chunked");
  chunked.body = "5\r\nhello\r\n0\r\n\r\n";
  const httplib::Result c = server_->client()->send(chunked);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, 411);
  const httplib::Result z = server_->post_json("/v1/chat/completions", "x", {{"Content-Encoding", "gzip"}});
  ASSERT_TRUE(z);
  EXPECT_EQ(z->status, 415);
}

TEST_F(HttpErrors, NonJsonContentTypeIs415) {
  const httplib::Result r =
      server_->client()->Post("/v1/chat/completions", "messages=1", "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
}

TEST_F(HttpErrors, ImagesThatAreNotImages) {
  expect_error(chat_body("hi", {"data:image/png;base64,@@@not base64@@@"}).dump(), 400, "invalid_base64");
  expect_error(chat_body("hi", {"data:image/png;base64,QUJD="}).dump(), 400, "invalid_base64");  // bad padding
  expect_error(chat_body("hi", {"data:image/png;base64," + base64("definitely not a picture")}).dump(), 400,
               "invalid_image");
  const std::string png = read_binary(fixtures_dir() + "/images/small_64x48.png");
  expect_error(chat_body("hi", {"data:image/png;base64," + base64(png.substr(0, png.size() / 2))}).dump(), 400,
               "invalid_image");
  expect_error(chat_body("hi", {"data:text/plain;base64,QUJD"}).dump(), 400, "invalid_image_url");
  expect_error(chat_body("hi", {"data:image/png,rawbytes"}).dump(), 400, "invalid_image_url");
  expect_error(chat_body("hi", {image_data_url("square_512x512.jpg")}).dump(), 400,
               "invalid_image");  // > 400x400 pixels
}

TEST_F(HttpErrors, RemoteAndFileUrlsAreRefused) {
  const Json e =
      expect_error(chat_body("hi", {"http://169.254.169.254/latest/meta-data"}).dump(), 400, "image_url_not_allowed");
  EXPECT_NE(e["message"].get<std::string>().find("data URL"), std::string::npos);
  expect_error(chat_body("hi", {"HTTPS://example.com/cat.png"}).dump(), 400, "image_url_not_allowed");
  expect_error(chat_body("hi", {"file:///etc/passwd"}).dump(), 400, "invalid_image_url");
  expect_error(chat_body("hi", {"/etc/passwd"}).dump(), 400, "invalid_image_url");
}

TEST_F(HttpErrors, TooManyImages) {
  const std::string url = image_data_url("small_64x48.png");
  expect_error(chat_body("hi", {url, url, url}).dump(), 400, "too_many_images");
}

TEST_F(HttpErrors, OverLongPrompt) {
  std::string text;
  for (int i = 0; i < 400; ++i) text += "word ";
  expect_error(chat_body(text).dump(), 400, "context_length_exceeded");                         // counted in tokens
  expect_error(chat_body(std::string(900 << 10, 'w')).dump(), 400, "context_length_exceeded");  // refused by size
}

TEST_F(HttpErrors, UnknownRoutesAndModels) {
  const httplib::Result r = server_->client()->Get("/v1/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(Json::parse(r->body)["error"]["code"], "unknown_url");
  const httplib::Result m = server_->client()->Get("/v1/models/not-this-one");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 404);
  EXPECT_EQ(Json::parse(m->body)["error"]["code"], "model_not_found");
}

TEST_F(HttpErrors, StillServesAfterAllThat) {
  const httplib::Result r =
      server_->post_json("/v1/chat/completions", chat_body("hello", {}, {{"max_tokens", 3}}).dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  const httplib::Result h = server_->client()->Get("/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
}

TEST(HttpAuth, ApiKeyGuardsTheApiButNotHealthOrThePage) {
  server::ServerOptions o = fixture_server_options();
  o.api_key = "s3cret";
  RunningServer server(o);
  const std::string body = chat_body("hi", {}, {{"max_tokens", 2}}).dump();
  const httplib::Result none = server.post_json("/v1/chat/completions", body);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(Json::parse(none->body)["error"]["code"], "invalid_api_key");
  const httplib::Result wrong = server.post_json("/v1/chat/completions", body, {{"Authorization", "Bearer s3cres"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  const httplib::Result right = server.post_json("/v1/chat/completions", body, {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(right);
  EXPECT_EQ(right->status, 200) << right->body;
  EXPECT_EQ(server.client()->Get("/v1/models")->status, 401);
  EXPECT_EQ(server.client()->Get("/metrics")->status, 401);
  EXPECT_EQ(server.client()->Get("/health")->status, 200);
  EXPECT_EQ(server.client()->Get("/")->status, 200);
}

}  // namespace
}  // namespace smolvlm::testing
