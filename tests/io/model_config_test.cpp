#include "io/model_config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/fixtures.h"
#include "core/error.h"

namespace smolvlm {
namespace {

std::string model_dir(const std::string& name) { return testing::fixtures_dir() + "/models/" + name; }

TEST(ModelConfig, ReadsIdefics3FixtureShapes) {
  const ModelConfig c = load_model_config(model_dir("tiny-smolvlm-256m"));
  EXPECT_EQ(c.architecture, Architecture::Idefics3);
  EXPECT_EQ(c.text.vocab_size, 49280);
  EXPECT_EQ(c.text.num_kv_heads, 2);
  EXPECT_EQ(c.text.head_dim, 16);
  EXPECT_DOUBLE_EQ(c.text.rope_theta, 100000.0);
  EXPECT_FALSE(c.text.tie_word_embeddings);
  ASSERT_TRUE(c.vision.has_value());
  EXPECT_EQ(c.vision->patch_size, 16);
  EXPECT_EQ(c.scale_factor, 4);
  EXPECT_EQ(c.image_token_id, 49190);
  EXPECT_EQ(c.text_prefix, "model.text_model.");
}

TEST(ModelConfig, TopLevelTieWinsAndSmolVLMIsRecognised) {
  EXPECT_TRUE(load_model_config(model_dir("tiny-smolvlm")).text.tie_word_embeddings);
  const ModelConfig c = load_model_config(model_dir("tiny-smolvlm2"));
  EXPECT_EQ(c.architecture, Architecture::SmolVLM);
  EXPECT_EQ(c.vision->image_size, 512);
}

TEST(ModelConfig, GenerationConfigEos) {
  EXPECT_EQ(load_generation_config(model_dir("tiny-smolvlm")).eos_token_ids, std::vector<int32_t>{49154});
  const GenerationConfig g = load_generation_config(model_dir("tiny-smolvlm-256m"));
  EXPECT_EQ(g.eos_token_ids, std::vector<int32_t>{49279});
  EXPECT_EQ(g.pad_token_id, 2);
  EXPECT_FALSE(g.do_sample);
  EXPECT_FALSE(g.max_length.has_value());
}

class BadConfig : public ::testing::Test {
 protected:
  std::string error_for(const std::string& config_json) {
    std::ofstream(dir_.file("config.json")) << config_json;
    try {
      load_model_config(dir_.path());
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  testing::TempDir dir_;
};

TEST_F(BadConfig, UnknownArchitectureIsNamed) {
  EXPECT_NE(error_for(R"({"architectures":["MistralForCausalLM"]})").find("unsupported architecture \"MistralForCausalLM\""),
            std::string::npos);
}

TEST_F(BadConfig, MissingAndWrongTypedKeysAreNamed) {
  const std::string llama = R"({"architectures":["LlamaForCausalLM"],"vocab_size":10,"hidden_size":8,)"
                            R"("intermediate_size":16,"num_hidden_layers":1,"num_attention_heads":)";
  EXPECT_NE(error_for(llama + R"("two"})").find("config.json.num_attention_heads: must be a positive integer"), std::string::npos);
  EXPECT_NE(error_for(R"({"architectures":["LlamaForCausalLM"]})").find("config.json.vocab_size: missing"), std::string::npos);
  EXPECT_NE(error_for(llama + R"(2,"num_key_value_heads":3})").find("does not divide"), std::string::npos);
  EXPECT_NE(error_for(R"({"architectures":["Idefics3ForConditionalGeneration"]})").find("text_config: missing"), std::string::npos);
  EXPECT_NE(error_for("{not json").find("malformed JSON"), std::string::npos);
}

TEST_F(BadConfig, MissingFileIsNamed) {
  try {
    load_model_config(dir_.path());
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("config.json: cannot open"), std::string::npos);
  }
}

}  // namespace
}  // namespace smolvlm
