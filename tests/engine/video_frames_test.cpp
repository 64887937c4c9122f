// A video's frames from decoder to features (engine/frame_encoding.h): the
// producer/encoder pipeline gives the same features as encoding one frame at
// a time, in order, whatever the batch and queue sizes; its errors come back
// without a hang; a second question about a video takes every frame from the
// encoding cache (hits counted, nothing encoded); and the newer video
// processor (VideoResize::TorchvisionBicubic) is used when asked for.
#include <gtest/gtest.h>

#include <chrono>

#include "common/fixtures.h"
#include "core/error.h"
#include "engine/frame_encoding.h"
#include "engine/loaded_model.h"
#include "vision/frame_processor_torchvision.h"
#include "vision/processor_config.h"

namespace smolvlm {
namespace {

std::string model_dir() { return testing::fixtures_dir() + "/models/tiny-smolvlm2"; }
std::string clip() { return testing::fixtures_dir() + "/videos/clip_h264_320x180_10fps_4s.mp4"; }

LoadedModel& model() {
  static LoadedModel m(model_dir());
  return m;
}

ImageProcessorConfig frame_config() {
  ImageProcessorConfig c = load_image_processor_config(model_dir());
  c.longest_edge = 512;  // video_size
  return c;
}

struct Encoded {
  std::vector<int64_t> order;
  std::vector<std::vector<float>> features;
};

Encoded pipeline(const std::vector<int64_t>& indices, FrameEncodingSettings settings) {
  VideoReader reader = VideoReader::open_file(clip());
  Encoded out;
  encode_video_frames(reader, indices, frame_config(), VideoResize::PillowLanczos, *model().vision, false,
                      [&](int64_t index, EncodedImage&& e) {
                        out.order.push_back(index);
                        out.features.push_back(std::move(e.features));
                      },
                      settings);
  return out;
}

TEST(VideoFrameEncoding, BatchedPipelineEqualsOneFrameAtATime) {
  const std::vector<int64_t> indices = {0, 5, 13, 26, 39};
  // The reference: decode, preprocess and encode each frame on this thread.
  std::vector<std::vector<float>> want;
  VideoReader reader = VideoReader::open_file(clip());
  reader.decode(indices, [&](int64_t, Image&& frame) {
    want.push_back(encode_image(frame, frame_config(), *model().vision, nullptr).features);
  });
  for (const FrameEncodingSettings s : {FrameEncodingSettings{1, 1}, FrameEncodingSettings{2, 1},
                                        FrameEncodingSettings{3, 2}, FrameEncodingSettings{16, 8}}) {
    SCOPED_TRACE("batch " + std::to_string(s.batch_tiles) + ", queue " + std::to_string(s.queue_frames));
    const Encoded got = pipeline(indices, s);
    EXPECT_EQ(got.order, indices);
    EXPECT_EQ(got.features, want);
  }
}

TEST(VideoFrameEncoding, ErrorsOfEitherSideComeBack) {
  // The producer fails: a frame the clip does not hold.
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(pipeline({0, 400}, {}), Error);
  // The consumer fails after the first frame: the producer is stopped, not waited out.
  VideoReader reader = VideoReader::open_file(clip());
  int calls = 0;
  std::vector<int64_t> all(40);
  for (int64_t i = 0; i < 40; ++i) all[static_cast<size_t>(i)] = i;
  EXPECT_THROW(encode_video_frames(reader, all, frame_config(), VideoResize::PillowLanczos, *model().vision, false,
                                   [&](int64_t, EncodedImage&&) {
                                     ++calls;
                                     throw Error("test", "stop");
                                   },
                                   {1, 1}),
               Error);
  EXPECT_EQ(calls, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

Conversation question(const std::string& text) {
  return {{"user", {Content::video_item(clip()), Content::text_item(text)}}};
}

// The second question's prompt shares the first's video part, so their
// embeddings agree up to the first token that differs.
TEST(VideoFrameCache, SecondQuestionEncodesNothing) {
  LoadedModel fresh(model_dir());
  GenerationOptions o;
  const PreparedPrompt first = fresh.prompts.prepare(question("What happens?"), o);
  const ImageCacheStats after_first = fresh.prompts.image_cache_stats();
  EXPECT_EQ(after_first.entries, 4u);
  EXPECT_EQ(after_first.hits, 0u);
  const PreparedPrompt second = fresh.prompts.prepare(question("Which colour is the ball?"), o);
  const ImageCacheStats after_second = fresh.prompts.image_cache_stats();
  EXPECT_EQ(after_second.hits, after_first.hits + 4);  // one per frame
  EXPECT_EQ(after_second.misses, after_first.misses);  // nothing new looked for in vain, so nothing encoded
  EXPECT_EQ(after_second.entries, 4u);
  size_t same = 0;
  while (same < first.ids.size() && same < second.ids.size() && first.ids[same] == second.ids[same]) ++same;
  ASSERT_GT(same, 4u * 64);  // every frame's image tokens
  const size_t hidden = first.embeddings.size() / first.ids.size();
  EXPECT_TRUE(std::equal(first.embeddings.begin(), first.embeddings.begin() + static_cast<std::ptrdiff_t>(same * hidden),
                         second.embeddings.begin()));
}

TEST(VideoResizeOption, TorchvisionBicubicFramesAreUsedAndCachedApart) {
  LoadedModel fresh(model_dir());
  GenerationOptions o;
  o.keep_image_tensors = true;
  o.video_resize = VideoResize::TorchvisionBicubic;
  const PreparedPrompt tv = fresh.prompts.prepare(question("What happens?"), o);
  // Frame 0 through the newer processor, computed here from the decoded frame.
  VideoReader reader = VideoReader::open_file(clip());
  std::vector<float> want;
  reader.decode(std::vector<int64_t>{0},
                [&](int64_t, Image&& f) { want = preprocess_frame_torchvision(f, frame_config()).pixel_values; });
  ASSERT_EQ(tv.pixel_values.size(), 4 * want.size());
  EXPECT_TRUE(std::equal(want.begin(), want.end(), tv.pixel_values.begin()));
  // The default path gives other pixels, and its cache entries are not the newer ones.
  o.video_resize = VideoResize::PillowLanczos;
  o.keep_image_tensors = false;
  const PreparedPrompt pillow = fresh.prompts.prepare(question("What happens?"), o);
  EXPECT_EQ(fresh.prompts.image_cache_stats().entries, 8u);
  EXPECT_NE(pillow.embeddings, tv.embeddings);
  EXPECT_EQ(pillow.ids, tv.ids);
}

TEST(VideoResizeOption, V1CheckpointsRefuseTheVideoProcessor) {
  LoadedModel v1(testing::fixtures_dir() + "/models/tiny-smolvlm-256m");
  GenerationOptions o;
  o.video_resize = VideoResize::TorchvisionBicubic;
  try {
    v1.prompts.prepare(question("?"), o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("video_resize"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace smolvlm
