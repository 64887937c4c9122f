#include "eval/cinepile.h"

#include <filesystem>
#include <optional>
#include <vector>

#include "core/error.h"
#include "eval/python_literal.h"
#include "eval/tsv_reader.h"

namespace smolvlm::eval {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> present(const EvalRow& row, const std::string& column) {
  const auto it = row.fields.find(column);
  if (it == row.fields.end() || pandas_reads_as_nan(it->second)) return std::nullopt;
  return it->second;
}

// answer_key_position as the dataset writes it: a non-negative integer.
std::optional<size_t> position(const std::string& cell) {
  if (cell.empty() || cell.size() > 6 || cell.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<size_t>(std::stoul(cell));
}

// The YouTube id of a clip link ("" when it is not one we recognise).
std::string youtube_id(const std::string& link) {
  for (const std::string marker : {"v=", "youtu.be/", "/shorts/", "/embed/"}) {
    const size_t at = link.find(marker);
    if (at == std::string::npos) continue;
    const size_t start = at + marker.size();
    return link.substr(start, link.find_first_of("&?#/", start) - start);
  }
  return "";
}

}  // namespace

std::string prepare_cinepile_row(EvalRow& row) {
  const std::optional<std::string> literal = present(row, "choices");
  if (!literal) return "the row has no choices";
  const std::optional<std::vector<std::string>> choices = parse_python_list(*literal);
  // numpy's repr "['a' 'b']" (a parquet column str()-ed) reads as one concatenated string: refused here.
  if (!choices || choices->size() < 2 || choices->size() > 26)
    return "\"choices\" is not a list of 2 to 26 options (a JSON or Python list, not numpy's repr): " + *literal;
  for (size_t i = 0; i < choices->size(); ++i) row.fields[std::string(1, static_cast<char>('A' + i))] = (*choices)[i];
  row.fields["category"] = present(row, "question_category").value_or("");
  row.fields["split"] = present(row, "hard_split").value_or("");

  const std::optional<std::string> key = present(row, "answer_key");
  std::optional<size_t> answer;
  if (const std::optional<std::string> cell = present(row, "answer_key_position")) {
    answer = position(*cell);
    if (!answer || *answer >= choices->size())
      return "answer_key_position " + *cell + " is not an index into the " + std::to_string(choices->size()) +
             " choices";
    if (key && (*choices)[*answer] != *key)
      return "answer_key \"" + *key + "\" is not choice " + *cell + " (\"" + (*choices)[*answer] + "\")";
  } else if (key) {
    for (size_t i = 0; i < choices->size() && !answer; ++i)
      if ((*choices)[i] == *key) answer = i;
    if (!answer) return "answer_key \"" + *key + "\" is none of the choices";
  }
  if (!answer) return "the row has no answer";
  row.fields["answer"] = std::string(1, static_cast<char>('A' + *answer));
  return "";
}

std::string cinepile_video_name(const EvalRow& row) {
  if (const auto video = present(row, "video")) return *video;
  if (const auto id = present(row, "videoID")) return *id;
  if (const auto link = present(row, "yt_clip_link")) return youtube_id(*link);
  return "";
}

std::string find_cinepile_video(const EvalRow& row, const std::string& video_dir) {
  const std::string name = cinepile_video_name(row);
  if (name.empty()) throw Error("row " + row.index, "names no video (video, videoID or a YouTube yt_clip_link)");
  std::string tried;
  for (const char* extension : {"", ".mp4", ".mkv", ".webm"}) {
    const fs::path path = fs::path(video_dir) / (name + extension);
    if (fs::is_regular_file(path)) return path.string();
    tried += (tried.empty() ? "" : ", ") + path.filename().string();
  }
  throw Error(video_dir, "no video file for clip \"" + name + "\" (tried " + tried + ")");
}

}  // namespace smolvlm::eval
