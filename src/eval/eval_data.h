// A benchmark's samples from the files users have:
//
// * VLMEvalKit TSV (vlmeval/dataset/image_base.py ImageBaseDataset): columns
//   `index`, `image` (base64; a Python list literal of base64 strings for
//   several images, MMMU; 64 characters or fewer = the `index` of the row whose
//   image it shares, as ImageBaseDataset.__init__ resolves), or `image_path`
//   (local files relative to the TSV's folder, or a list literal of them), plus
//   the task's text columns (question, answer, A..Z, hint, category, split...).
// * JSONL, one sample per line: {"index": ID, "image": PATH | [PATHS], "question": ...,
//   "answer": TEXT | [TEXTS], "A": ..., "category": ...}; image paths relative to
//   the file's folder; a list `answer` is stored as the Python list literal
//   VLMEvalKit's answer column holds; other values as text (numbers as JSON writes them).
//
// * Video-MME: VLMEvalKit's Video-MME.tsv (index, video, question, candidates,
//   answer, duration, domain, task_type, ...); the videos are <video>.mp4 in a
//   folder (VLMEvalKit's <dataset root>/video).
// * CinePile: its test split as JSONL or TSV, columns and video lookup in
//   eval/cinepile.h; rows without an `index` column are numbered 0, 1, ...
//
// A missing required column (see required_columns) or a wrong task/file pairing
// (options in a file given to an open-ended task) stops with an Error naming the
// column, task and file. Row problems (undecodable base64, an unknown image
// reference, no answer) are the row's, reported by images()/row_problem().
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/mapped_file.h"
#include "eval/eval_row.h"
#include "eval/eval_task.h"
#include "eval/tsv_reader.h"
#include "smolvlm.h"

namespace smolvlm::eval {

// The columns a file for `task` must have besides `index` and (image tasks)
// `image`/`image_path` (CinePile also needs one column of each group in
// eval/cinepile.h, and no `index`).
std::vector<std::string> required_columns(Task task);

class EvalData {
 public:
  // Reads a .tsv or .jsonl file (by extension) for `task`.
  static EvalData open(const std::string& path, Task task);

  size_t size() const { return rows_.size(); }
  const EvalRow& row(size_t i) const { return rows_[i]; }
  const std::vector<std::string>& columns() const { return columns_; }
  // A problem of row i found while reading it ("" when none): e.g. no answer.
  const std::string& row_problem(size_t i) const { return problems_[i]; }
  // The images of row i in order, as engine items. A TSV's base64 images are
  // re-saved as VLMEvalKit saves them before its model reads them (a Pillow
  // quality-75 JPEG, eval/vlmevalkit_image.h) unless `as_stored`; image files
  // are handed over as they are. Throws Error (a row-level problem) for
  // undecodable base64 or image data, or a missing file.
  std::vector<Content> images(size_t i, bool as_stored = false) const;

 private:
  struct ImageCells {
    std::vector<std::string_view> base64;  // views into the TSV
    std::vector<std::string> paths;        // local files
    std::string problem;                   // e.g. a reference to no row
  };
  void read_tsv(const std::string& path, Task task);
  void read_jsonl(const std::string& path, Task task);
  void check_columns(Task task, const std::string& path) const;
  void note_row_problems(Task task);

  std::unique_ptr<MappedFile> file_;  // the TSV the cells view
  std::unique_ptr<TsvTable> table_;
  std::vector<std::string> columns_;
  std::vector<EvalRow> rows_;
  std::vector<ImageCells> images_;
  std::vector<std::string> problems_;
};

}  // namespace smolvlm::eval
