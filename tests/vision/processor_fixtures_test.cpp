// Every image / processor_only fixture case (video cases are another test's):
// rows/cols, pixel_values shape and SHA-256 (whole and per tile) exact, stored
// pixel_values / pixel_values_u8 compared value by value, expanded_prompt
// exact. Cases golden.json marks `transformers_defect` are checked against
// the sane result instead (SPEC "Divergence policy").
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "pil_oracle.h"
#include "common/sha256_hex.h"
#include "vision/image_processor.h"
#include "vision/image_prompt.h"
#include "vision/processor_config.h"

namespace smolvlm {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

static_assert(std::endian::native == std::endian::little, "hashes are of little-endian float32 bytes");

struct FixtureCase {
  std::string model;  // folder under models/
  std::string name;   // folder under cases/<model>/
  fs::path dir() const { return fs::path(testing::fixtures_dir()) / "cases" / model / name; }
};

std::vector<FixtureCase> image_cases() {
  std::vector<FixtureCase> out;
  const fs::path root = fs::path(testing::fixtures_dir()) / "cases";
  if (!fs::exists(root)) return out;
  for (const auto& model : fs::directory_iterator(root)) {
    for (const auto& c : fs::directory_iterator(model.path())) {
      const fs::path input = c.path() / "input.json";
      if (!fs::exists(input)) continue;
      const std::string kind = read_json_file(input.string()).value("kind", "");
      if (kind == "image" || kind == "processor_only") {
        out.push_back({model.path().filename().string(), c.path().filename().string()});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.model + a.name < b.model + b.name; });
  return out;
}

struct ImageRef {
  std::string path;
  std::string loading;  // "load-image" | "pil-open"
};

std::vector<ImageRef> images_of(const FixtureCase& c, const Json& input) {
  std::vector<ImageRef> refs;
  for (const Json& m : input.at("messages")) {
    for (const Json& item : m.at("content")) {
      if (item.at("type") == "image") {
        refs.push_back({(c.dir() / item.at("path").get<std::string>()).lexically_normal().string(),
                        input.at("image_loading").get<std::string>()});
      }
    }
  }
  return refs;
}

// The image as the processor receives it, decoded by Pillow (the oracle), so
// this test checks the processor alone whatever the state of our decoders.
Image processor_input(const ImageRef& ref, const TempDir& tmp, const std::string& tag) {
  const std::string out = tmp.file(tag);
  if (!testing::run_oracle("decode " + testing::shell_quote(ref.path) + " " + ref.loading + " " + out)) {
    throw std::runtime_error("decode failed");
  }
  return testing::oracle_image(read_json_file(out + ".json"), out + ".raw");
}

ImageProcessorConfig case_config(const FixtureCase& c, const Json& input) {
  ImageProcessorConfig cfg =
      load_image_processor_config((fs::path(testing::fixtures_dir()) / "models" / c.model).string());
  // 4.51.3 ignores processor(do_image_splitting=...); the goldens applied it as
  // the image processor's own setting (fixtures README, Quirks).
  const Json& kwargs = input.at("processor_kwargs");
  if (kwargs.contains("do_image_splitting")) cfg.do_image_splitting = kwargs.at("do_image_splitting").get<bool>();
  return cfg;
}

std::string tile_hash(const ProcessedImage& p, int64_t t) {
  const size_t tile_floats = static_cast<size_t>(3 * p.tile_size * p.tile_size);
  return testing::sha256_hex(p.pixel_values.data() + t * tile_floats, tile_floats * sizeof(float));
}

void expect_equal_to_stored(const std::vector<float>& ours, const testing::GoldenTensor& g) {
  const size_t n = ours.size();
  if (g.dtype == "F32") {
    ASSERT_EQ(g.bytes.size(), n * sizeof(float));
    for (size_t i = 0; i < n; ++i) {
      float want;
      std::memcpy(&want, &g.bytes[i * sizeof(float)], sizeof(float));
      if (std::memcmp(&want, &ours[i], sizeof(float)) != 0) {
        FAIL() << "pixel_values differ first at flat index " << i << ": golden " << want << ", ours " << ours[i];
      }
    }
  } else {
    // pixel_values_u8: the processor re-run without rescale/normalise.
    ASSERT_EQ(g.dtype, "U8");
    ASSERT_EQ(g.bytes.size(), n);
    for (size_t i = 0; i < n; ++i) {
      if (static_cast<float>(g.bytes[i]) != ours[i]) {
        FAIL() << "pixel_values_u8 differ first at flat index " << i << ": golden " << int{g.bytes[i]} << ", ours "
               << ours[i];
      }
    }
  }
}

class ProcessorFixture : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(ProcessorFixture, MatchesGolden) {
  const FixtureCase& c = GetParam();
  const std::string why = testing::pillow_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  const Json input = read_json_file((c.dir() / "input.json").string());
  const Json golden = read_json_file((c.dir() / "golden.json").string());
  const ImageProcessorConfig cfg = case_config(c, input);
  const std::vector<ImageRef> refs = images_of(c, input);
  const bool defect = golden.contains("transformers_defect");
  TempDir tmp;

  std::vector<ProcessedImage> processed;
  std::vector<ImageGrid> grids;
  std::vector<float> all;
  for (size_t i = 0; i < refs.size(); ++i) {
    processed.push_back(preprocess_image(processor_input(refs[i], tmp, "in" + std::to_string(i)), cfg));
    grids.push_back({processed.back().rows, processed.back().cols});
    all.insert(all.end(), processed.back().pixel_values.begin(), processed.back().pixel_values.end());
  }
  int64_t tiles = 0;
  for (const ProcessedImage& p : processed) tiles += p.tiles;

  if (defect) {
    // The sane result: the SPEC's rules run by Pillow on the image as it is.
    for (size_t i = 0; i < refs.size(); ++i) {
      SCOPED_TRACE(refs[i].path);
      const std::string cfg_path = tmp.file("cfg.json");
      std::ofstream(cfg_path) << testing::oracle_config(cfg).dump();
      const std::string out = tmp.file("sane" + std::to_string(i));
      ASSERT_TRUE(testing::run_oracle("process " + testing::shell_quote(refs[i].path) + " " + refs[i].loading + " " +
                                      cfg_path + " " + out));
      const Json sane = read_json_file(out + ".json");
      EXPECT_EQ(processed[i].rows, sane.at("rows").get<int64_t>());
      EXPECT_EQ(processed[i].cols, sane.at("cols").get<int64_t>());
      ASSERT_EQ(processed[i].tiles, sane.at("tiles").get<int64_t>());
      testing::expect_matches_oracle_tiles(processed[i], testing::read_bytes(out + ".tiles"), sane.at("float_table"));
    }
    // The prompt then carries the sane grid: image_seq_len <image> per tile.
    const std::string expanded =
        expand_image_placeholders(golden.at("rendered_prompt").get<std::string>(), grids, cfg.image_seq_len);
    size_t images = 0;
    for (size_t p = expanded.find("<image>"); p != std::string::npos; p = expanded.find("<image>", p + 1)) ++images;
    EXPECT_EQ(static_cast<int64_t>(images), tiles * cfg.image_seq_len);
    return;
  }

  // rows / cols per image
  ASSERT_EQ(golden.at("rows").size(), refs.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    EXPECT_EQ(processed[i].rows, golden.at("rows")[i].get<int64_t>()) << "image " << i;
    EXPECT_EQ(processed[i].cols, golden.at("cols")[i].get<int64_t>()) << "image " << i;
  }
  // shape [1, tiles, 3, M, M]
  const std::vector<int64_t> shape{1, tiles, 3, cfg.tile_size, cfg.tile_size};
  EXPECT_EQ(golden.at("pixel_values_shape").get<std::vector<int64_t>>(), shape);
  // hashes: whole tensor and every tile
  EXPECT_EQ(testing::sha256_hex(all.data(), all.size() * sizeof(float)),
            golden.at("pixel_values_sha256").get<std::string>());
  const Json& tile_hashes = golden.at("pixel_values_tile_sha256");
  ASSERT_EQ(static_cast<int64_t>(tile_hashes.size()), tiles);
  int64_t t = 0;
  for (const ProcessedImage& p : processed) {
    for (int64_t k = 0; k < p.tiles; ++k, ++t) {
      EXPECT_EQ(tile_hash(p, k), tile_hashes[t].get<std::string>()) << "tile " << t;
    }
  }
  // stored values, where the case has them
  const fs::path st = c.dir() / "golden.safetensors";
  if (fs::exists(st)) {
    if (auto g = testing::read_golden_tensor(st.string(), "pixel_values")) {
      expect_equal_to_stored(all, *g);
    } else if (auto g8 = testing::read_golden_tensor(st.string(), "pixel_values_u8")) {
      ImageProcessorConfig raw = cfg;
      raw.do_rescale = false;
      raw.do_normalize = false;
      std::vector<float> bytes;
      for (size_t i = 0; i < refs.size(); ++i) {
        const ProcessedImage p = preprocess_image(processor_input(refs[i], tmp, "raw" + std::to_string(i)), raw);
        bytes.insert(bytes.end(), p.pixel_values.begin(), p.pixel_values.end());
      }
      expect_equal_to_stored(bytes, *g8);
    }
  }
  // prompt expansion of the golden rendered prompt
  EXPECT_EQ(expand_image_placeholders(golden.at("rendered_prompt").get<std::string>(), grids, cfg.image_seq_len),
            golden.at("expanded_prompt").get<std::string>());
}

std::string case_name(const ::testing::TestParamInfo<FixtureCase>& info) {
  std::string s = info.param.model + "_" + info.param.name;
  for (char& ch : s) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return s;
}

INSTANTIATE_TEST_SUITE_P(Cases, ProcessorFixture, ::testing::ValuesIn(image_cases()), case_name);

// 16-bit grey opened with PIL: transformers 4.51.3 raises; we clip to 8 bits as
// Pillow's convert("RGB") does, which must equal the load-image case's golden.
TEST(ProcessorFixtureDefects, Gray16PilOpenEqualsLoadImageGolden) {
  const std::string why = testing::pillow_unavailable();
  if (!why.empty()) GTEST_SKIP() << why;
  const FixtureCase opened{"tiny-smolvlm-256m", "proc_gray16_170x130_png_pilopen"};
  const FixtureCase loaded{"tiny-smolvlm-256m", "proc_gray16_170x130_png_loadimage"};
  const Json input = read_json_file((opened.dir() / "input.json").string());
  const Json golden = read_json_file((loaded.dir() / "golden.json").string());
  TempDir tmp;
  const std::vector<ImageRef> refs = images_of(opened, input);
  ASSERT_EQ(refs.size(), 1u);
  const Image img = processor_input(refs[0], tmp, "gray16");
  ASSERT_EQ(img.mode, PixelMode::Gray16);
  const ProcessedImage p = preprocess_image(img, case_config(opened, input));
  EXPECT_EQ(p.rows, golden.at("rows")[0].get<int64_t>());
  EXPECT_EQ(p.cols, golden.at("cols")[0].get<int64_t>());
  EXPECT_EQ(testing::sha256_hex(p.pixel_values.data(), p.pixel_values.size() * sizeof(float)),
            golden.at("pixel_values_sha256").get<std::string>());
}

}  // namespace
}  // namespace smolvlm
