// Sampling on videos made here with FFmpeg's encoders, whose frame count,
// rate and timestamps are known: the indices and timestamps are the SPEC §9.1
// rules worked by hand, and every decoded frame must be the one its index
// names (its block label), whether reached by seeking or by reading on.
#include <gtest/gtest.h>

#include "common/fixtures.h"
#include "video/synthetic_video.h"
#include "video/video_prompt.h"
#include "video/video_reader.h"
#include "video/video_sampling.h"

namespace smolvlm {
namespace {


// Decodes `indices` and checks that each frame shows its own index.
void expect_frames_labelled(VideoReader& reader, const std::vector<int64_t>& indices, VideoDecodeStats* stats = nullptr) {
  size_t k = 0;
  reader.decode(
      indices,
      [&](int64_t index, Image&& frame) {
        ASSERT_LT(k, indices.size());
        EXPECT_EQ(index, indices[k]);
        EXPECT_EQ(frame_label(frame), index) << "frame " << k;
        ++k;
      },
      stats);
  EXPECT_EQ(k, indices.size());
}

std::vector<std::string> timestamps(const std::vector<int64_t>& indices, double fps) {
  std::vector<std::string> out;
  for (int64_t i : indices) out.push_back(frame_timestamp(frame_seconds(i, fps)));
  return out;
}

// SPEC §9.1 worked example: f = 30, T = 300, D = 10 -> ten frames, step 33.22.
TEST(SyntheticSampling, Mp4H264WithBFramesTenSeconds) {
  testing::TempDir dir;
  SyntheticVideo spec;
  spec.frames = 300;
  spec.gop = 30;
  spec.b_frames = 2;
  write_synthetic_video(dir.file("a.mp4"), spec);
  VideoReader reader = VideoReader::open_file(dir.file("a.mp4"));
  EXPECT_EQ(reader.info().container_frames, 300);
  EXPECT_TRUE(reader.info().indexed);
  const VideoMetadata m = video_metadata(300, reader.info().rate_num, reader.info().rate_den);
  EXPECT_EQ(m.fps, 30.0);
  EXPECT_EQ(m.duration, 10.0);
  const std::vector<int64_t> indices = sample_indices_fps(m, {});
  EXPECT_EQ(indices, (std::vector<int64_t>{0, 33, 66, 99, 132, 166, 199, 232, 265, 299}));
  EXPECT_EQ(timestamps(indices, m.fps), (std::vector<std::string>{"00:00", "00:01", "00:02", "00:03", "00:04", "00:05",
                                                                   "00:06", "00:07", "00:08", "00:09"}));
  VideoDecodeStats stats;
  expect_frames_labelled(reader, indices, &stats);
  // Seeking skipped most of the GOPs between the sampled frames.
  EXPECT_GT(stats.seeks, 0);
  EXPECT_LT(stats.packets_decoded, 200);
}

// SPEC §9.1 long example: f = 25, T = 3000, D = 120 > 2 + 64 -> one second
// skipped at each end, 64 frames from 25 to 2975 (step 46.825).
TEST(SyntheticSampling, LongVideoSkipsOneSecondAtEachEnd) {
  testing::TempDir dir;
  SyntheticVideo spec;
  spec.width = 32;
  spec.height = 32;
  spec.frames = 3000;
  spec.rate_num = 25;
  spec.gop = 250;
  write_synthetic_video(dir.file("long.mp4"), spec);
  VideoReader reader = VideoReader::open_file(dir.file("long.mp4"));
  const VideoMetadata m = video_metadata(reader.info().container_frames, reader.info().rate_num, reader.info().rate_den);
  EXPECT_EQ(m.duration, 120.0);
  const std::vector<int64_t> indices = sample_indices_fps(m, {});
  ASSERT_EQ(indices.size(), 64u);
  EXPECT_EQ((std::vector<int64_t>(indices.begin(), indices.begin() + 4)), (std::vector<int64_t>{25, 71, 118, 165}));
  EXPECT_EQ(indices.back(), 2975);
  EXPECT_EQ(frame_timestamp(frame_seconds(indices.back(), m.fps)), "01:59");
  EXPECT_EQ(video_duration_string(m.duration), "0:02:00");
  expect_frames_labelled(reader, indices);
}

// Matroska stores no frame count (PyAV's stream.frames is 0): the index counts.
TEST(SyntheticSampling, MatroskaFramesAreCounted) {
  testing::TempDir dir;
  SyntheticVideo spec;
  spec.format = "matroska";
  spec.frames = 25;
  spec.rate_num = 10;
  spec.b_frames = 2;
  write_synthetic_video(dir.file("a.mkv"), spec);
  VideoReader reader = VideoReader::open_file(dir.file("a.mkv"));
  EXPECT_EQ(reader.info().container_frames, 0);
  EXPECT_EQ(reader.info().indexed_frames, 25);
  const VideoMetadata m = video_metadata(reader.info().indexed_frames, reader.info().rate_num, reader.info().rate_den);
  EXPECT_EQ(m.duration, 2.5);
  // round(2.5) = 2 (half to even): the first and the last frame.
  const std::vector<int64_t> indices = sample_indices_fps(m, {});
  EXPECT_EQ(indices, (std::vector<int64_t>{0, 24}));
  EXPECT_EQ(timestamps(indices, m.fps), (std::vector<std::string>{"00:00", "00:02"}));
  expect_frames_labelled(reader, {0, 5, 11, 12, 24});
}

// Variable frame rate: frame i is the i-th frame shown, whatever the gaps;
// fps is the stream's average rate (PyAV's average_rate).
TEST(SyntheticSampling, VariableFrameRateIndexesFramesInPresentationOrder) {
  testing::TempDir dir;
  SyntheticVideo spec;
  spec.frames = 40;
  spec.time_base_den = 1000;  // milliseconds
  spec.rate_num = 20;
  spec.b_frames = 2;
  int64_t t = 0;
  for (int i = 0; i < spec.frames; ++i) {
    spec.pts.push_back(t);
    t += i % 3 == 0 ? 100 : 25;  // bursts and gaps
  }
  write_synthetic_video(dir.file("vfr.mp4"), spec);
  VideoReader reader = VideoReader::open_file(dir.file("vfr.mp4"));
  EXPECT_EQ(reader.info().container_frames, 40);
  EXPECT_TRUE(reader.info().indexed);
  const double fps = static_cast<double>(reader.info().rate_num) / reader.info().rate_den;
  EXPECT_NEAR(fps, 40 / 2.0, 2.0);  // 40 frames over ~2 s
  std::vector<int64_t> all(40);
  for (int i = 0; i < 40; ++i) all[static_cast<size_t>(i)] = i;
  expect_frames_labelled(reader, all);
  expect_frames_labelled(reader, {3, 17, 30, 39});
}

// A phone's portrait rotation (display matrix rotation -90 degrees: shown turned 90
// degrees clockwise) is applied: the frame comes out upright, sides swapped.
TEST(SyntheticSampling, RotationFromTheDisplayMatrixIsApplied) {
  testing::TempDir dir;
  SyntheticVideo spec;
  spec.width = 64;
  spec.height = 32;
  spec.frames = 4;
  spec.display_rotation = 90;
  write_synthetic_video(dir.file("rot.mp4"), spec);
  VideoReader reader = VideoReader::open_file(dir.file("rot.mp4"));
  EXPECT_EQ(reader.info().rotation, 90);
  const int64_t one[] = {1};  // label 1: only block (0, 0), the stored top-left, is white
  reader.decode(one, [&](int64_t, Image&& f) {
    EXPECT_EQ(f.width, 32);
    EXPECT_EQ(f.height, 64);
    auto green = [&](int64_t x, int64_t y) { return f.data[static_cast<size_t>((y * f.width + x) * 3 + 1)]; };
    EXPECT_GT(green(f.width - 2, 2), 128);  // turned clockwise, the stored top-left is at the top right
    EXPECT_LT(green(1, 2), 128);
    EXPECT_LT(green(f.width - 2, f.height - 2), 128);
  });
}

// Widths that are not a multiple of 8: every pixel up to the right edge is
// converted (PyAV 10 on FFmpeg 5.1 leaves the last ones unconverted).
TEST(SyntheticSampling, RowsAreConvertedToTheRightEdge) {
  for (int width : {98, 100, 130}) {
    testing::TempDir dir;
    SyntheticVideo spec;
    spec.width = width;
    spec.height = 60;
    spec.frames = 2;
    write_synthetic_video(dir.file("odd.mp4"), spec);
    VideoReader reader = VideoReader::open_file(dir.file("odd.mp4"));
    const int64_t one[] = {1};  // label 1: the top-left block white, the rest dark
    reader.decode(one, [&](int64_t, Image&& f) {
      for (int64_t y : {5, 30, 55}) {
        const uint8_t* edge = &f.data[static_cast<size_t>((y * f.width + f.width - 1) * 3)];
        const uint8_t* inside = &f.data[static_cast<size_t>((y * f.width + f.width - 12) * 3)];
        for (int c = 0; c < 3; ++c) EXPECT_NEAR(edge[c], inside[c], 4) << "width " << width << " row " << y;
      }
    });
  }
}

// Codecs and containers beyond mp4/h264: the index counts their frames and
// each sampled frame is the right one.
struct Format {
  std::string name, format, codec, pixel_format, file;
  bool indexed;
};

class SyntheticFormat : public ::testing::TestWithParam<Format> {};

TEST_P(SyntheticFormat, FramesAreCountedAndFound) {
  const Format& f = GetParam();
  testing::TempDir dir;
  SyntheticVideo spec;
  spec.format = f.format;
  spec.codec = f.codec;
  spec.pixel_format = f.pixel_format;
  spec.frames = 24;
  spec.rate_num = f.format == "gif" ? 10 : 12;
  spec.time_base_den = f.format == "gif" ? 100 : 0;
  if (f.format == "gif")
    for (int i = 0; i < spec.frames; ++i) spec.pts.push_back(i * 10);
  write_synthetic_video(dir.file(f.file), spec);
  VideoReader reader = VideoReader::open_file(dir.file(f.file));
  EXPECT_EQ(reader.info().indexed_frames, 24);
  EXPECT_EQ(reader.info().indexed, f.indexed);
  expect_frames_labelled(reader, {0, 1, 7, 15, 23});
}

INSTANTIATE_TEST_SUITE_P(
    Formats, SyntheticFormat,
    ::testing::Values(Format{"webm_vp9", "webm", "libvpx-vp9", "yuv420p", "a.webm", true},
                      Format{"mkv_ffv1_lossless", "matroska", "ffv1", "yuv444p", "a.mkv", true},
                      Format{"avi_mpeg4", "avi", "mpeg4", "yuv420p", "a.avi", true},
                      Format{"mov_h264rgb", "mov", "libx264rgb", "rgb24", "a.mov", true},
                      Format{"gif", "gif", "gif", "rgb8", "a.gif", true},
                      // A raw H.264 stream has no timestamps: decoded from the start, counted.
                      Format{"raw_h264", "h264", "libx264", "yuv420p", "a.h264", false}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace smolvlm
