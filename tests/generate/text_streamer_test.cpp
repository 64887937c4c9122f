// TextStreamer: characters split across tokens, invalid bytes, finish().
#include "generate/text_streamer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace smolvlm {
namespace {

const std::string kFFFD = "\xEF\xBF\xBD";

// Pushes `bytes` one piece per entry and returns each push's output.
std::vector<std::string> stream(TextStreamer& s, const std::vector<std::string>& pieces) {
  std::vector<std::string> out;
  for (const std::string& p : pieces) out.push_back(s.push(p));
  return out;
}

// True when `s` is well-formed UTF-8 (used to check every streamed chunk).
bool valid_utf8(const std::string& s) {
  TextStreamer t;
  return t.push(s) == s && t.finish().empty();
}

TEST(TextStreamer, AsciiPassesThrough) {
  TextStreamer s;
  EXPECT_EQ(s.push("Hello"), "Hello");
  EXPECT_EQ(s.push(" world"), " world");
  EXPECT_EQ(s.finish(), "");
}

TEST(TextStreamer, TwoByteCharacterSplit) {
  TextStreamer s;  // "é" = C3 A9
  EXPECT_EQ(stream(s, {"caf\xC3", "\xA9!"}), (std::vector<std::string>{"caf", "\xC3\xA9!"}));
}

TEST(TextStreamer, ThreeByteCharacterSplitEveryWay) {
  const std::string euro = "\xE2\x82\xAC";  // U+20AC
  for (size_t cut1 = 0; cut1 <= 3; ++cut1) {
    for (size_t cut2 = cut1; cut2 <= 3; ++cut2) {
      TextStreamer s;
      std::string out = s.push(euro.substr(0, cut1));
      out += s.push(euro.substr(cut1, cut2 - cut1));
      if (cut2 < 3) {
        EXPECT_EQ(out, "");  // nothing shown before the character completes
      }
      out += s.push(euro.substr(cut2));
      EXPECT_EQ(out, euro);
      EXPECT_EQ(s.finish(), "");
    }
  }
}

TEST(TextStreamer, FourByteEmojiByteByByte) {
  const std::string grin = "\xF0\x9F\x98\x80";  // U+1F600
  TextStreamer s;
  EXPECT_EQ(s.push(grin.substr(0, 1)), "");
  EXPECT_EQ(s.push(grin.substr(1, 1)), "");
  EXPECT_EQ(s.push(grin.substr(2, 1)), "");
  EXPECT_EQ(s.push(grin.substr(3, 1)), grin);
}

TEST(TextStreamer, ZwjSequenceSplitAtEveryByte) {
  // Family: man ZWJ woman ZWJ girl, then text; every chunk must be valid UTF-8
  // and the whole must come back unchanged however the bytes are tokenised.
  const std::string family =
      "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7 ok \xE6\x97\xA5\xE6\x9C\xAC";
  for (size_t step = 1; step <= 5; ++step) {
    TextStreamer s;
    std::string all;
    for (size_t i = 0; i < family.size(); i += step) {
      const std::string chunk = s.push(family.substr(i, step));
      EXPECT_TRUE(valid_utf8(chunk)) << "step " << step << " at " << i;
      all += chunk;
    }
    all += s.finish();
    EXPECT_EQ(all, family) << "step " << step;
  }
}

TEST(TextStreamer, InvalidBytesBecomeReplacementImmediately) {
  TextStreamer s;
  EXPECT_EQ(s.push("a\x80" "b"), "a" + kFFFD + "b");  // lone continuation byte
  EXPECT_EQ(s.push("\xFF"), kFFFD);                  // never valid
  EXPECT_EQ(s.push("\xC0\xAF"), kFFFD + kFFFD);      // overlong lead C0: each byte on its own
  EXPECT_EQ(s.finish(), "");
}

TEST(TextStreamer, TruncatedSequenceFollowedByTextIsOneReplacement) {
  TextStreamer s;
  EXPECT_EQ(s.push("\xE2\x82"), "");          // could still become U+20AC
  EXPECT_EQ(s.push("x"), kFFFD + "x");         // maximal subpart E2 82 -> one U+FFFD
}

TEST(TextStreamer, MaximalSubpartRule) {
  // from_utf8_lossy / WHATWG: surrogate lead ED A0 is invalid at the second
  // byte, so ED, A0 and 80 are each replaced; F0 80 fails at the second byte.
  TextStreamer s;
  EXPECT_EQ(s.push("\xED\xA0\x80"), kFFFD + kFFFD + kFFFD);
  EXPECT_EQ(s.push("\xF0\x80\x80"), kFFFD + kFFFD + kFFFD);
  EXPECT_EQ(s.push("\xF4\x90\x80\x80"), kFFFD + kFFFD + kFFFD + kFFFD);  // above U+10FFFF
  EXPECT_EQ(s.push("\xF0\x9F\x98" "A"), kFFFD + "A");                   // truncated 4-byte
}

TEST(TextStreamer, FinishFlushesAnIncompleteTail) {
  TextStreamer s;
  EXPECT_EQ(s.push("hi\xF0\x9F"), "hi");
  EXPECT_EQ(s.finish(), kFFFD);
  // Reusable afterwards.
  EXPECT_EQ(s.push("\xC3\xA9"), "\xC3\xA9");
  EXPECT_EQ(s.finish(), "");
}

TEST(TextStreamer, EmptyPushes) {
  TextStreamer s;
  EXPECT_EQ(s.push(""), "");
  EXPECT_EQ(s.push("\xC3"), "");
  EXPECT_EQ(s.push(""), "");
  EXPECT_EQ(s.push("\xA9"), "\xC3\xA9");
}

}  // namespace
}  // namespace smolvlm
