// JSONL training files (SFT conversations, DPO pairs) read one line at a
// time, with the "Bad input" rule: a bad line is reported with its
// line number and either skipped or made to stop the run (`--on-bad-line`).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_file.h"

namespace smolvlm::train {

enum class BadLinePolicy { Skip, Stop };

// "skip" or "stop"; throws Error for anything else.
BadLinePolicy parse_bad_line_policy(std::string_view name);

struct BadLine {
  int64_t line = 0;  // 1-based
  std::string problem;
};

// Where per-line problems go: under Stop the first one throws
// Error("<file>:<line>", problem); under Skip they are collected.
class LineErrors {
 public:
  LineErrors(std::string path, BadLinePolicy policy) : path_(std::move(path)), policy_(policy) {}

  void report(int64_t line, const std::string& problem);
  // Runs `work`; an Error it throws becomes report(line, its message).
  // Returns whether `work` finished.
  bool guard(int64_t line, const std::function<void()>& work);

  const std::string& path() const { return path_; }
  // In line order (the encoding stages report lines out of order).
  std::vector<BadLine> bad_lines() const;

 private:
  std::string path_;
  BadLinePolicy policy_;
  std::vector<BadLine> bad_lines_;
};

// Calls `read(line, json)` for every line that is not blank. A line that is
// not JSON, or that `read` rejects by throwing Error, goes to `errors`.
// Throws Error naming the path when the file cannot be read.
void for_each_jsonl_line(const std::string& path, LineErrors& errors,
                         const std::function<void(int64_t, const Json&)>& read);

}  // namespace smolvlm::train
