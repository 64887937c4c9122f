// StopStringMatcher: matches across chunks, hold-back, several stop strings.
#include "generate/stop_strings.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"

namespace smolvlm {
namespace {

// Feeds every chunk; returns the streamed text and the match, if any.
struct Streamed {
  std::string streamed;
  std::optional<StopMatch> match;
};

Streamed run(StopStringMatcher& m, const std::vector<std::string>& chunks) {
  Streamed r;
  for (const std::string& c : chunks) {
    StopStep step = m.feed(c);
    r.streamed += step.ready;
    if (step.match) {
      r.match = step.match;
      return r;
    }
  }
  r.streamed += m.flush();
  return r;
}

TEST(StopStrings, NoStopStringsPassEverything) {
  StopStringMatcher m({});
  EXPECT_EQ(m.feed("abc").ready, "abc");
  EXPECT_EQ(m.held_back(), 0u);
}

TEST(StopStrings, MatchInsideOneChunk) {
  StopStringMatcher m({"STOP"});
  const StopStep step = m.feed("hello STOP world");
  EXPECT_EQ(step.ready, "hello ");
  ASSERT_TRUE(step.match);
  EXPECT_EQ(step.match->stop_index, 0u);
  EXPECT_EQ(step.match->position, 6u);
  EXPECT_TRUE(m.stopped());
  EXPECT_EQ(m.feed("more").ready, "");  // ignored after a match
  EXPECT_EQ(m.flush(), "");
}

TEST(StopStrings, MatchSplitAcrossChunksIsNeverShown) {
  StopStringMatcher m({"</answer>"});
  StopStep s1 = m.feed("42 </");
  EXPECT_EQ(s1.ready, "42 ");  // "</" might start the stop string
  EXPECT_EQ(m.held_back(), 2u);
  StopStep s2 = m.feed("ans");
  EXPECT_EQ(s2.ready, "");
  EXPECT_EQ(m.held_back(), 5u);
  StopStep s3 = m.feed("wer> tail");
  EXPECT_EQ(s3.ready, "");
  ASSERT_TRUE(s3.match);
  EXPECT_EQ(s3.match->position, 3u);
}

TEST(StopStrings, FalseStartIsReleased) {
  StopStringMatcher m({"</answer>"});
  EXPECT_EQ(m.feed("a </an").ready, "a ");
  EXPECT_EQ(m.feed("d").ready, "</and");  // no longer a prefix of the stop string
  EXPECT_EQ(m.held_back(), 0u);
}

TEST(StopStrings, OverlappingPrefixRestartsInsideHeldText) {
  // "aab" must be found in "aaab": the held "aa" is a false start, but its
  // suffix "a" then begins the real match.
  StopStringMatcher m({"aab"});
  const Streamed r = run(m, {"x", "a", "a", "a", "b", "c"});
  EXPECT_EQ(r.streamed, "xa");
  ASSERT_TRUE(r.match);
  EXPECT_EQ(r.match->position, 2u);
}

TEST(StopStrings, HoldBackIsTheLongestPossibleStart) {
  StopStringMatcher m({"abcd", "cx"});
  EXPECT_EQ(m.feed("zzabc").ready, "zz");  // "abc" starts "abcd" (and "c" starts "cx")
  EXPECT_EQ(m.held_back(), 3u);
  EXPECT_EQ(m.feed("x").ready, "ab");      // "cx" completes: cut before it
}

TEST(StopStrings, FirstToCompleteWins) {
  StopStringMatcher m({"world", "lo w"});
  const StopStep step = m.feed("hello world");
  ASSERT_TRUE(step.match);
  EXPECT_EQ(step.match->stop_index, 1u);  // "lo w" ends before "world"
  EXPECT_EQ(step.ready, "hel");
}

TEST(StopStrings, SameEndPrefersTheLongest) {
  StopStringMatcher m({"b", "ab"});
  const StopStep step = m.feed("xab");
  ASSERT_TRUE(step.match);
  EXPECT_EQ(step.match->stop_index, 1u);
  EXPECT_EQ(step.ready, "x");
}

TEST(StopStrings, PositionCountsAllFedText) {
  StopStringMatcher m({"\n\n"});
  const Streamed r = run(m, {"line one\n", "line two", "\n", "\nrest"});
  EXPECT_EQ(r.streamed, "line one\nline two");
  ASSERT_TRUE(r.match);
  EXPECT_EQ(r.match->position, 17u);
}

TEST(StopStrings, NoMatchFlushesHeldText) {
  StopStringMatcher m({"END"});
  const Streamed r = run(m, {"the E", "N"});
  EXPECT_FALSE(r.match);
  EXPECT_EQ(r.streamed, "the EN");
}

TEST(StopStrings, MultibyteStopString) {
  StopStringMatcher m({"\xE2\x80\x94stop"});  // em dash + "stop"
  const Streamed r = run(m, {"a \xE2\x80\x94", "st", "op"});
  EXPECT_EQ(r.streamed, "a ");
  ASSERT_TRUE(r.match);
}

TEST(StopStrings, StreamedTextNeverContainsPartOfAMatch) {
  // Whatever the chunking, the streamed text is exactly the text before the match.
  const std::string text = "one two <|stop|> three";
  for (size_t step = 1; step <= text.size(); ++step) {
    StopStringMatcher m({"<|stop|>", "<|s"});
    std::vector<std::string> chunks;
    for (size_t i = 0; i < text.size(); i += step) chunks.push_back(text.substr(i, step));
    const Streamed r = run(m, chunks);
    EXPECT_EQ(r.streamed, "one two ") << "step " << step;
    ASSERT_TRUE(r.match);
    EXPECT_EQ(r.match->position, 8u);
  }
}

TEST(StopStrings, EmptyStopStringIsRejected) {
  EXPECT_THROW(StopStringMatcher({"ok", ""}), Error);
}

}  // namespace
}  // namespace smolvlm
