#include "train/dpo_data.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "core/error.h"
#include "engine/conversation.h"
#include "train/sft_data.h"

namespace smolvlm::train {
namespace {

Conversation parse_messages(const Json& record, const char* key, const std::string& base_dir) {
  if (!record.contains(key)) throw Error(key, "missing");
  const Json& messages = record[key];
  if (!messages.is_array() || messages.empty()) throw Error(key, "must be a non-empty list of messages");
  try {
    return parse_conversation_json(messages.dump(), base_dir);
  } catch (const Error& e) {
    throw Error(key, e.what());
  }
}

std::vector<std::string> image_paths(const Json& record, const std::string& base_dir) {
  std::vector<std::string> paths;
  if (!record.contains("images") || record["images"].is_null()) return paths;
  const Json& images = record["images"];
  if (!images.is_array()) throw Error("images", "must be a list of image file paths");
  for (const Json& p : images) {
    if (!p.is_string()) throw Error("images", "must be a list of image file paths");
    const std::filesystem::path path(p.get<std::string>());
    paths.push_back(path.is_absolute() ? path.string() : (std::filesystem::path(base_dir) / path).lexically_normal().string());
  }
  return paths;
}

// RLAIF-V: the prompt's {"type": "image"} items take the "images" in order.
void attach_images(Conversation& prompt, const std::vector<std::string>& paths) {
  size_t n = 0;
  for (Message& m : prompt)
    for (Content& c : m.content)
      if (c.kind == Content::Kind::Image) {
        if (n < paths.size()) c.image_path = paths[n];
        ++n;
      }
  if (n != paths.size())
    throw Error("images", "the prompt has " + std::to_string(n) + " image placeholders but " +
                              std::to_string(paths.size()) + " images are listed");
}

void check_completion(const Conversation& completion, const char* key) {
  for (const Message& m : completion) {
    if (m.role != "assistant") throw Error(key, "must hold assistant messages only, not \"" + m.role + "\"");
    for (const Content& c : m.content)
      if (c.kind != Content::Kind::Text) throw Error(key, "completions are text (the images belong to the prompt)");
  }
}

DpoRecord parse_record(int64_t line, const Json& record, const std::string& base_dir) {
  if (!record.is_object()) throw Error("line", "expected an object {\"prompt\", \"chosen\", \"rejected\", \"images\"}");
  DpoRecord r{line, parse_messages(record, "prompt", base_dir), parse_messages(record, "chosen", base_dir),
              parse_messages(record, "rejected", base_dir)};
  // TRL adds the generation prompt after a final user turn; it continues a
  // final assistant turn instead, which this chat template cannot do.
  if (r.prompt.back().role != "user") throw Error("prompt", "must end with a user turn");
  check_completion(r.chosen, "chosen");
  check_completion(r.rejected, "rejected");
  attach_images(r.prompt, image_paths(record, base_dir));
  Conversation whole = r.prompt;
  whole.insert(whole.end(), r.chosen.begin(), r.chosen.end());
  check_sft_conversation(whole);  // image files present, an assistant turn
  return r;
}

}  // namespace

DpoDataset read_dpo_jsonl(const std::string& path, BadLinePolicy policy) {
  std::string base_dir = std::filesystem::path(path).parent_path().string();
  if (base_dir.empty()) base_dir = ".";
  LineErrors errors(path, policy);
  DpoDataset dataset;
  dataset.path = path;
  for_each_jsonl_line(path, errors, [&](int64_t line, const Json& record) {
    dataset.records.push_back(parse_record(line, record, base_dir));
  });
  dataset.bad_lines = errors.bad_lines();
  return dataset;
}

namespace {

// Python compares code points: a common byte prefix that ends inside a
// UTF-8 sequence is cut back to the sequence's start.
size_t common_prefix(std::string_view a, std::string_view b) {
  size_t n = std::mismatch(a.begin(), a.begin() + std::min(a.size(), b.size()), b.begin()).first - a.begin();
  auto continues = [](std::string_view s, size_t i) {
    return i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80;
  };
  while (n > 0 && (continues(a, n) || continues(b, n))) --n;
  return n;
}

Conversation joined(const Conversation& prompt, const Conversation& completion) {
  Conversation all = prompt;
  all.insert(all.end(), completion.begin(), completion.end());
  return all;
}

}  // namespace

DpoTexts split_dpo_texts(const std::function<std::string(const Conversation&, bool)>& render,
                         const DpoRecord& record) {
  // TRL's order, kept as is: the prompt may only shrink at the rejected
  // step, and chosen keeps the cut made before it.
  DpoTexts t;
  t.prompt = render(record.prompt, /*add_generation_prompt=*/true);
  const std::string prompt_chosen = render(joined(record.prompt, record.chosen), false);
  t.prompt.resize(common_prefix(t.prompt, prompt_chosen));
  t.chosen = prompt_chosen.substr(t.prompt.size());
  const std::string prompt_rejected = render(joined(record.prompt, record.rejected), false);
  t.prompt.resize(common_prefix(t.prompt, prompt_rejected));
  t.rejected = prompt_rejected.substr(t.prompt.size());
  return t;
}

namespace {

TrainingExample completed(const PreparedPrompt& prompt, const std::vector<int32_t>& completion) {
  TrainingExample ex;
  ex.input_ids = prompt.ids;
  ex.input_ids.insert(ex.input_ids.end(), completion.begin(), completion.end());
  ex.labels.assign(prompt.ids.size(), kIgnoreLabel);
  ex.labels.insert(ex.labels.end(), completion.begin(), completion.end());
  ex.image_features = prompt.image_hidden_states;
  return ex;
}

}  // namespace

namespace {

// The pair, or nothing when a sequence would be longer than max_length (> 0);
// the texts' own tokens (each "<image>" counted once, expansion only adds)
// are checked before any image work.
std::optional<DpoPair> encode_within(PromptBuilder& prompts, const DpoRecord& record, int64_t max_length) {
  const auto render = [&](const Conversation& c, bool add_generation_prompt) {
    return prompts.render(c, add_generation_prompt);
  };
  const auto too_long = [&](size_t n) { return max_length > 0 && static_cast<int64_t>(n) > max_length; };
  DpoPair pair;
  pair.texts = split_dpo_texts(render, record);
  const Tokenizer& tokenizer = prompts.tokenizer();
  const std::vector<int32_t> chosen = tokenizer.encode(pair.texts.chosen);
  const std::vector<int32_t> rejected = tokenizer.encode(pair.texts.rejected);
  const size_t longest_completion = std::max(chosen.size(), rejected.size());
  if (too_long(tokenizer.encode(pair.texts.prompt).size() + longest_completion)) return std::nullopt;
  std::vector<Content> images;
  for (const Content* c : conversation_images(record.prompt)) images.push_back(*c);
  GenerationOptions options;
  options.keep_image_tensors = true;
  const PreparedPrompt prompt = prompts.prepare_text(pair.texts.prompt, images, options);
  if (too_long(prompt.ids.size() + longest_completion)) return std::nullopt;
  pair.prompt_length = static_cast<int64_t>(prompt.ids.size());
  pair.chosen = completed(prompt, chosen);
  pair.rejected = completed(prompt, rejected);
  return pair;
}

}  // namespace

DpoPair encode_dpo_pair(PromptBuilder& prompts, const DpoRecord& record) { return *encode_within(prompts, record, 0); }

DpoPairs build_dpo_pairs(const DpoDataset& data, PromptBuilder& prompts, int64_t max_length, BadLinePolicy policy) {
  LineErrors errors(data.path, policy);
  for (const BadLine& bad : data.bad_lines) errors.report(bad.line, bad.problem);
  DpoPairs out;
  for (const DpoRecord& record : data.records) {
    errors.guard(record.line, [&] {
      std::optional<DpoPair> pair = encode_within(prompts, record, max_length);
      if (!pair) {
        ++out.skipped_too_long;
        return;
      }
      out.pairs.push_back(std::move(*pair));
      out.lines.push_back(record.line);
    });
  }
  out.bad_lines = errors.bad_lines();
  return out;
}

}  // namespace smolvlm::train
