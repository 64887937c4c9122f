// Request parsing without a model: fields to options, content parts to
// conversation items, and data URLs to image bytes.
#include "server/openai_request.h"

#include <gtest/gtest.h>

#include "server/api_error.h"
#include "server/image_url.h"

namespace smolvlm::server {
namespace {

ChatRequest parse(const std::string& body) { return parse_chat_request(body, {}); }

std::string error_code(const std::string& body, const RequestLimits& limits = {}) {
  try {
    parse_chat_request(body, limits);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    return e.code;
  }
  return "(accepted)";
}

TEST(OpenAiRequest, MessagesBecomeAConversation) {
  const ChatRequest r = parse(R"({"model": "m", "messages": [
      {"role": "developer", "content": "Be brief."},
      {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw==", "detail": "low"}},
                                   {"type": "text", "text": "What is it?"}]},
      {"role": "assistant", "content": "A cat."},
      {"role": "user", "content": [{"type": "image_url", "image_url": "data:image/jpeg;base64,/9j/"}]}]})");
  ASSERT_EQ(r.conversation.size(), 4u);
  EXPECT_EQ(r.conversation[0].role, "system");
  EXPECT_EQ(r.conversation[0].content[0].text, "Be brief.");
  ASSERT_EQ(r.conversation[1].content.size(), 2u);
  EXPECT_EQ(r.conversation[1].content[0].kind, Content::Kind::Image);
  EXPECT_EQ(r.conversation[1].content[0].image_bytes, (std::vector<uint8_t>{0x89, 'P', 'N', 'G'}));
  EXPECT_TRUE(r.conversation[1].content[0].image_path.empty());
  EXPECT_EQ(r.conversation[1].content[1].text, "What is it?");
  EXPECT_EQ(r.conversation[3].content[0].image_bytes, (std::vector<uint8_t>{0xFF, 0xD8, 0xFF}));
  EXPECT_FALSE(r.stream);
}

TEST(OpenAiRequest, SamplingFields) {
  const ChatRequest greedy =
      parse(R"({"messages": [{"role": "user", "content": "x"}], "temperature": 0, "max_tokens": 5})");
  EXPECT_EQ(greedy.options.do_sample, false);
  EXPECT_EQ(greedy.options.max_new_tokens, 5);
  EXPECT_TRUE(greedy.max_tokens_given);
  const ChatRequest sampled =
      parse(R"({"messages": [{"role": "user", "content": "x"}], "temperature": 0.7, "top_p": 0.9,
      "seed": -3, "max_completion_tokens": 9, "stop": ["a", "b"], "top_k": 20, "stream": true,
      "stream_options": {"include_usage": true}})");
  EXPECT_EQ(sampled.options.do_sample, true);
  EXPECT_EQ(sampled.options.temperature, 0.7);
  EXPECT_EQ(sampled.options.top_p, 0.9);
  EXPECT_EQ(sampled.options.top_k, 20);
  EXPECT_EQ(sampled.options.seed, static_cast<uint64_t>(-3));
  EXPECT_EQ(sampled.options.max_new_tokens, 9);
  EXPECT_EQ(sampled.options.stop_strings, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(sampled.stream);
  EXPECT_TRUE(sampled.include_usage);
  const ChatRequest defaults = parse(R"({"messages": [{"role": "user", "content": "x"}], "temperature": null})");
  EXPECT_FALSE(defaults.options.do_sample.has_value());  // the checkpoint decides
  EXPECT_FALSE(defaults.options.max_new_tokens.has_value());
  EXPECT_FALSE(defaults.max_tokens_given);
}

TEST(OpenAiRequest, RejectsWhatItCannotHonour) {
  EXPECT_EQ(error_code(R"({"messages": [{"role": "user", "content": "x"}], "stop": ["a","b","c","d","e"]})"),
            "invalid_value");
  EXPECT_EQ(error_code(R"({"messages": [{"role": "user", "content": "x"}], "stop": ""})"), "invalid_value");
  EXPECT_EQ(error_code(R"({"messages": [{"role": "user", "content": "x"}], "top_p": 0})"), "invalid_value");
  EXPECT_EQ(error_code(R"({"messages": [{"role": "user", "content": "x"}], "seed": 1.5})"), "invalid_type");
  EXPECT_EQ(error_code(R"({"messages": [{"role": "user", "content": "x"}], "presence_penalty": 1})"),
            "unsupported_parameter");
  EXPECT_EQ(
      error_code(R"({"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}})"),
      "unsupported_parameter");
  EXPECT_EQ(error_code(R"({"messages": [{"role": "user", "content": "x", "tool_calls": []}]})"), "unknown_parameter");
  EXPECT_EQ(
      error_code(
          R"({"messages": [{"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]}]})"),
      "invalid_value");
  EXPECT_EQ(error_code(R"({"messages": [{"role": "user", "content": [{"type": "text"}]}]})"),
            "missing_required_parameter");
  EXPECT_EQ(error_code(R"({"messages": [{"role": "user", "content": null}]})"), "missing_required_parameter");
  RequestLimits one_image;
  one_image.max_images = 1;
  EXPECT_EQ(error_code(R"({"messages": [{"role": "user", "content": [
      {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}},
      {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}}]}]})",
                       one_image),
            "too_many_images");
}

TEST(ImageUrl, OnlyImageDataUrls) {
  EXPECT_EQ(decode_image_data_url("data:image/png;base64,TWFu", "p"), (std::vector<uint8_t>{'M', 'a', 'n'}));
  EXPECT_EQ(decode_image_data_url("DATA:Image/PNG;BASE64,TWFu", "p").size(), 3u);
  for (const char* bad :
       {"http://x/y.png", "https://x/y.png", "ftp://x", "file:///etc/passwd", "data:,abc", "data:image/png,TWFu",
        "data:application/pdf;base64,TWFu", "data:image/png;base64,", "data:image/png;base64,T"}) {
    EXPECT_THROW(decode_image_data_url(bad, "p"), ApiError) << bad;
  }
}

}  // namespace
}  // namespace smolvlm::server
