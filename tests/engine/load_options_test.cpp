// LoadOptions::quantize_whole_model gives each part the dtype the CLI's
// --dtype gives it, the rule model/weight_quantization.h's
// whole_model_dtypes states: Q4_K for the decoder only.
#include <gtest/gtest.h>

#include "smolvlm.h"

namespace smolvlm {
namespace {

TEST(LoadOptions, WholeModelDtypeReachesEveryPart) {
  for (const WeightDtype dtype : {WeightDtype::Q8_0, WeightDtype::Q4_0}) {
    LoadOptions o;
    o.quantize_whole_model(dtype);
    EXPECT_EQ(o.text_weights, dtype);
    EXPECT_EQ(o.vision_weights, dtype);
    EXPECT_EQ(o.connector_weights, dtype);
  }
}

TEST(LoadOptions, WholeModelQ4KLeavesVisionAndConnectorQ4_0) {
  LoadOptions o;
  o.quantize_whole_model(WeightDtype::Q4_K);
  EXPECT_EQ(o.text_weights, WeightDtype::Q4_K);
  EXPECT_EQ(o.vision_weights, WeightDtype::Q4_0);
  EXPECT_EQ(o.connector_weights, WeightDtype::Q4_0);
}

}  // namespace
}  // namespace smolvlm
