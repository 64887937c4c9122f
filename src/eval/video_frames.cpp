#include "eval/video_frames.h"

#include <algorithm>

#include "core/error.h"
#include "eval/scoring.h"
#include "video/video_reader.h"
#include "video/video_sampling.h"
#include "vision/encode_bmp.h"
#include "vision/encode_jpeg.h"

namespace smolvlm::eval {

std::vector<int64_t> vlmevalkit_frame_indices(int64_t n_frames, int64_t nframe) {
  const double step = static_cast<double>(n_frames) / static_cast<double>(nframe + 1);
  std::vector<int64_t> indices;
  for (int64_t i = 1; i <= nframe; ++i) indices.push_back(static_cast<int64_t>(static_cast<double>(i) * step));
  return indices;
}

std::vector<Content> vlmevalkit_video_frames(const std::string& video_path, int64_t nframe) {
  VideoReader reader = VideoReader::open_file(video_path);
  const int64_t n_frames = reader.info().indexed_frames;
  std::vector<int64_t> indices = vlmevalkit_frame_indices(n_frames, nframe);
  // decord hands back repeated indices (short videos) as repeated frames; decode each once.
  std::vector<int64_t> unique = indices;
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  std::vector<std::vector<uint8_t>> jpegs(unique.size());
  size_t next = 0;
  reader.decode(unique, [&](int64_t, Image&& frame) { jpegs[next++] = encode_jpeg_like_pillow(frame); });
  std::vector<Content> frames;
  size_t u = 0;
  for (int64_t index : indices) {
    while (unique[u] != index) ++u;
    frames.push_back(Content::image_bytes_item(jpegs[u]));
  }
  return frames;
}

std::vector<Content> uniform_video_frames(const std::string& video_path, int64_t n) {
  VideoReader reader = VideoReader::open_file(video_path);
  const VideoStreamInfo& info = reader.info();
  const int64_t total = info.container_frames > 0 ? info.container_frames : info.indexed_frames;
  std::vector<int64_t> indices;
  try {
    indices = sample_indices_uniform(total, n);
  } catch (const Error& e) {
    throw Error(video_path, e.problem());
  }
  std::vector<Content> frames;
  reader.decode(indices, [&](int64_t, Image&& frame) { frames.push_back(Content::image_bytes_item(encode_bmp_rgb(frame))); });
  return frames;
}

DatasetMessage videomme_message(const EvalRow& row, size_t n_frames) {
  auto field = [&](const std::string& name) {
    const auto it = row.fields.find(name);
    if (it == row.fields.end()) throw Error("row " + row.index, "no \"" + name + "\"");
    return it->second;
  };
  DatasetMessage message = {MessagePart::text_part("")};  // VideoMME.SYS
  for (size_t i = 0; i < n_frames; ++i) message.push_back(MessagePart::image_part(i));
  message.push_back(MessagePart::text_part(
      "\nThese are the frames of a video. Select the best answer to the following multiple-choice question based "
      "on the video. Respond with only the letter (A, B, C, or D) of the correct option.\n"));
  std::string question = field("question");
  for (const std::string& candidate : parse_answer_list(field("candidates"))) question += "\n" + candidate;
  message.push_back(MessagePart::text_part("Question: " + question + "\nAnswer: "));
  return message;
}

}  // namespace smolvlm::eval
