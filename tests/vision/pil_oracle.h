// Test helpers shared by the resample and processor tests: running the Pillow
// oracle (tests/vision/pil_resample_oracle.py under Debian's /usr/bin/python3
// with python3-pil), reading the images it writes, and reading tensors from a
// fixture's golden.safetensors. Header-only: tests/<area>/ builds *_test.cpp.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "vision/image.h"
#include "vision/image_processor.h"
#include "vision/processor_config.h"

namespace smolvlm::testing {

inline constexpr const char* kPillowPython = "/usr/bin/python3";

inline std::string oracle_script() { return source_dir() + "/tests/vision/pil_resample_oracle.py"; }

// Why the oracle cannot run here, or "" when it can (Pillow 9.4, as the fixtures).
inline std::string pillow_unavailable() {
  const CommandResult r = run_command(std::string(kPillowPython) +
                                      " -c \"import PIL; assert PIL.__version__.startswith('9.4'), PIL.__version__\"");
  return r.exit_code == 0 ? "" : "Debian python3-pil 9.4 is needed under /usr/bin/python3: " + r.err;
}

// Runs the oracle with `args`; fails the test with its stderr otherwise.
inline bool run_oracle(const std::string& args) {
  const CommandResult r = run_command(std::string(kPillowPython) + " " + shell_quote(oracle_script()) + " " + args);
  EXPECT_EQ(r.exit_code, 0) << "oracle " << args << ":\n" << r.err;
  return r.exit_code == 0;
}

inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline PixelMode mode_from_pillow_name(const std::string& name) {
  if (name == "1") return PixelMode::Bilevel;
  if (name == "L") return PixelMode::Gray;
  if (name == "LA") return PixelMode::GrayAlpha;
  if (name == "P") return PixelMode::Palette;
  if (name == "RGB") return PixelMode::RGB;
  if (name == "RGBA") return PixelMode::RGBA;
  if (name == "CMYK") return PixelMode::CMYK;
  if (name == "I;16") return PixelMode::Gray16;
  throw std::runtime_error("unknown Pillow mode " + name);
}

// An image the oracle described ({"mode","width","height","palette"}) with its raw samples.
inline Image oracle_image(const Json& desc, const std::string& raw_path) {
  Image im;
  im.mode = mode_from_pillow_name(desc.at("mode").get<std::string>());
  im.width = desc.at("width").get<int64_t>();
  im.height = desc.at("height").get<int64_t>();
  im.data = read_bytes(raw_path);
  for (const Json& v : desc.at("palette")) im.palette.push_back(v.get<uint8_t>());
  return im;
}

// A tensor of a golden.safetensors file, raw little-endian bytes.
struct GoldenTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

inline std::optional<GoldenTensor> read_golden_tensor(const std::string& path, const std::string& name) {
  const std::vector<uint8_t> file = read_bytes(path);
  uint64_t header_size = 0;
  std::memcpy(&header_size, file.data(), 8);  // little-endian host (checked by the callers)
  const Json header = parse_json(std::string(file.begin() + 8, file.begin() + 8 + header_size), path);
  if (!header.contains(name)) return std::nullopt;
  const Json& t = header.at(name);
  GoldenTensor out;
  out.dtype = t.at("dtype").get<std::string>();
  out.shape = t.at("shape").get<std::vector<int64_t>>();
  const size_t begin = 8 + header_size + t.at("data_offsets")[0].get<size_t>();
  const size_t end = 8 + header_size + t.at("data_offsets")[1].get<size_t>();
  out.bytes.assign(file.begin() + begin, file.begin() + end);
  return out;
}

// An ImageProcessorConfig in the oracle's config form (pil_resample_oracle.py).
inline Json oracle_config(const ImageProcessorConfig& c) {
  return Json{{"longest_edge", c.longest_edge},
              {"tile_size", c.tile_size},
              {"do_resize", c.do_resize},
              {"do_image_splitting", c.do_image_splitting},
              {"resample", std::string(resample_name(c.resample))},
              {"do_rescale", c.do_rescale},
              {"do_normalize", c.do_normalize},
              {"rescale_factor", c.rescale_factor},
              {"image_mean", {c.image_mean[0], c.image_mean[1], c.image_mean[2]}},
              {"image_std", {c.image_std[0], c.image_std[1], c.image_std[2]}}};
}

// The inverse, for configs the oracle chose.
inline ImageProcessorConfig config_from_oracle(const Json& j) {
  ImageProcessorConfig c;
  c.longest_edge = j.at("longest_edge").get<int64_t>();
  c.tile_size = j.at("tile_size").get<int64_t>();
  c.do_resize = j.at("do_resize").get<bool>();
  c.do_image_splitting = j.at("do_image_splitting").get<bool>();
  const std::string filter = j.at("resample").get<std::string>();
  for (int64_t code = 0; code <= 5; ++code) {
    if (resample_name(resample_from_code(code)) == filter) c.resample = resample_from_code(code);
  }
  c.do_rescale = j.at("do_rescale").get<bool>();
  c.do_normalize = j.at("do_normalize").get<bool>();
  c.rescale_factor = j.at("rescale_factor").get<double>();
  for (size_t i = 0; i < 3; ++i) {
    c.image_mean[i] = static_cast<float>(j.at("image_mean")[i].get<double>());
    c.image_std[i] = static_cast<float>(j.at("image_std")[i].get<double>());
  }
  return c;
}

// Compares our output with the oracle's uint8 tiles (H x W x 3 each) mapped
// through its per-channel float table; no tolerance. Reports the first
// difference with its tile, position and channel.
inline void expect_matches_oracle_tiles(const ProcessedImage& got, const std::vector<uint8_t>& tiles_hwc,
                                        const Json& float_table) {
  const int64_t plane = got.tile_size * got.tile_size;
  ASSERT_EQ(static_cast<int64_t>(tiles_hwc.size()), got.tiles * plane * 3) << "oracle tile bytes";
  ASSERT_EQ(static_cast<int64_t>(got.pixel_values.size()), got.tiles * plane * 3);
  std::vector<std::vector<float>> table(3);
  for (size_t c = 0; c < 3; ++c) table[c] = float_table.at(c).get<std::vector<float>>();
  for (int64_t t = 0; t < got.tiles; ++t) {
    for (int64_t i = 0; i < plane; ++i) {
      for (int64_t c = 0; c < 3; ++c) {
        const uint8_t u = tiles_hwc[static_cast<size_t>((t * plane + i) * 3 + c)];
        const float want = table[c][u];
        const float have = got.pixel_values[static_cast<size_t>((t * 3 + c) * plane + i)];
        if (std::memcmp(&want, &have, sizeof(float)) != 0) {
          ADD_FAILURE() << "first difference: tile " << t << " x " << i % got.tile_size << " y "
                        << i / got.tile_size << " channel " << c << ": oracle byte " << int{u} << " -> " << want
                        << ", ours " << have;
          return;
        }
      }
    }
  }
}

}  // namespace smolvlm::testing
