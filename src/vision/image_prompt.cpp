#include "vision/image_prompt.h"

#include <vector>

#include "core/error.h"

namespace smolvlm {
namespace {

constexpr std::string_view kImage = "<image>";
constexpr std::string_view kFake = "<fake_token_around_image>";
constexpr std::string_view kGlobal = "<global-img>";

std::string repeated(std::string_view s, int64_t n) {
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out += s;
  return out;
}

// Positions of every "<image>", as Python's text.split("<image>") finds them.
std::vector<size_t> placeholder_positions(std::string_view prompt) {
  std::vector<size_t> at;
  for (size_t p = prompt.find(kImage); p != std::string_view::npos; p = prompt.find(kImage, p + kImage.size())) {
    at.push_back(p);
  }
  return at;
}

}  // namespace

std::string image_prompt_string(ImageGrid grid, int64_t image_seq_len) {
  if (image_seq_len < 1) throw Error("prompt", "image_seq_len must be positive");
  if (grid.rows < 0 || grid.cols < 0 || (grid.rows == 0) != (grid.cols == 0)) {
    throw Error("prompt", "bad tile grid " + std::to_string(grid.rows) + "x" + std::to_string(grid.cols));
  }
  const std::string tokens = repeated(kImage, image_seq_len);
  std::string global;
  global.append(kFake).append(kGlobal).append(tokens).append(kFake);
  if (grid.rows == 0) return global;
  std::string out;
  for (int64_t r = 1; r <= grid.rows; ++r) {
    for (int64_t c = 1; c <= grid.cols; ++c) {
      out.append(kFake)
          .append("<row_" + std::to_string(r) + "_col_" + std::to_string(c) + ">")
          .append(tokens);
    }
    out += '\n';
  }
  out += '\n';
  out += global;
  return out;
}

std::string expand_image_placeholders(std::string_view prompt, std::span<const ImageGrid> grids,
                                      int64_t image_seq_len) {
  const std::vector<size_t> at = placeholder_positions(prompt);
  if (at.size() != grids.size()) {
    throw Error("prompt", "The prompt has " + std::to_string(at.size()) + " <image> placeholders but " +
                              std::to_string(grids.size()) + " images were given");
  }
  std::string out;
  size_t from = 0;
  for (size_t i = 0; i < at.size(); ++i) {
    out.append(prompt.substr(from, at[i] - from));
    out += image_prompt_string(grids[i], image_seq_len);
    from = at[i] + kImage.size();
  }
  out.append(prompt.substr(from));
  return out;
}

}  // namespace smolvlm
