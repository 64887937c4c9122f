#include "train/jsonl_lines.h"

#include <algorithm>
#include <fstream>

#include "core/error.h"

namespace smolvlm::train {

BadLinePolicy parse_bad_line_policy(std::string_view name) {
  if (name == "skip") return BadLinePolicy::Skip;
  if (name == "stop") return BadLinePolicy::Stop;
  throw Error("on_bad_line", "must be \"skip\" or \"stop\", not \"" + std::string(name) + "\"");
}

void LineErrors::report(int64_t line, const std::string& problem) {
  if (policy_ == BadLinePolicy::Stop) throw Error(path_ + ":" + std::to_string(line), problem);
  bad_lines_.push_back({line, problem});
}

bool LineErrors::guard(int64_t line, const std::function<void()>& work) {
  try {
    work();
    return true;
  } catch (const Error& e) {
    report(line, e.what());
    return false;
  }
}

namespace {

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

void for_each_jsonl_line(const std::string& path, LineErrors& errors,
                         const std::function<void(int64_t, const Json&)>& read) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path, "cannot open the data file");
  std::string text;
  for (int64_t line = 1; std::getline(in, text); ++line) {
    if (is_blank(text)) continue;
    errors.guard(line, [&] { read(line, parse_json(text, "JSON")); });
  }
  if (in.bad()) throw Error(path, "read failed");
}

std::vector<BadLine> LineErrors::bad_lines() const {
  std::vector<BadLine> sorted = bad_lines_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const BadLine& a, const BadLine& b) { return a.line < b.line; });
  return sorted;
}

}  // namespace smolvlm::train
