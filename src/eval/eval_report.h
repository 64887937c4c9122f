// What `smolvlm eval` writes in its --out folder:
// - samples.jsonl: one JSON object per sample, appended and flushed as each
//   finishes, so an interrupted run loses at most the line being written and
//   `--resume` continues it (ids already there are skipped);
// - summary.json: overall score (mean of the scored samples' scores x 100),
//   per category and per split, the counts, the run's settings and the seed's
//   published number for the task;
// - summary.md: the same as a markdown table.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "core/json_file.h"
#include "eval/eval_task.h"

namespace smolvlm::eval {

struct SampleRecord {
  std::string id;
  std::string prompt;       // the wrapper's text (images as "<image>")
  std::string prediction;   // the model's answer, stripped as the wrapper strips it
  std::string answer;       // the row's answer cell
  std::string extracted;    // what the scorer extracted
  std::optional<double> score;  // null: unscored (see note) or an error
  std::string note;         // e.g. the scorer's "needs LLM judge"
  std::string error;        // a row-level problem ("" when none)
  std::string category, split;
  int64_t tokens = 0;       // generated tokens
  double ms = 0;            // wall time from the sample's start to its answer (with --parallel, shared)
};

Json sample_json(const SampleRecord& record);
// Throws Error naming `what` for a line that is not a sample record.
SampleRecord sample_from_json(const Json& line, const std::string& what);

// Reads the samples of an earlier run. A last line cut off mid-write (no
// newline, or not valid JSON) is dropped and cut from the file, so appending
// continues at a line boundary; a bad line elsewhere throws Error.
std::vector<SampleRecord> read_samples_for_resume(const std::string& path);

// Appends records to samples.jsonl, one flushed line each.
class SampleWriter {
 public:
  SampleWriter(const std::string& path, bool append);
  void write(const SampleRecord& record);

 private:
  std::string path_;
  std::ofstream out_;
};

// The run's settings recorded in the summary.
struct RunInfo {
  Task task = Task::DocVQA;
  std::string data;         // the data or predictions file
  std::string model;        // the checkpoint folder ("" for --score-only)
  std::string dtype;        // "f32" | "bf16"
  std::string prompt_style;
  std::string images;       // how TSV images reach the model
  std::vector<std::string> lora;  // adapters applied (--lora DIR[:SCALE])
  Json sampling = Json::object();  // max_new_tokens, do_sample, ...
  std::optional<int64_t> limit;
  int64_t rows_in_file = 0;
};

// The build's git commit (a compile definition), or "unknown".
std::string build_commit();

// The seed's published score for SmolVLM 2.2B on `task`, if it names one.
struct PublishedScore {
  double score = 0;
  std::string model, setting, source;
};
std::optional<PublishedScore> published_score(Task task);

Json summary_json(const RunInfo& info, const std::vector<SampleRecord>& records);
std::string summary_markdown(const Json& summary);

// Writes summary.json and summary.md into `out_dir`.
void write_summaries(const std::string& out_dir, const RunInfo& info, const std::vector<SampleRecord>& records);

}  // namespace smolvlm::eval
