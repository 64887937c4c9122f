// Every fixture case's prompt must equal transformers' rendering byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "chat/chat_template.h"
#include "common/fixtures.h"
#include "core/error.h"
#include "core/json_file.h"

namespace smolvlm {
namespace {

namespace fs = std::filesystem;

TEST(ChatTemplateFixtures, EveryCaseRendersTheGoldenPrompt) {
  const fs::path cases = fs::path(testing::fixtures_dir()) / "cases";
  ASSERT_TRUE(fs::is_directory(cases)) << cases;
  int compared = 0, skipped = 0;
  for (const auto& model_entry : fs::directory_iterator(cases)) {
    const std::string model = model_entry.path().filename().string();
    const ChatTemplate chat = ChatTemplate::from_dir((fs::path(testing::fixtures_dir()) / "models" / model).string());
    for (const auto& case_entry : fs::directory_iterator(model_entry.path())) {
      const Json input = read_json_file((case_entry.path() / "input.json").string());
      const Json golden = read_json_file((case_entry.path() / "golden.json").string());
      // Video goldens store the prompt after video expansion (another layer's
      // job); the template's own output is rendered_prompt_unexpanded_video.
      const char* key = input.value("kind", "") == "video" ? "rendered_prompt_unexpanded_video" : "rendered_prompt";
      if (!golden.contains(key)) {
        ++skipped;
        continue;
      }
      const std::string rendered = chat.render(input.at("messages"), input.value("add_generation_prompt", false));
      EXPECT_EQ(rendered, golden.at(key).get<std::string>()) << case_entry.path();
      ++compared;
    }
  }
  std::printf("[ fixtures ] %d cases compared, %d skipped (no template-only golden)\n", compared, skipped);
  EXPECT_GE(compared, 40);
}

TEST(ChatTemplateFixtures, LoadsSpecialTokensFromTokenizerConfig) {
  const ChatTemplate chat = ChatTemplate::from_dir(testing::fixtures_dir() + "/models/tiny-smolvlm-256m");
  EXPECT_NE(chat.source().find("<|im_start|>"), std::string::npos);
}

}  // namespace
}  // namespace smolvlm
