// ChatTemplate loading rules, error reporting, and the bounds that keep bad
// templates from crashing or hanging the engine.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>

#include "chat/chat_template.h"
#include "common/fixtures.h"
#include "core/error.h"
#include "core/json_file.h"

namespace smolvlm {
namespace {

std::string render_text(const std::string& source, const Json& messages = Json::array()) {
  return ChatTemplate::from_string(source).render(messages, false);
}

// The Error a template raises, when parsed or rendered.
std::string error_of(const std::string& source, const Json& messages = Json::array()) {
  try {
    render_text(source, messages);
  } catch (const Error& e) {
    EXPECT_EQ(e.context(), "chat template");
    return e.what();
  }
  ADD_FAILURE() << "no error from template: " << source.substr(0, 200);
  return {};
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

TEST(ChatTemplate, RendersTheSpecExample) {
  const ChatTemplate chat = ChatTemplate::from_dir(testing::fixtures_dir() + "/models/tiny-smolvlm-256m");
  const Json image_first = Json::parse(
      R"([{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": "Can you describe this image?"}]}])");
  EXPECT_EQ(chat.render(image_first, true),
            "<|im_start|>User:<image>Can you describe this image?<end_of_utterance>\nAssistant:");
  const Json text_first = Json::parse(
      R"([{"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
          {"role": "user", "content": [{"type": "text", "text": "What is"}, {"type": "image"}]}])");
  EXPECT_EQ(chat.render(text_first, false),
            "<|im_start|>System: Be brief.<end_of_utterance>\nUser: What is<image><end_of_utterance>\n");
}

TEST(ChatTemplate, SyntaxErrorsNameTheLine) {
  EXPECT_NE(error_of("{{ n ").find("line 1: unexpected end of template"), std::string::npos);
  EXPECT_NE(error_of("a\nb\n{{ x + }}").find("line 3:"), std::string::npos);
  EXPECT_NE(error_of("{% if true %}\nnever closed").find("expected 'elif', 'else' or 'endif'"), std::string::npos);
  EXPECT_NE(error_of("{% for x in y %}{% endif %}").find("unexpected 'endif'"), std::string::npos);
  EXPECT_NE(error_of("{# open comment").find("missing end of comment"), std::string::npos);
  EXPECT_NE(error_of("{{ 'open string }}").find("unterminated string"), std::string::npos);
}

TEST(ChatTemplate, UnknownFiltersFailAtLoadUnlessGuardedByIf) {
  try {
    ChatTemplate::from_string("x\n{{ messages | no_such_filter }}");
    ADD_FAILURE() << "unknown filter accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 2: no filter named 'no_such_filter'"), std::string::npos) << e.what();
  }
  // jinja2 defers the check inside if-branches, so templates can probe features.
  const std::string guarded = "{% if 'no_such_filter' is filter %}{{ 1 | no_such_filter }}{% else %}fallback{% endif %}";
  EXPECT_EQ(render_text(guarded), "fallback");
  EXPECT_NE(error_of("{% if true %}{{ 1 | no_such_filter }}{% endif %}").find("no filter named"), std::string::npos);
}

TEST(ChatTemplate, RaiseExceptionMessageReachesTheCaller) {
  const std::string source =
      "{% for m in messages %}{% if m.role == 'tool' %}{{ raise_exception('tool messages are not supported') }}"
      "{% endif %}{% endfor %}";
  const std::string error = error_of(source, Json::parse(R"([{"role": "tool", "content": "x"}])"));
  EXPECT_NE(error.find("tool messages are not supported"), std::string::npos) << error;
}

TEST(ChatTemplate, RuntimeErrorsNameTheLine) {
  EXPECT_NE(error_of("ok\n{{ messages[0].role }}").find("line 2: list object has no element 0"), std::string::npos);
  EXPECT_NE(error_of("{{ undefined_name.attribute }}").find("'undefined_name' is undefined"), std::string::npos);
  EXPECT_NE(error_of("{{ 1 // 0 }}").find("division or modulo by zero"), std::string::npos);
}

TEST(ChatTemplate, MessagesMustBeAnArray) {
  EXPECT_THROW(ChatTemplate::from_string("x").render(Json::object(), false), Error);
}

TEST(ChatTemplate, DeepNestingIsAnErrorNotACrash) {
  const int depth = 100000;
  EXPECT_NE(error_of("{{ " + std::string(depth, '(') + "1" + std::string(depth, ')') + " }}").find("nests deeper"),
            std::string::npos);
  EXPECT_NE(error_of("{{ " + std::string(depth, '[') + std::string(depth, ']') + " }}").find("nests deeper"),
            std::string::npos);
  std::string long_sum = "{{ 1";
  for (int i = 0; i < depth; ++i) long_sum += " + 1";
  EXPECT_NE(error_of(long_sum + " }}").find("nests deeper"), std::string::npos);
  std::string nested_ifs;
  for (int i = 0; i < depth; ++i) nested_ifs += "{% if true %}";
  EXPECT_NE(error_of(nested_ifs).find("nests deeper"), std::string::npos);
  std::string nots = "{{ ";
  for (int i = 0; i < depth; ++i) nots += "not ";
  EXPECT_NE(error_of(nots + "x }}").find("nests deeper"), std::string::npos);
  EXPECT_NE(error_of("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}").find("nests deeper"), std::string::npos);
  EXPECT_NE(error_of("{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}")
                .find("nest deeper"),
            std::string::npos);
  EXPECT_NE(error_of("{% set ns = namespace() %}{% set ns.me = [ns] %}").find("namespace"), std::string::npos);
}

TEST(ChatTemplate, OutputAndWorkAreBounded) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(error_of("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}").find("output longer"), std::string::npos);
  EXPECT_NE(error_of("{{ 'x' * 100000000000 }}").find("longer than"), std::string::npos);
  EXPECT_NE(error_of("{{ [1, 2] * 100000000000 }}").find("too many items"), std::string::npos);
  EXPECT_NE(error_of("{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}")
                .find("longer than"),
            std::string::npos);
  EXPECT_NE(error_of("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
                .find("too much work"),
            std::string::npos);
  EXPECT_NE(error_of("{{ range(1000000) | length }}").find("Range too big"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

class ChatTemplateFromDir : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  const Json messages_ = Json::parse(R"([{"role": "user", "content": "hi"}])");
};

TEST_F(ChatTemplateFromDir, MissingTemplateNamesTheFolder) {
  try {
    ChatTemplate::from_dir(dir_.path());
    ADD_FAILURE() << "no error for a folder without a template";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir_.path()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no chat template"), std::string::npos) << e.what();
  }
}

TEST_F(ChatTemplateFromDir, ChatTemplateJsonComesFirst) {
  write_file(dir_.file("chat_template.json"), R"({"chat_template": "json:{{ bos_token }}{{ eos_token }}"})");
  write_file(dir_.file("tokenizer_config.json"),
             R"({"chat_template": "config", "bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
                 "pad_token": null})");
  write_file(dir_.file("chat_template.jinja"), "jinja");
  const ChatTemplate chat = ChatTemplate::from_dir(dir_.path());
  EXPECT_EQ(chat.render(messages_, false), "json:<s></s>");
  EXPECT_EQ(chat.source(), "json:{{ bos_token }}{{ eos_token }}");
}

TEST_F(ChatTemplateFromDir, TokenizerConfigTemplateStringOrNamedList) {
  write_file(dir_.file("tokenizer_config.json"), R"({"chat_template": "config {{ messages[0].content }}"})");
  EXPECT_EQ(ChatTemplate::from_dir(dir_.path()).render(messages_, false), "config hi");

  write_file(dir_.file("tokenizer_config.json"),
             R"({"chat_template": [{"name": "tool_use", "template": "tools"}, {"name": "default", "template": "dflt"}]})");
  EXPECT_EQ(ChatTemplate::from_dir(dir_.path()).render(messages_, false), "dflt");

  write_file(dir_.file("tokenizer_config.json"), R"({"chat_template": [{"name": "tool_use", "template": "tools"}]})");
  try {
    ChatTemplate::from_dir(dir_.path());
    ADD_FAILURE() << "a named list without \"default\" was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("\"tool_use\""), std::string::npos) << e.what();
  }
}

TEST_F(ChatTemplateFromDir, JinjaFileIsTheFallback) {
  write_file(dir_.file("tokenizer_config.json"), R"({"unk_token": "<unk>"})");
  write_file(dir_.file("chat_template.jinja"), "{% for m in messages %}{{ m.role }}{{ unk_token }}{% endfor %}\n");
  EXPECT_EQ(ChatTemplate::from_dir(dir_.path()).render(messages_, true), "user<unk>");
}

TEST_F(ChatTemplateFromDir, MalformedFilesAreClearErrors) {
  write_file(dir_.file("chat_template.json"), R"({"chat_template": 42})");
  EXPECT_THROW(ChatTemplate::from_dir(dir_.path()), Error);
  write_file(dir_.file("chat_template.json"), "{not json");
  EXPECT_THROW(ChatTemplate::from_dir(dir_.path()), Error);
}

}  // namespace
}  // namespace smolvlm
