// Image-token expansion of a rendered prompt (SPEC §7.2, §7.3): every
// `<image>` placeholder, left to right, becomes the token string of the
// corresponding image's tiles. Whether the markers are added tokens or plain
// text is the tokenizer's business (the 2.2B vocabulary has no <row_r_col_c>
// or <global-img> tokens); the string is the same.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace smolvlm {

// rows = cols = 0: the image was not split (one tile).
struct ImageGrid {
  int64_t rows = 0;
  int64_t cols = 0;
};

// One image's expansion: split images give, per row r and column c (1-based),
// "<fake_token_around_image><row_r_col_c>" + "<image>" x seq_len with "\n"
// after each row (tiles are not closed), then "\n<fake_token_around_image>
// <global-img>" + "<image>" x seq_len + "<fake_token_around_image>"; an image
// that was not split gives only the global part without its leading "\n".
std::string image_prompt_string(ImageGrid grid, int64_t image_seq_len);

// Replaces the i-th "<image>" of `prompt` with image_prompt_string(grids[i]).
// Throws Error("prompt", "The prompt has N <image> placeholders but M images
// were given") when the counts differ.
std::string expand_image_placeholders(std::string_view prompt, std::span<const ImageGrid> grids,
                                      int64_t image_seq_len);

}  // namespace smolvlm
