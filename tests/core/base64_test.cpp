// Base64 decoding (server data URLs, eval TSV image columns).
#include "core/base64.h"

#include <gtest/gtest.h>

namespace smolvlm {
namespace {

TEST(Base64, DecodesStrictRfc4648WithOptionalPaddingAndLineBreaks) {
  std::vector<uint8_t> out;
  EXPECT_TRUE(base64_decode("TWFu", out));
  EXPECT_EQ(out, (std::vector<uint8_t>{'M', 'a', 'n'}));
  EXPECT_TRUE(base64_decode("TWE=", out));
  EXPECT_EQ(out, (std::vector<uint8_t>{'M', 'a'}));
  EXPECT_TRUE(base64_decode("TQ", out));  // unpadded
  EXPECT_EQ(out, (std::vector<uint8_t>{'M'}));
  EXPECT_TRUE(base64_decode("TW\r\nFu", out));  // MIME line breaks
  EXPECT_TRUE(base64_decode("TWF", out));
  EXPECT_EQ(out.size(), 2u);
  EXPECT_FALSE(base64_decode("T", out));     // a dangling sixth of a byte
  EXPECT_FALSE(base64_decode("TW=u", out));  // data after padding
  EXPECT_FALSE(base64_decode("TWE===", out));
  EXPECT_FALSE(base64_decode("TW-u", out));  // URL-safe alphabet is not base64
}

}  // namespace
}  // namespace smolvlm
