// The sampler, number words and prompt strings against the rules of SPEC
// §9.1-§9.2 (transformers 4.51.3, numpy, Python's round/int/timedelta,
// num2words), worked by hand.
#include <gtest/gtest.h>

#include "core/error.h"
#include "video/number_words.h"
#include "video/video_prompt.h"
#include "video/video_sampling.h"

namespace smolvlm {
namespace {

using Indices = std::vector<int64_t>;

TEST(Linspace, TruncatesAndDeduplicatesLikeNumpy) {
  EXPECT_EQ(linspace_indices(0, 39, 4), (Indices{0, 13, 26, 39}));
  EXPECT_EQ(linspace_indices(0, 19, 2), (Indices{0, 19}));
  EXPECT_EQ(linspace_indices(5, 9, 1), (Indices{5}));
  EXPECT_EQ(linspace_indices(0, 2, 10), (Indices{0, 1, 2}));  // unique shrinks short videos
  EXPECT_EQ(linspace_indices(3, 3, 4), (Indices{3}));
  EXPECT_EQ(linspace_indices(0, 299, 10), (Indices{0, 33, 66, 99, 132, 166, 199, 232, 265, 299}));
  // 0.1 * 3 + 0 = 0.30000000000000004: one multiply, one add, as numpy.
  EXPECT_EQ(linspace_indices(0, 1, 11).size(), 2u);
}

TEST(FpsSampler, RoundsHalfToEven) {
  // D = 2.5 -> round(2.5) = 2; D = 3.5 -> 4.
  EXPECT_EQ(sample_indices_fps({20, 8.0, 2.5}, {}), (Indices{0, 19}));
  EXPECT_EQ(sample_indices_fps({35, 10.0, 3.5}, {}), (Indices{0, 11, 22, 34}));
  EXPECT_EQ(sample_indices_fps({5, 10.0, 0.5}, {}), (Indices{0}));  // round(0.5) = 0 -> at least 1
}

TEST(FpsSampler, CapsAtMaxFramesAndSkipsOnlyLongVideos) {
  // D - 2 = 64 is not > 64: no skip.
  const Indices at_limit = sample_indices_fps({660, 10.0, 66.0}, {});
  EXPECT_EQ(at_limit.size(), 64u);
  EXPECT_EQ(at_limit.front(), 0);
  EXPECT_EQ(at_limit.back(), 659);
  // D - 2 = 64.1 > 64: start int(1 * 10) = 10, end int(661 - 10) = 651.
  const Indices skipped = sample_indices_fps({661, 10.0, 66.1}, {});
  EXPECT_EQ(skipped.size(), 64u);
  EXPECT_EQ(skipped.front(), 10);
  EXPECT_EQ(skipped.back(), 651);
  // SPEC §9.1: f = 25, T = 3000, D = 120.
  const Indices long_video = sample_indices_fps({3000, 25.0, 120.0}, {});
  EXPECT_EQ(Indices(long_video.begin(), long_video.begin() + 4), (Indices{25, 71, 118, 165}));
  EXPECT_EQ(long_video.back(), 2975);
  // max_frames and target_fps from the checkpoint.
  EXPECT_EQ(sample_indices_fps({300, 30.0, 10.0}, {2.0, 8, 1}).size(), 8u);
  EXPECT_EQ(sample_indices_fps({300, 30.0, 10.0}, {0.5, 64, 1}), (Indices{0, 74, 149, 224, 299}));
}

TEST(FpsSampler, FramesFormFromTheFixturesReadme) {
  // 3 frames, fps 2.0, duration 1.5 -> round(1.5) = 2 -> [0, 2].
  EXPECT_EQ(sample_indices_fps({3, 2.0, 1.5}, {}), (Indices{0, 2}));
  EXPECT_EQ(frame_timestamp(frame_seconds(2, 2.0)), "00:01");
  EXPECT_EQ(video_duration_string(1.5), "0:00:01");
}

TEST(FpsSampler, RejectsMetadataWithoutFramesOrDuration) {
  EXPECT_THROW(sample_indices_fps({0, 10.0, 4.0}, {}), Error);
  EXPECT_THROW(sample_indices_fps({40, 10.0, 0.0}, {}), Error);
}

TEST(UniformSampler, SpreadsNFramesOverTheWholeVideo) {
  EXPECT_EQ(sample_indices_uniform(100, 5), (Indices{0, 24, 49, 74, 99}));
  EXPECT_EQ(sample_indices_uniform(3, 50), (Indices{0, 1, 2}));
  EXPECT_EQ(sample_indices_uniform(1000, 50).size(), 50u);
  EXPECT_THROW(sample_indices_uniform(0, 5), Error);
  EXPECT_THROW(sample_indices_uniform(10, 0), Error);
}

TEST(VideoMetadata, DurationIsTheExactQuotientOfTheRate) {
  EXPECT_EQ(video_metadata(40, 10, 1).duration, 4.0);
  const VideoMetadata ntsc = video_metadata(300, 30000, 1001);
  EXPECT_EQ(ntsc.fps, 30000.0 / 1001.0);
  EXPECT_EQ(ntsc.duration, 300.0 * 1001.0 / 30000.0);  // 10.01, one rounding
  EXPECT_THROW(video_metadata(10, 0, 1), Error);
}

TEST(NumberWords, MatchesNum2words) {
  // Values from python3-num2words 0.5.10 (Debian 12), lang "en".
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {0, "zero"},           {1, "one"},
      {4, "four"},           {13, "thirteen"},
      {19, "nineteen"},      {20, "twenty"},
      {21, "twenty-one"},    {40, "forty"},
      {64, "sixty-four"},    {99, "ninety-nine"},
      {100, "one hundred"},  {101, "one hundred and one"},
      {110, "one hundred and ten"}, {115, "one hundred and fifteen"},
      {120, "one hundred and twenty"}, {999, "nine hundred and ninety-nine"},
      {1000, "one thousand"}, {1001, "one thousand and one"},
      {1100, "one thousand, one hundred"}, {1234, "one thousand, two hundred and thirty-four"},
      {2000, "two thousand"}, {21000, "twenty-one thousand"},
      {101101, "one hundred and one thousand, one hundred and one"}};
  for (const auto& [n, words] : cases) EXPECT_EQ(number_words(n), words) << n;
  EXPECT_THROW(number_words(-1), Error);
  EXPECT_THROW(number_words(1000000), Error);
}

TEST(VideoPrompt, DurationAsTimedelta) {
  EXPECT_EQ(video_duration_string(4.0), "0:00:04");
  EXPECT_EQ(video_duration_string(2.5), "0:00:02");  // int() truncates
  EXPECT_EQ(video_duration_string(125.7), "0:02:05");
  EXPECT_EQ(video_duration_string(3725), "1:02:05");
  EXPECT_EQ(video_duration_string(86400 + 61), "1 day, 0:01:01");
  EXPECT_EQ(video_duration_string(2 * 86400), "2 days, 0:00:00");
  EXPECT_THROW(video_duration_string(-1), Error);
}

TEST(VideoPrompt, TimestampsWithPythonFloorDivision) {
  EXPECT_EQ(frame_timestamp(0.0), "00:00");
  EXPECT_EQ(frame_timestamp(3.9), "00:03");
  EXPECT_EQ(frame_timestamp(59.999), "00:59");
  EXPECT_EQ(frame_timestamp(65.0), "01:05");
  EXPECT_EQ(frame_timestamp(6000.0), "100:00");
  EXPECT_EQ(frame_timestamp(frame_seconds(39, 10.0)), "00:03");
}

TEST(VideoPrompt, ItemsAsTransformersReplacesTheVideo) {
  const std::vector<VideoPromptItem> items = video_prompt_items({0.0, 1.3}, 2.5);
  ASSERT_EQ(items.size(), 6u);
  EXPECT_EQ(items[0].text, "You are provided the following series of two frames from a 0:00:02 [H:MM:SS] video.\n");
  EXPECT_EQ(items[1].text, "\nFrame from 00:00:");
  EXPECT_TRUE(items[2].is_frame());
  EXPECT_EQ(items[2].frame, 0);
  EXPECT_EQ(items[3].text, "\nFrame from 00:01:");
  EXPECT_EQ(items[4].frame, 1);
  EXPECT_EQ(items[5].text, "\n\n");
  EXPECT_FALSE(items[5].is_frame());
}

}  // namespace
}  // namespace smolvlm
