#include "io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "common/fixtures.h"
#include "core/error.h"

namespace smolvlm {
namespace {

using testing::TempDir;

// Writes an arbitrary header + data section, for files that lie.
void write_raw(const std::string& path, const std::string& header, size_t data_bytes, uint64_t declared_len = 0) {
  std::ofstream out(path, std::ios::binary);
  const uint64_t len = declared_len ? declared_len : header.size();
  out.write(reinterpret_cast<const char*>(&len), 8);
  out << header;
  out << std::string(data_bytes, '\0');
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Safetensors, RoundTripsWrittenTensors) {
  TempDir dir;
  const std::string path = dir.file("t.safetensors");
  write_safetensors(path, {tensor_from_f32("a", {2, 3}, {1, 2, 3, 4, 5, 6}, DType::BF16),
                           tensor_from_f32("b", {3}, {0.5f, -1.f, 7.f}), tensor_from_i32("c", {2}, {7, -9})},
                    {{"format", "pt"}});
  const TensorStore store = TensorStore::open_file(path);
  EXPECT_EQ(store.names().size(), 3u);
  EXPECT_EQ(to_f32(store.get("a", {2, 3})), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(to_f32(store.get("b")), (std::vector<float>{0.5f, -1.f, 7.f}));
  const TensorView& c = store.get("c");
  int32_t c1;
  std::memcpy(&c1, c.data + 4, 4);
  EXPECT_EQ(c1, -9);
  SafetensorsFile file(path);
  EXPECT_EQ(file.metadata().at("format"), "pt");
}

TEST(Safetensors, LoadsShardedFixtureCheckpoint) {
  const TensorStore store = TensorStore::open_dir(testing::fixtures_dir() + "/models/tiny-smolvlm-256m");
  EXPECT_TRUE(store.contains("lm_head.weight"));
  EXPECT_TRUE(store.contains("model.text_model.embed_tokens.weight"));
  EXPECT_EQ(store.get("lm_head.weight").shape, (std::vector<int64_t>{49280, 64}));
  EXPECT_EQ(store.get("lm_head.weight").dtype, DType::BF16);
}

TEST(Safetensors, NamesTheTensorOnShapeMismatchAndMissing) {
  const TensorStore store = TensorStore::open_dir(testing::fixtures_dir() + "/models/tiny-smolvlm");
  EXPECT_NE(error_of([&] { store.get("model.text_model.norm.weight", {65}); }).find("model.text_model.norm.weight"),
            std::string::npos);
  EXPECT_NE(error_of([&] { store.get("nope"); }).find("tensor nope: missing"), std::string::npos);
}

TEST(Safetensors, RejectsLyingHeaders) {
  TempDir dir;
  const std::string p = dir.file("bad.safetensors");
  struct Case {
    std::string header;
    size_t data_bytes;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", 8, "outside the data section"},
      {R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 16, "needs 12"},
      {R"({"a":{"dtype":"Q9","shape":[2],"data_offsets":[0,8]}})", 8, "unsupported dtype"},
      {R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8, "negative"},
      {R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})", 8,
       "overlap"},
      {R"({"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}})", 8, "larger than"},
      {R"({"a":{"dtype":"F32","shape":[2]}})", 8, "data_offsets"},
      {R"([1,2,3])", 0, "not a JSON object"},
      {R"({"a":)", 0, "malformed JSON"},
  };
  for (const auto& c : cases) {
    write_raw(p, c.header, c.data_bytes);
    const std::string msg = error_of([&] { SafetensorsFile f(p); });
    EXPECT_NE(msg.find(c.expected), std::string::npos) << c.header << " -> " << msg;
    EXPECT_NE(msg.find(p), std::string::npos) << "error must name the file: " << msg;
  }
}

TEST(Safetensors, RejectsTruncatedAndHugeHeaderLength) {
  TempDir dir;
  const std::string p = dir.file("t.safetensors");
  { std::ofstream(p, std::ios::binary) << "abc"; }
  EXPECT_NE(error_of([&] { SafetensorsFile f(p); }).find("too short"), std::string::npos);
  write_raw(p, "{}", 0, uint64_t{1} << 62);
  EXPECT_NE(error_of([&] { SafetensorsFile f(p); }).find("exceeds the file size"), std::string::npos);
  EXPECT_NE(error_of([&] { SafetensorsFile f(dir.file("missing.safetensors")); }).find("cannot open"), std::string::npos);
}

TEST(Safetensors, ShardIndexMustMatchShards) {
  TempDir dir;
  write_safetensors(dir.file("s1.safetensors"), {tensor_from_f32("a", {1}, {1.f})});
  { std::ofstream(dir.file("model.safetensors.index.json")) << R"({"weight_map":{"a":"s1.safetensors","b":"s1.safetensors"}})"; }
  EXPECT_NE(error_of([&] { TensorStore::open_dir(dir.path()); }).find("tensor b is listed in s1.safetensors but not stored"),
            std::string::npos);
  { std::ofstream(dir.file("model.safetensors.index.json")) << R"({"weight_map":{"a":"../s1.safetensors"}})"; }
  EXPECT_NE(error_of([&] { TensorStore::open_dir(dir.path()); }).find("not a file in the folder"), std::string::npos);
  TempDir empty;
  EXPECT_NE(error_of([&] { TensorStore::open_dir(empty.path()); }).find("no model.safetensors"), std::string::npos);
}

}  // namespace
}  // namespace smolvlm
