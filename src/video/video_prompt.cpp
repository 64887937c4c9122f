#include "video/video_prompt.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "video/number_words.h"

namespace smolvlm {
namespace {

// Python's float // and % (Objects/floatobject.c float_divmod), so a
// timestamp that lands a rounding error from a minute boundary splits as in
// the processor.
void python_divmod(double v, double w, double& div, double& mod) {
  mod = std::fmod(v, w);
  div = (v - mod) / w;
  if (mod != 0) {
    if ((w < 0) != (mod < 0)) {
      mod += w;
      div -= 1.0;
    }
  } else {
    mod = std::copysign(0.0, w);
  }
  if (div != 0) {
    const double floor_div = std::floor(div);
    div = div - floor_div > 0.5 ? floor_div + 1.0 : floor_div;
  } else {
    div = std::copysign(0.0, v / w);
  }
}

std::string two_digits(int64_t v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%02lld", static_cast<long long>(v));
  return text;
}

}  // namespace

std::string video_duration_string(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 9e15)
    throw Error("video", "duration " + std::to_string(seconds) + " s cannot be written as a time");
  const auto total = static_cast<int64_t>(seconds);  // int() truncates
  const int64_t days = total / 86400, rest = total % 86400;
  std::string s;
  if (days != 0) s = std::to_string(days) + (days == 1 ? " day, " : " days, ");
  return s + std::to_string(rest / 3600) + ":" + two_digits(rest % 3600 / 60) + ":" + two_digits(rest % 60);
}

std::string frame_timestamp(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 9e15)
    throw Error("video", "frame time " + std::to_string(seconds) + " s cannot be written as a time");
  double minutes = 0, rest = 0;
  python_divmod(seconds, 60.0, minutes, rest);
  return two_digits(static_cast<int64_t>(minutes)) + ":" + two_digits(static_cast<int64_t>(rest));
}

std::vector<VideoPromptItem> video_prompt_items(const std::vector<double>& frame_seconds, double duration) {
  std::vector<VideoPromptItem> items;
  items.push_back({"You are provided the following series of " +
                       number_words(static_cast<int64_t>(frame_seconds.size())) + " frames from a " +
                       video_duration_string(duration) + " [H:MM:SS] video.\n",
                   -1});
  for (size_t k = 0; k < frame_seconds.size(); ++k) {
    items.push_back({"\nFrame from " + frame_timestamp(frame_seconds[k]) + ":", -1});
    items.push_back({"", static_cast<int64_t>(k)});
  }
  items.push_back({"\n\n", -1});
  return items;
}

}  // namespace smolvlm
