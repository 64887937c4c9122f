// CinePile (tomg-group-umd/cinepile, test split) as `smolvlm eval` reads it.
//
// VLMEvalKit has no CinePile dataset and smollm's m4 no CinePile scorer, so
// the file layout, video lookup and prompt below are our own choices:
//
// * Data: the dataset's rows exported as JSONL (datasets' to_json) or TSV
//   (pandas' to_csv(sep="\t"): lists as Python list literals). Columns read:
//   `question`; `choices` (a JSON list, or in a TSV a Python list literal, of
//   2 to 26 options lettered A, B, ... in order);
//   `answer_key_position` (0-based index into choices) and/or `answer_key`
//   (the correct choice's text; when both are given they must agree);
//   `question_category` (the summary's category) and `hard_split` (its
//   split); `index` when present (else the row's 0-based position in the
//   file); and the video reference below. Other columns (movie_name, year,
//   genre, yt_clip_title, movie_scene, subtitles, visual_reliance) are kept
//   in the row but unused: subtitles are not given to the model.
// * Video: the first of `video` (a file name, with or without extension),
//   `videoID` (RuchitRawal/cinepile_w_videoid) or the YouTube id of
//   `yt_clip_link` (".../watch?v=ID", "youtu.be/ID", ".../shorts/ID") names
//   the clip; the file is <video-dir>/<name> as given, else <name>.mp4,
//   .mkv or .webm (yt-dlp's usual outputs, `-o "%(id)s.%(ext)s"`).
// * Message: the frames as images, then ImageMCQDataset.build_prompt's text
//   ("Question: ..\nOptions:\nA. ..\nPlease select the correct answer from
//   the options above. \n"), which the SmolVLM wrapper's multiple-choice
//   branch turns into "Choices:" / "Answer with the letter." and SmolVLM2's
//   video branch likewise (eval_prompts.h).
#pragma once

#include <string>

#include "eval/eval_row.h"

namespace smolvlm::eval {

// Columns a CinePile file must have: question and choices, plus one of each
// alternative group below. Checked once per file (a missing one stops the run).
inline constexpr const char* kCinePileAnswerColumns[] = {"answer_key_position", "answer_key"};
inline constexpr const char* kCinePileVideoColumns[] = {"video", "videoID", "yt_clip_link"};

// Turns a CinePile row into the fields the MCQ prompt and scorer read:
// "A".."Z" from choices, "answer" = the correct letter, "category" and
// "split". Returns the row's problem ("" when none): choices that are not a
// list, no usable answer, answer_key and its position disagreeing.
std::string prepare_cinepile_row(EvalRow& row);

// The clip's name in the row (see above); "" when it names none.
std::string cinepile_video_name(const EvalRow& row);

// The row's video file in `video_dir`. Throws Error naming what was tried.
std::string find_cinepile_video(const EvalRow& row, const std::string& video_dir);

}  // namespace smolvlm::eval
