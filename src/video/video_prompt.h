// The text transformers 4.51.3 puts in place of a video item before the chat
// template runs (SPEC §9.2): an intro naming the frame count in words and the
// duration, one "\nFrame from MM:SS:" + image per frame, and "\n\n".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace smolvlm {

// str(datetime.timedelta(seconds=int(seconds))): "0:00:04", "1:02:05",
// "1 day, 0:00:00". Throws Error for negative or non-finite seconds.
std::string video_duration_string(double seconds);

// f"{int(sec // 60):02d}:{int(sec % 60):02d}" with Python's float floor
// division and modulo: "00:00", "01:05", "100:00".
std::string frame_timestamp(double seconds);

// One content item of the expansion: text, or the `frame`-th sampled frame as
// an image.
struct VideoPromptItem {
  std::string text;
  int64_t frame = -1;  // >= 0: an image item
  bool is_frame() const { return frame >= 0; }
};

// Items for a video whose sampled frames sit at `frame_seconds`:
// "You are provided the following series of {n in words} frames from a
// {H:MM:SS} [H:MM:SS] video.\n", then per frame "\nFrame from MM:SS:" and the
// frame, then "\n\n".
std::vector<VideoPromptItem> video_prompt_items(const std::vector<double>& frame_seconds, double duration);

}  // namespace smolvlm
