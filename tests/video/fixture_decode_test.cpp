// The fixtures' video clips through the video layer, against what PyAV 10 and
// transformers 4.51.3 produced (fixtures README "SmolVLM2 video cases"):
// container metadata, sampled indices, timestamps and the RGB bytes of every
// sampled frame.
#include <gtest/gtest.h>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "video/video_prompt.h"
#include "video/video_reader.h"
#include "video/video_sampling.h"
#include "common/sha256_hex.h"

namespace smolvlm {
namespace {

struct Clip {
  std::string case_name, file;
};

std::string case_dir(const std::string& name) { return testing::fixtures_dir() + "/cases/tiny-smolvlm2/" + name; }
std::string video_path(const std::string& file) { return testing::fixtures_dir() + "/videos/" + file; }

class FixtureClip : public ::testing::TestWithParam<Clip> {};

TEST_P(FixtureClip, MetadataSamplingAndFramesMatchPyAV) {
  const Clip& clip = GetParam();
  const Json video = read_json_file(case_dir(clip.case_name) + "/golden.json")["video"];
  VideoReader reader = VideoReader::open_file(video_path(clip.file));
  const VideoStreamInfo& info = reader.info();
  const Json& pyav = video["container_metadata_pyav"];
  EXPECT_EQ(info.container_frames, pyav["stream.frames"].get<int64_t>());
  EXPECT_EQ(info.indexed_frames, info.container_frames);
  EXPECT_EQ(std::to_string(info.rate_num), pyav["stream.average_rate"].get<std::string>());
  EXPECT_EQ(info.rate_den, 1);
  EXPECT_EQ(info.pixel_format, pyav["pix_fmt"].get<std::string>());
  EXPECT_EQ(info.codec, pyav["codec"].get<std::string>());
  EXPECT_EQ(info.width, pyav["width"].get<int64_t>());
  EXPECT_EQ(info.height, pyav["height"].get<int64_t>());
  EXPECT_TRUE(info.indexed);

  const VideoMetadata m = video_metadata(info.container_frames, info.rate_num, info.rate_den);
  EXPECT_EQ(m.total_frames, video["metadata"]["total_num_frames"].get<int64_t>());
  EXPECT_EQ(m.fps, video["metadata"]["fps"].get<double>());
  EXPECT_EQ(m.duration, video["metadata"]["duration"].get<double>());
  const std::vector<int64_t> indices = sample_indices_fps(m, FpsSampling{});
  EXPECT_EQ(Json(indices), video["frames_indices"]);
  for (size_t k = 0; k < indices.size(); ++k) {
    EXPECT_EQ(frame_seconds(indices[k], m.fps), video["timestamps_sec"][k].get<double>());
    EXPECT_EQ(frame_timestamp(frame_seconds(indices[k], m.fps)), video["timestamps"][k].get<std::string>());
  }
  EXPECT_EQ(video_duration_string(m.duration), video["duration_string"].get<std::string>());

  std::vector<std::string> hashes;
  reader.decode(indices, [&](int64_t, Image&& frame) {
    EXPECT_EQ(frame.mode, PixelMode::RGB);
    EXPECT_EQ(frame.width, video["frames_shape"][2].get<int64_t>());
    EXPECT_EQ(frame.height, video["frames_shape"][1].get<int64_t>());
    hashes.push_back(testing::sha256_hex(frame.data.data(), frame.data.size()));
  });
  EXPECT_EQ(Json(hashes), video["frames_rgb_sha256"]);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureClip,
                         ::testing::Values(Clip{"video_mp4_h264_320x180", "clip_h264_320x180_10fps_4s.mp4"},
                                           Clip{"video_mp4_h264rgb_lossless_2p5s",
                                                "clip_h264rgb_lossless_160x120_8fps_2p5s.mp4"}),
                         [](const auto& info) { return info.param.case_name; });

// Every frame of the clip, one decode() call per frame (seeking each time),
// equals the same frame from one sequential pass.
TEST(FixtureVideo, SeekingGivesTheSameFramesAsDecodingInOrder) {
  VideoReader reader = VideoReader::open_file(video_path("clip_h264_320x180_10fps_4s.mp4"));
  std::vector<int64_t> all(40);
  for (int64_t i = 0; i < 40; ++i) all[static_cast<size_t>(i)] = i;
  std::vector<std::vector<uint8_t>> in_order;
  reader.decode(all, [&](int64_t, Image&& f) { in_order.push_back(std::move(f.data)); });
  ASSERT_EQ(in_order.size(), 40u);
  for (int64_t i : {39, 0, 21, 20, 19, 38, 1}) {
    const int64_t one[] = {i};
    VideoDecodeStats stats;
    reader.decode(
        one,
        [&](int64_t index, Image&& f) {
          EXPECT_EQ(index, i);
          EXPECT_EQ(f.data, in_order[static_cast<size_t>(i)]) << "frame " << i;
        },
        &stats);
    // Keyframes every 20 frames: frame 39 needs the second GOP only.
    if (i == 39) EXPECT_LE(stats.packets_decoded, 21);
  }
}

// WebM stores no frame count: transformers 4.51.3 fails; the index counts the
// 40 frames PyAV decodes, so the clip samples like its mp4 twin.
TEST(FixtureVideo, WebmWithoutFrameCountIsCounted) {
  const Json golden = read_json_file(case_dir("video_webm_vp9_error") + "/golden.json");
  VideoReader reader = VideoReader::open_file(video_path("clip_vp9_320x180_10fps_4s.webm"));
  EXPECT_EQ(reader.info().container_frames, golden["pyav_stream"]["frames"].get<int64_t>());
  EXPECT_EQ(reader.info().indexed_frames, golden["decoded_frame_count_pyav"].get<int64_t>());
  EXPECT_EQ(reader.info().codec, "vp9");
  const VideoMetadata m = video_metadata(reader.info().indexed_frames, reader.info().rate_num, reader.info().rate_den);
  const std::vector<int64_t> indices = sample_indices_fps(m, FpsSampling{});
  EXPECT_EQ(indices, (std::vector<int64_t>{0, 13, 26, 39}));
  int frames = 0;
  reader.decode(indices, [&](int64_t, Image&& f) {
    EXPECT_EQ(f.width, 320);
    EXPECT_EQ(f.height, 180);
    ++frames;
  });
  EXPECT_EQ(frames, 4);
}

}  // namespace
}  // namespace smolvlm
