// Quantized checkpoint folders: `smolvlm quantize` writes what load-time
// quantization makes (same bytes, same logits), in the documented layout
// (U8 blocks + smolvlm.quant.* marks), and malformed marks fail clearly.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "common/fixtures.h"
#include "core/error.h"
#include "core/json_file.h"
#include "io/quantized_tensors.h"
#include "io/safetensors.h"
#include "smolvlm.h"

namespace smolvlm {
namespace {

const std::string kModel = "/models/tiny-smolvlm-256m";
const std::string kQProj = "model.text_model.layers.0.self_attn.q_proj.weight";
const std::string kFc1 = "model.vision_model.encoder.layers.0.mlp.fc1.weight";
const std::string kConnector = "model.connector.modality_projection.proj.weight";

Json raw_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  uint64_t n = 0;
  in.read(reinterpret_cast<char*>(&n), 8);
  std::string text(n, '\0');
  in.read(text.data(), static_cast<std::streamsize>(n));
  return parse_json(text, path);
}

std::vector<float> last_logits(Engine& e, const std::string& image) {
  Conversation chat = {{"user", {Content::image_item(image), Content::text_item("What is in the image?")}}};
  GenerationOptions o;
  o.max_new_tokens = 0;
  o.image_splitting = false;
  return e.generate(chat, o).logits_last;
}

TEST(QuantCheckpoint, QuantizeWritesWhatLoadTimeQuantizationMakes) {
  const std::string model = testing::fixtures_dir() + kModel;
  testing::TempDir out;
  const std::string dir = out.file("q");
  const testing::CommandResult r = testing::run_command(
      testing::shell_quote(testing::cli_path()) + " quantize --model " + testing::shell_quote(model) + " --out " +
      testing::shell_quote(dir) + " --dtype q8_0 --vision q4_0 --connector bf16");
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // The layout on disk: raw blocks as U8 [rows, row_bytes], marked in the metadata.
  const Json header = raw_header(dir + "/model.safetensors");
  EXPECT_EQ(header[kQProj]["dtype"], "U8");
  EXPECT_EQ(header[kQProj]["shape"], Json::array({64, 2 * 34}));
  EXPECT_EQ(header["__metadata__"]["smolvlm.quant." + kQProj], "q8_0:64x64");
  EXPECT_FALSE(header["__metadata__"].contains("smolvlm.quant." + kConnector));

  // As the engine sees it.
  const TensorStore store = TensorStore::open_dir(dir);
  EXPECT_EQ(store.get(kQProj, {64, 64}).dtype, DType::Q8_0);
  EXPECT_EQ(store.get(kFc1).dtype, DType::Q4_0);
  EXPECT_EQ(store.get(kConnector).dtype, DType::BF16);
  EXPECT_EQ(store.get("model.text_model.embed_tokens.weight").dtype, DType::BF16);
  EXPECT_EQ(store.get("model.text_model.layers.0.input_layernorm.weight").dtype, DType::BF16);
  EXPECT_TRUE(std::filesystem::exists(dir + "/tokenizer.json"));

  LoadOptions at_load;
  at_load.text_weights = WeightDtype::Q8_0;
  at_load.vision_weights = WeightDtype::Q4_0;
  const std::string image = testing::fixtures_dir() + "/images/photo_320x240.jpg";
  const std::vector<float> from_folder = last_logits(*Engine::load(dir), image);
  const std::vector<float> quantized_at_load = last_logits(*Engine::load(model, at_load), image);
  const std::vector<float> unquantized = last_logits(*Engine::load(model), image);
  EXPECT_EQ(from_folder, quantized_at_load);
  EXPECT_NE(from_folder, unquantized);
}

// Q4_K needs rows of whole 256-value super-blocks: the fixture's 64-wide
// projections take Q4_0, its 1024-wide connector (asked for) Q4_K, the
// vision tower Q4_0 by default, and the folder runs as load-time
// quantization does.
TEST(QuantCheckpoint, Q4KTakesQ4_0WhereRowsAreNotWholeSuperBlocks) {
  const std::string model = testing::fixtures_dir() + kModel;
  testing::TempDir out;
  const std::string dir = out.file("q");
  const testing::CommandResult r = testing::run_command(testing::shell_quote(testing::cli_path()) +
                                                        " quantize --model " + testing::shell_quote(model) +
                                                        " --out " + testing::shell_quote(dir) +
                                                        " --dtype q4_k --connector q4_k");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json header = raw_header(dir + "/model.safetensors");
  EXPECT_EQ(header["__metadata__"]["smolvlm.quant." + kQProj], "q4_0:64x64");
  EXPECT_EQ(header["__metadata__"]["smolvlm.quant." + kFc1], "q4_0:128x64");  // the vision tower's default
  EXPECT_EQ(header["__metadata__"]["smolvlm.quant." + kConnector], "q4_k:64x1024");
  EXPECT_EQ(header[kConnector]["shape"], Json::array({64, 4 * 144}));

  LoadOptions at_load;
  at_load.bf16_compute = true;
  at_load.text_weights = at_load.connector_weights = WeightDtype::Q4_K;
  at_load.vision_weights = WeightDtype::Q4_0;
  LoadOptions fast;
  fast.bf16_compute = true;
  const std::string image = testing::fixtures_dir() + "/images/photo_320x240.jpg";
  EXPECT_EQ(last_logits(*Engine::load(dir, fast), image), last_logits(*Engine::load(model, at_load), image));
}

// A one-tensor file with `metadata`, its tensor U8 [2, 34] (or `dtype`).
std::string write_marked(const testing::TempDir& dir, const std::map<std::string, std::string>& metadata,
                         DType dtype = DType::U8) {
  const std::string path = dir.file("m.safetensors");
  TensorToWrite t{"w", dtype, {2, 34}, std::vector<uint8_t>(2 * 34 * dtype_size_bytes(dtype), 0)};
  write_safetensors(path, {t}, metadata);
  return path;
}

void expect_error(const std::string& path, const std::string& needle) {
  try {
    SafetensorsFile f(path);
    FAIL() << "no error for " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tensor w"), std::string::npos) << e.what();
  }
}

TEST(QuantCheckpoint, MarkedTensorsBecomeBlockViews) {
  testing::TempDir dir;
  SafetensorsFile f(write_marked(dir, {{"smolvlm.quant.w", "q8_0:2x32"}}));
  const TensorView& t = f.tensors().at("w");
  EXPECT_EQ(t.dtype, DType::Q8_0);
  EXPECT_EQ(t.shape, (std::vector<int64_t>{2, 32}));
  EXPECT_EQ(t.size_bytes, 68u);
}

TEST(QuantCheckpoint, MalformedMarksAreClearErrors) {
  testing::TempDir dir;
  expect_error(write_marked(dir, {{"smolvlm.quant.w", "q5_1:2x32"}}), "q5_1");
  expect_error(write_marked(dir, {{"smolvlm.quant.w", "q8_0:2by32"}}), "<rows>x<cols>");
  expect_error(write_marked(dir, {{"smolvlm.quant.w", "q8_0:2x64"}}), "[2, 68]");
  expect_error(write_marked(dir, {{"smolvlm.quant.w", "q4_0:2x48"}}), "32-blocks");
  expect_error(write_marked(dir, {{"smolvlm.quant.w", "q8_0:2x17"}}, DType::F32), "not U8");
  testing::TempDir other;
  const std::string path = write_marked(other, {{"smolvlm.quant.v", "q8_0:2x32"}});
  try {
    SafetensorsFile f(path);
    FAIL() << "a mark without its tensor";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tensor v"), std::string::npos) << e.what();
  }
}

TEST(QuantCheckpoint, ReplacementsMustNameStoredTensors) {
  testing::TempDir dir;
  const std::string path = write_marked(dir, {});
  TensorToWrite q{"missing", DType::Q8_0, {1, 32}, std::vector<uint8_t>(34)};
  EXPECT_THROW(TensorStore::with_replacements(TensorStore::open_file(path), {q}), Error);
  q.name = "w";
  q.shape = {2, 32};
  q.bytes.assign(68, 1);
  const TensorStore s = TensorStore::with_replacements(TensorStore::open_file(path), {q});
  EXPECT_EQ(s.get("w").dtype, DType::Q8_0);
  EXPECT_EQ(s.get("w").data[5], 1);
  q.bytes.resize(60);  // not two rows of blocks
  EXPECT_THROW(TensorStore::with_replacements(TensorStore::open_file(path), {q}), Error);
}

}  // namespace
}  // namespace smolvlm
