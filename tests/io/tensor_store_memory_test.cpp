// TensorStore::from_memory: the same views a file gives, owned bytes that
// survive moves, and sizes and names checked like a file's header.
#include <gtest/gtest.h>

#include <utility>

#include "core/error.h"
#include "io/safetensors.h"

namespace smolvlm {
namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TensorStoreMemory, HoldsTheGivenTensors) {
  const TensorStore store = TensorStore::from_memory(
      "bench", {tensor_from_f32("a", {2, 3}, {1, 2, 3, 4, 5, 6}, DType::BF16), tensor_from_i32("b", {2}, {7, -9})});
  EXPECT_EQ(store.location(), "bench");
  EXPECT_EQ(store.names(), (std::vector<std::string>{"a", "b"}));
  const TensorView& a = store.get("a", {2, 3});
  EXPECT_EQ(a.dtype, DType::BF16);
  EXPECT_EQ(a.size_bytes, 12u);
  EXPECT_EQ(to_f32(a), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(store.get("b").dtype, DType::I32);
  EXPECT_FALSE(store.contains("c"));
  EXPECT_EQ(error_of([&] { store.get("c"); }), "bench: tensor c: missing");
}

TEST(TensorStoreMemory, ViewsSurviveMoves) {
  TensorStore first = TensorStore::from_memory("m", {tensor_from_f32("w", {4}, {1, 2, 3, 4})});
  const uint8_t* data = first.get("w").data;
  TensorStore second = std::move(first);
  TensorStore third = TensorStore::from_memory("other", {});
  third = std::move(second);
  EXPECT_EQ(third.get("w").data, data);
  EXPECT_EQ(to_f32(third.get("w")), (std::vector<float>{1, 2, 3, 4}));
}

TEST(TensorStoreMemory, RejectsSizesThatDoNotMatchTheShape) {
  TensorToWrite short_tensor = tensor_from_f32("w", {4}, {1, 2, 3, 4});
  short_tensor.bytes.pop_back();
  EXPECT_EQ(error_of([&] { TensorStore::from_memory("m", {short_tensor}); }),
            "m: tensor w: holds 15 bytes, which does not match F32 of its shape");
  TensorToWrite huge{"h", DType::F32, {int64_t{1} << 40, int64_t{1} << 40}, {}};  // the product would overflow
  EXPECT_NE(error_of([&] { TensorStore::from_memory("m", {huge}); }).find("m: tensor h: holds 0 bytes"),
            std::string::npos);
  TensorToWrite negative{"n", DType::F32, {-1}, {}};
  EXPECT_NE(error_of([&] { TensorStore::from_memory("m", {negative}); }), "");
}

TEST(TensorStoreMemory, RejectsDuplicateNames) {
  EXPECT_EQ(error_of([] {
              TensorStore::from_memory("m", {tensor_from_f32("w", {1}, {1}), tensor_from_f32("w", {1}, {2})});
            }),
            "m: tensor w: given twice");
}

}  // namespace
}  // namespace smolvlm
