// Resize and split sizes: SPEC §6.3-§6.5 and the worked example §6.11.
#include <gtest/gtest.h>

#include "vision/processor_sizes.h"

namespace smolvlm {
namespace {

TEST(ProcessorSizes, WorkedExample700x500) {
  // ar = 1.4 (double 1.3999999999999999), 2048 / ar = 1462.857... -> 1462.
  const Size2D first = longest_edge_size({700, 500}, 2048);
  EXPECT_EQ(first, (Size2D{2048, 1462}));
  const Size2D stretched = vision_encoder_size(first, 512);
  EXPECT_EQ(stretched, (Size2D{2048, 1536}));
  const TileGrid g = tile_grid(stretched, 512);
  EXPECT_EQ(g.rows, 3);
  EXPECT_EQ(g.cols, 4);
  EXPECT_EQ(g.tile_height, 512);
  EXPECT_EQ(g.tile_width, 512);
}

TEST(ProcessorSizes, OtherSpecExamples) {
  EXPECT_EQ(longest_edge_size({640, 480}, 2048), (Size2D{2048, 1536}));
  EXPECT_EQ(longest_edge_size({500, 700}, 2048), (Size2D{1462, 2048}));
  EXPECT_EQ(vision_encoder_size({1462, 2048}, 512), (Size2D{1536, 2048}));
  // Small images are up-scaled to the longest edge.
  EXPECT_EQ(longest_edge_size({100, 30}, 2048), (Size2D{2048, 614}));
  // Video-like L = M = 512: 1920x1080 -> 512x288 -> 512x512, not split.
  EXPECT_EQ(longest_edge_size({1920, 1080}, 512), (Size2D{512, 288}));
  EXPECT_EQ(vision_encoder_size({512, 288}, 512), (Size2D{512, 512}));
  EXPECT_EQ(tile_grid({512, 512}, 512).rows, 0);
  // 2.2B config: 700x500 -> 1536x1098 -> 1536x1152 -> 3 x 4 tiles of 384.
  EXPECT_EQ(longest_edge_size({700, 500}, 1536), (Size2D{1536, 1098}));
  EXPECT_EQ(vision_encoder_size({1536, 1098}, 384), (Size2D{1536, 1152}));
  const TileGrid g = tile_grid({1536, 1152}, 384);
  EXPECT_EQ(g.rows, 3);
  EXPECT_EQ(g.cols, 4);
}

TEST(ProcessorSizes, ShortSideIsMadeEven) {
  // 333x97: 2048 / (333/97) = 596.56 -> 596 (even already); 7x3: 2048 / (7/3) = 877.7 -> 877 -> 878.
  EXPECT_EQ(longest_edge_size({333, 97}, 2048), (Size2D{2048, 596}));
  EXPECT_EQ(longest_edge_size({7, 3}, 2048), (Size2D{2048, 878}));
  EXPECT_EQ(longest_edge_size({3, 7}, 2048), (Size2D{878, 2048}));
  // Squares take the w >= h branch.
  EXPECT_EQ(longest_edge_size({1, 1}, 2048), (Size2D{2048, 2048}));
  // A side that would vanish is floored at 1 (after the even rule, so it stays 1).
  EXPECT_EQ(longest_edge_size({5000, 1}, 2048), (Size2D{2048, 1}));
}

TEST(ProcessorSizes, SidesNeverDropBelowOneTile) {
  EXPECT_EQ(vision_encoder_size({2048, 1}, 512), (Size2D{2048, 512}));
  EXPECT_EQ(vision_encoder_size({1, 2048}, 512), (Size2D{512, 2048}));
  EXPECT_EQ(vision_encoder_size({30, 20}, 512), (Size2D{512, 512}));
  // Aspect is not kept: 2048x1462 is stretched to 2048x1536 (vertical only).
  EXPECT_EQ(vision_encoder_size({2048, 1462}, 512), (Size2D{2048, 1536}));
}

TEST(ProcessorSizes, GridIsRowsByCols) {
  const TileGrid g = tile_grid({512, 2048}, 512);  // tall: 4 rows, 1 column
  EXPECT_EQ(g.rows, 4);
  EXPECT_EQ(g.cols, 1);
  const TileGrid wide = tile_grid({2048, 512}, 512);
  EXPECT_EQ(wide.rows, 1);
  EXPECT_EQ(wide.cols, 4);
}

}  // namespace
}  // namespace smolvlm
