// ImageProcessorConfig from checkpoint files: real values, class defaults,
// bad values, per-request overrides.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "common/fixtures.h"
#include "core/error.h"
#include "vision/processor_config.h"

namespace smolvlm {
namespace {

std::string model_dir(const std::string& name) { return testing::fixtures_dir() + "/models/" + name; }

TEST(ProcessorConfig, ReadsThe256MFiles) {
  const ImageProcessorConfig c = load_image_processor_config(model_dir("tiny-smolvlm-256m"));
  EXPECT_EQ(c.longest_edge, 2048);
  EXPECT_EQ(c.tile_size, 512);
  EXPECT_EQ(c.image_seq_len, 64);
  EXPECT_EQ(c.resample, Resample::Lanczos);
  EXPECT_TRUE(c.do_image_splitting);
  EXPECT_EQ(c.rescale_factor, 0.00392156862745098);
  EXPECT_EQ(c.image_mean[2], 0.5f);
  EXPECT_EQ(c.image_std[0], 0.5f);
}

TEST(ProcessorConfig, Reads22BStyleAndSmolVLM2Files) {
  const ImageProcessorConfig v1 = load_image_processor_config(model_dir("tiny-smolvlm"));
  EXPECT_EQ(v1.longest_edge, 1536);
  EXPECT_EQ(v1.tile_size, 384);
  EXPECT_EQ(v1.image_seq_len, 81);
  const ImageProcessorConfig v2 = load_image_processor_config(model_dir("tiny-smolvlm2"));
  EXPECT_EQ(v2.longest_edge, 2048);
  EXPECT_EQ(v2.image_seq_len, 64);
}

TEST(ProcessorConfig, AbsentKeysTakeClassDefaults) {
  const ImageProcessorConfig c = image_processor_config_from_json(Json::object(), "p.json");
  EXPECT_EQ(c.longest_edge, 1456);
  EXPECT_EQ(c.tile_size, 364);
  EXPECT_EQ(c.resample, Resample::Lanczos);
  EXPECT_EQ(c.rescale_factor, 1.0 / 255.0);
  EXPECT_TRUE(c.do_resize && c.do_rescale && c.do_normalize && c.do_image_splitting);
  // Without processor_config.json, image_seq_len is the processor's default 169.
  testing::TempDir dir;
  std::ofstream(dir.file("preprocessor_config.json")) << R"({"size": {"longest_edge": 728}, "resample": 3})";
  const ImageProcessorConfig d = load_image_processor_config(dir.path());
  EXPECT_EQ(d.image_seq_len, 169);
  EXPECT_EQ(d.longest_edge, 728);
  EXPECT_EQ(d.resample, Resample::Bicubic);
}

TEST(ProcessorConfig, ScalarMeanIsBroadcast) {
  const ImageProcessorConfig c =
      image_processor_config_from_json(Json{{"image_mean", 0.25}, {"image_std", {0.1, 0.2, 0.3}}}, "p.json");
  EXPECT_EQ(c.image_mean[1], 0.25f);
  EXPECT_EQ(c.image_std[2], static_cast<float>(0.3));
}

TEST(ProcessorConfig, BadValuesNameTheKey) {
  auto message = [](const Json& j) {
    try {
      image_processor_config_from_json(j, "pre.json");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(Json{{"resample", 9}}).find("pre.json.resample"), std::string::npos);
  EXPECT_NE(message(Json{{"size", {{"height", 10}, {"width", 10}}}}).find("size.longest_edge"), std::string::npos);
  EXPECT_NE(message(Json{{"size", {{"longest_edge", 5000}}}}).find("4096"), std::string::npos);
  EXPECT_NE(message(Json{{"image_std", {0.5, 0.0, 0.5}}}).find("image_std"), std::string::npos);
  EXPECT_NE(message(Json{{"image_mean", {0.5, 0.5}}}).find("image_mean"), std::string::npos);
  EXPECT_NE(message(Json{{"do_resize", "yes"}}).find("do_resize"), std::string::npos);
  EXPECT_THROW(load_image_processor_config("/nonexistent/model"), Error);
}

TEST(ProcessorConfig, RequestOverrides) {
  const ImageProcessorConfig base = load_image_processor_config(model_dir("tiny-smolvlm-256m"));
  ImageProcessorOverrides no_split;
  no_split.do_image_splitting = false;
  const ImageProcessorConfig off = with_overrides(base, no_split);
  EXPECT_FALSE(off.do_image_splitting);
  EXPECT_EQ(off.longest_edge, 2048);
  auto edge = [](int64_t e) {
    ImageProcessorOverrides o;
    o.longest_edge = e;
    return o;
  };
  const ImageProcessorConfig small = with_overrides(base, edge(1024));
  EXPECT_EQ(small.longest_edge, 1024);
  EXPECT_TRUE(small.do_image_splitting);
  EXPECT_THROW(with_overrides(base, edge(4096)), Error);  // above the model's 2048
  EXPECT_THROW(with_overrides(base, edge(0)), Error);
}

}  // namespace
}  // namespace smolvlm
