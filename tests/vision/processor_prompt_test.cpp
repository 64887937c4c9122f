// Image-token expansion (SPEC §7.3); the fixture prompts are checked in
// processor_fixtures_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "vision/image_prompt.h"

namespace smolvlm {
namespace {

TEST(ProcessorPrompt, SingleImageForm) {
  EXPECT_EQ(image_prompt_string({0, 0}, 2),
            "<fake_token_around_image><global-img><image><image><fake_token_around_image>");
}

TEST(ProcessorPrompt, SplitFormHasRowsThenGlobal) {
  // Tiles are not closed; "\n" after each row; 1-based row/col numbers.
  const std::string want =
      "<fake_token_around_image><row_1_col_1><image>"
      "<fake_token_around_image><row_1_col_2><image>\n"
      "<fake_token_around_image><row_2_col_1><image>"
      "<fake_token_around_image><row_2_col_2><image>\n"
      "\n<fake_token_around_image><global-img><image><fake_token_around_image>";
  EXPECT_EQ(image_prompt_string({2, 2}, 1), want);
  // Markers past 6 are the same text (plain text to the tokenizer).
  EXPECT_NE(image_prompt_string({7, 1}, 1).find("<row_7_col_1>"), std::string::npos);
}

TEST(ProcessorPrompt, ReplacesPlaceholdersLeftToRight) {
  const std::vector<ImageGrid> grids{{0, 0}, {1, 2}};
  const std::string got = expand_image_placeholders("A<image>B<image>C", grids, 1);
  EXPECT_EQ(got, "A" + image_prompt_string({0, 0}, 1) + "B" + image_prompt_string({1, 2}, 1) + "C");
  EXPECT_EQ(expand_image_placeholders("<image><image>", std::vector<ImageGrid>{{0, 0}, {0, 0}}, 1),
            image_prompt_string({0, 0}, 1) + image_prompt_string({0, 0}, 1));
  EXPECT_EQ(expand_image_placeholders("no images", {}, 64), "no images");
}

TEST(ProcessorPrompt, CountMismatchIsAnError) {
  try {
    expand_image_placeholders("<|im_start|>User:<image><image>Hi", std::vector<ImageGrid>{{3, 4}}, 64);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.problem(), "The prompt has 2 <image> placeholders but 1 images were given");
  }
  EXPECT_THROW(expand_image_placeholders("text", std::vector<ImageGrid>{{0, 0}}, 64), Error);
  EXPECT_THROW(image_prompt_string({2, 0}, 64), Error);
}

}  // namespace
}  // namespace smolvlm
