#include "train/sft_data.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"

namespace smolvlm::train {
namespace {

void check_image_file(const Content& item, const std::string& where) {
  if (!item.image_bytes.empty()) return;
  if (item.image_path.empty()) throw Error(where, "image item names no file (use \"path\")");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(item.image_path, ec))
    throw Error(where, "image file not found: " + item.image_path);
}

}  // namespace

void check_sft_conversation(const Conversation& conversation) {
  for (size_t i = 0; i < conversation.size(); ++i) {
    const std::string where = "messages[" + std::to_string(i) + "]";
    for (size_t j = 0; j < conversation[i].content.size(); ++j) {
      const Content& item = conversation[i].content[j];
      const std::string item_where = where + ".content[" + std::to_string(j) + "]";
      if (item.kind == Content::Kind::Video)
        throw Error(item_where, "video items are not supported in training data (give the frames as images)");
      if (item.kind == Content::Kind::Image) check_image_file(item, item_where);
    }
  }
  const bool has_answer = std::any_of(conversation.begin(), conversation.end(),
                                      [](const Message& m) { return m.role == "assistant"; });
  if (!has_answer) throw Error("messages", "no assistant turn: nothing to train on");
}

SftDataset read_sft_jsonl(const std::string& path, BadLinePolicy policy) {
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  LineErrors errors(path, policy);
  SftDataset dataset;
  dataset.path = path;
  for_each_jsonl_line(path, errors, [&](int64_t line, const Json& record) {
    if (!record.is_object() || !record.contains("messages"))
      throw Error("line", "expected an object {\"messages\": [...]}");
    const Json& messages = record["messages"];
    if (!messages.is_array() || messages.empty()) throw Error("messages", "must be a non-empty list of messages");
    Conversation conversation = parse_conversation_json(messages.dump(), base_dir.empty() ? "." : base_dir);
    check_sft_conversation(conversation);
    dataset.records.push_back({line, std::move(conversation)});
  });
  dataset.bad_lines = errors.bad_lines();
  return dataset;
}

}  // namespace smolvlm::train
