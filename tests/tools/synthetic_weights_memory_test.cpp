// make_synthetic_weights holds, in memory, exactly the tensors that
// write_synthetic_weights writes to model.safetensors.
#include <gtest/gtest.h>

#include <cstring>

#include "common/fixtures.h"
#include "io/model_config.h"
#include "io/safetensors.h"
#include "model/synthetic_checkpoint.h"

namespace smolvlm {
namespace {

bool same_bytes(const TensorView& a, const TensorView& b) {
  return a.size_bytes == b.size_bytes && std::memcmp(a.data, b.data, a.size_bytes) == 0;
}

TEST(SyntheticWeightsInMemory, EqualTheWrittenFileBitForBit) {
  for (const char* like : {"tiny-smolvlm-256m", "tiny-smolvlm"}) {
    SCOPED_TRACE(like);
    testing::TempDir dir;
    write_synthetic_checkpoint(dir.path(), like, 7);
    const TensorStore file = TensorStore::open_dir(dir.path());
    const TensorStore memory = make_synthetic_weights(load_model_config(dir.path()), 7);
    EXPECT_EQ(memory.location(), "random weights");
    ASSERT_EQ(memory.names(), file.names());
    for (const std::string& name : file.names()) {
      const TensorView& f = file.get(name);
      const TensorView& m = memory.get(name);
      EXPECT_EQ(m.dtype, f.dtype) << name;
      EXPECT_EQ(m.shape, f.shape) << name;
      EXPECT_TRUE(same_bytes(m, f)) << name;
    }
  }
}

TEST(SyntheticWeightsInMemory, TheSeedChangesTheValues) {
  testing::TempDir dir;
  write_synthetic_configs(dir.path(), "tiny-smolvlm-256m");
  const ModelConfig config = load_model_config(dir.path());
  const TensorStore a = make_synthetic_weights(config, 1), b = make_synthetic_weights(config, 2);
  const std::string name = config.text_prefix + "embed_tokens.weight";
  EXPECT_FALSE(same_bytes(a.get(name), b.get(name)));
  EXPECT_TRUE(same_bytes(a.get(name), make_synthetic_weights(config, 1).get(name)));
}

}  // namespace
}  // namespace smolvlm
