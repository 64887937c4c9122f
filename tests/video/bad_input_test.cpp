// Files that are not usable videos give a smolvlm::Error naming the file, in
// bounded time and memory: missing, empty, not a video, truncated, damaged,
// without a video stream or frames, absurd sizes and durations.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <random>

#include "common/fixtures.h"
#include "core/error.h"
#include "core/mapped_file.h"
#include "video/synthetic_video.h"
#include "video/video_reader.h"
#include "video/video_sampling.h"

namespace smolvlm {
namespace {

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> read_bytes(const std::string& path) {
  const MappedFile f(path);
  return {f.bytes().begin(), f.bytes().end()};
}

// Opens `path` and decodes its sampled frames; returns the Error's message.
std::string error_of(const std::string& path, const VideoLimits& limits = {}) {
  try {
    VideoReader reader = VideoReader::open_file(path, limits);
    const int64_t total = std::max(reader.info().container_frames, reader.info().indexed_frames);
    const std::vector<int64_t> indices =
        sample_indices_fps(video_metadata(total, reader.info().rate_num, reader.info().rate_den), {});
    reader.decode(indices, [](int64_t, Image&&) {});
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    return e.what();
  }
  return "";
}

std::string fixture_clip() { return testing::fixtures_dir() + "/videos/clip_h264_320x180_10fps_4s.mp4"; }

TEST(VideoBadInput, MissingEmptyAndNotAVideo) {
  testing::TempDir dir;
  EXPECT_NE(error_of(dir.file("missing.mp4")).find("cannot open"), std::string::npos);
  write_bytes(dir.file("empty.mp4"), {});
  EXPECT_NE(error_of(dir.file("empty.mp4")).find("empty"), std::string::npos);
  const std::string text = "this is not a video, just some text\n";
  write_bytes(dir.file("text.mp4"), std::vector<uint8_t>(text.begin(), text.end()));
  EXPECT_FALSE(error_of(dir.file("text.mp4")).empty());
  std::mt19937 rng(7);
  std::vector<uint8_t> noise(100000);
  for (uint8_t& b : noise) b = static_cast<uint8_t>(rng());
  write_bytes(dir.file("noise.webm"), noise);
  EXPECT_FALSE(error_of(dir.file("noise.webm")).empty());
  // An image is not a video (image formats are not on the container list).
  EXPECT_FALSE(error_of(testing::fixtures_dir() + "/videos/clip_h264_320x180_10fps_4s_sampled_frames/frame00_idx000.png").empty());
}

TEST(VideoBadInput, TruncatedFiles) {
  testing::TempDir dir;
  const std::vector<uint8_t> clip = read_bytes(fixture_clip());
  // The fixture keeps its index (moov) at the end: cut, nothing is left to read.
  write_bytes(dir.file("cut.mp4"), std::vector<uint8_t>(clip.begin(), clip.begin() + clip.size() / 2));
  EXPECT_FALSE(error_of(dir.file("cut.mp4")).empty());
  // With the index first, the header still promises every frame.
  SyntheticVideo spec;
  spec.frames = 60;
  spec.faststart = true;
  write_synthetic_video(dir.file("fast.mp4"), spec);
  const std::vector<uint8_t> fast = read_bytes(dir.file("fast.mp4"));
  write_bytes(dir.file("fastcut.mp4"), std::vector<uint8_t>(fast.begin(), fast.begin() + fast.size() * 6 / 10));
  EXPECT_NE(error_of(dir.file("fastcut.mp4")).find("truncated"), std::string::npos);
}

TEST(VideoBadInput, DamagedDataDecodesOrFailsCleanly) {
  testing::TempDir dir;
  std::vector<uint8_t> clip = read_bytes(fixture_clip());
  std::mt19937 rng(11);
  for (size_t i = 2000; i + 4000 < clip.size(); i += 997) clip[i] = static_cast<uint8_t>(rng());
  write_bytes(dir.file("damaged.mp4"), clip);
  const auto start = std::chrono::steady_clock::now();
  error_of(dir.file("damaged.mp4"));  // either outcome, no crash
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(VideoBadInput, NoVideoStreamOrNoFrames) {
  testing::TempDir dir;
  write_audio_only(dir.file("audio.mkv"));
  EXPECT_NE(error_of(dir.file("audio.mkv")).find("no video stream"), std::string::npos);
  SyntheticVideo spec;
  spec.format = "avi";  // keeps its stream header without frames
  spec.codec = "mpeg4";
  spec.frames = 0;
  write_synthetic_video(dir.file("empty.avi"), spec);
  const std::string empty = error_of(dir.file("empty.avi"));
  EXPECT_NE(empty.find("no frames"), std::string::npos) << empty;
}

// An IVF header (32 bytes) declaring `width` x `height` and a time base, then
// `frames` frames of junk.
std::vector<uint8_t> ivf(uint16_t width, uint16_t height, uint32_t rate, uint32_t scale, int frames) {
  std::vector<uint8_t> b = {'D', 'K', 'I', 'F', 0, 0, 32, 0, 'V', 'P', '8', '0'};
  auto u16 = [&](uint32_t v) { b.push_back(v & 0xFF), b.push_back(v >> 8 & 0xFF); };
  auto u32 = [&](uint32_t v) { u16(v & 0xFFFF), u16(v >> 16); };
  auto u64 = [&](uint64_t v) { u32(static_cast<uint32_t>(v)), u32(static_cast<uint32_t>(v >> 32)); };
  u16(width), u16(height), u32(rate), u32(scale), u32(static_cast<uint32_t>(frames)), u32(0);
  for (int i = 0; i < frames; ++i) {
    u32(16), u64(static_cast<uint64_t>(i));
    for (int j = 0; j < 16; ++j) b.push_back(static_cast<uint8_t>(j * 37 + i));
  }
  return b;
}

TEST(VideoBadInput, AbsurdSizeIsRefusedBeforeDecoding) {
  testing::TempDir dir;
  write_bytes(dir.file("huge.ivf"), ivf(65535, 65535, 30, 1, 3));
  EXPECT_NE(error_of(dir.file("huge.ivf")).find("frame size"), std::string::npos);
  // A sane video over a caller's tighter limit.
  SyntheticVideo spec;
  spec.frames = 3;
  write_synthetic_video(dir.file("small.mp4"), spec);
  VideoLimits limits;
  limits.max_pixels = 1000;
  EXPECT_NE(error_of(dir.file("small.mp4"), limits).find("frame size"), std::string::npos);
}

TEST(VideoBadInput, AbsurdDurationIsRefused) {
  testing::TempDir dir;
  SyntheticVideo spec;
  spec.frames = 3;
  spec.rate_num = 1;
  spec.rate_den = 100000;  // one frame per 100000 s
  spec.time_base_den = 0;
  write_synthetic_video(dir.file("slow.mkv"), spec);
  EXPECT_NE(error_of(dir.file("slow.mkv")).find("over the limit"), std::string::npos);
}

TEST(VideoBadInput, AbsurdFrameCountIsRefusedWhileIndexing) {
  testing::TempDir dir;
  SyntheticVideo spec;
  spec.frames = 30;
  write_synthetic_video(dir.file("many.mp4"), spec);
  VideoLimits limits;
  limits.max_frames = 10;  // the index stops growing at the limit: memory stays bounded
  EXPECT_NE(error_of(dir.file("many.mp4"), limits).find("more than 10 frames"), std::string::npos);
}

// Bytes held in memory (the server's data URLs) fail as files do, naming the
// name given for them.
TEST(VideoBadInput, BadBytesInMemoryNameTheirSource) {
  const std::vector<uint8_t> clip = read_bytes(fixture_clip());
  const std::string text = "not a video";
  const std::vector<std::vector<uint8_t>> bad = {
      {}, std::vector<uint8_t>(text.begin(), text.end()),
      std::vector<uint8_t>(clip.begin(), clip.begin() + static_cast<std::ptrdiff_t>(clip.size() / 3))};
  for (const std::vector<uint8_t>& bytes : bad) {
    try {
      VideoReader reader = VideoReader::open_memory(bytes, "video part 2");
      reader.decode(std::vector<int64_t>{0}, [](int64_t, Image&&) {});
      ADD_FAILURE() << "no error for " << bytes.size() << " bytes";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("video part 2"), std::string::npos) << e.what();
    }
  }
  // The whole clip from memory reads as the file does.
  VideoReader whole = VideoReader::open_memory(clip, "clip");
  EXPECT_EQ(whole.info().container_frames, 40);
}

}  // namespace
}  // namespace smolvlm
