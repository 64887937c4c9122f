#include "train/training_data.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "engine/conversation.h"
#include "train/assistant_spans.h"
#include "train/label_mask.h"
#include "model/vision_encoder.h"
#include "train/python_strip.h"
#include "vision/processor_config.h"

namespace smolvlm::train {
namespace {

// README "Label masking": every assistant turn ends with this token, a target.
constexpr const char* kEndOfUtterance = "<end_of_utterance>";

std::optional<std::string> token_content(const Json& entry) {
  if (entry.is_string()) return entry.get<std::string>();
  if (entry.is_object() && entry.contains("content") && entry["content"].is_string())
    return entry["content"].get<std::string>();
  return std::nullopt;
}

int32_t required_token(const Tokenizer& tokenizer, const std::string& token) {
  const std::optional<int32_t> id = tokenizer.token_to_id(token);
  if (!id) throw Error("tokenizer.json", "has no " + token + " token, which training needs");
  return *id;
}

}  // namespace

std::optional<int32_t> tokenizer_pad_token_id(const std::string& model_dir, const Tokenizer& tokenizer) {
  for (const char* file : {"special_tokens_map.json", "tokenizer_config.json"}) {
    const std::string path = model_dir + "/" + file;
    if (!std::filesystem::exists(path)) continue;
    const Json j = read_json_file(path);
    if (!j.is_object() || !j.contains("pad_token")) continue;
    const std::optional<std::string> pad = token_content(j["pad_token"]);
    if (!pad) return std::nullopt;  // null: the tokenizer has no pad token
    const std::optional<int32_t> id = tokenizer.token_to_id(*pad);
    if (!id) throw Error(path, "pad_token \"" + *pad + "\" is not in the vocabulary");
    return id;
  }
  return std::nullopt;
}

SftEncoder::SftEncoder(LoadedModel& model, const std::string& model_dir, bool connector_inputs)
    : model_(model), connector_inputs_(connector_inputs) {
  const Tokenizer& tokenizer = model.prompts.tokenizer();
  ids_.image = static_cast<int32_t>(model.config.image_token_id);
  ids_.pad = tokenizer_pad_token_id(model_dir, tokenizer);
  ids_.end_of_utterance = required_token(tokenizer, kEndOfUtterance);
  if (model.vision) image_seq_len_ = load_image_processor_config(model_dir).image_seq_len;
}

SftEncoding SftEncoder::encode(const Conversation& conversation, LabelMasking masking) {
  return *encode_within(conversation, masking, 0);
}

std::optional<SftEncoding> SftEncoder::encode_within(const Conversation& conversation, LabelMasking masking,
                                                     int64_t max_length) {
  const std::string rendered = model_.prompts.render(conversation, /*add_generation_prompt=*/false);
  SftEncoding out;
  out.text = std::string(python_strip(rendered));
  // Expansion only adds tokens, so the unexpanded text's count is a lower bound.
  const auto too_long = [&](size_t n) { return max_length > 0 && static_cast<int64_t>(n) > max_length; };
  if (too_long(model_.prompts.tokenizer().encode(out.text).size())) return std::nullopt;
  std::vector<Content> images;
  for (const Content* c : conversation_images(conversation)) images.push_back(*c);
  GenerationOptions options;
  options.keep_image_tensors = true;  // image_hidden_states: the frozen tower + connector output
  PreparedPrompt prepared = model_.prompts.prepare_text(out.text, images, options);
  if (too_long(prepared.ids.size())) return std::nullopt;
  out.images = prepared.images;
  TrainingExample& ex = out.example;
  ex.input_ids = std::move(prepared.ids);
  ex.image_features = std::move(prepared.image_hidden_states);
  if (connector_inputs_ && !images.empty()) fill_connector_inputs(prepared, ex);
  const auto n_image_tokens = std::count(ex.input_ids.begin(), ex.input_ids.end(), ids_.image);
  if (ex.image_features.size() != static_cast<size_t>(n_image_tokens * model_.config.text.hidden_size))
    throw Error("image features", std::to_string(ex.image_features.size()) + " values for " +
                                      std::to_string(n_image_tokens) + " <image> tokens");
  ex.labels = masking == LabelMasking::Notebook ? notebook_labels(ex.input_ids, ids_.image, ids_.pad)
                                                : assistant_only(conversation, rendered, out);
  return out;
}

// The tiles once more through the tower, keeping the connector's inputs; the
// features of the same run replace the cached ones, row for row the same.
void SftEncoder::fill_connector_inputs(const PreparedPrompt& prepared, TrainingExample& example) const {
  const VisionEncoder& vision = *model_.vision;
  int64_t tiles = 0;
  for (const ImageLayout& l : prepared.images) tiles += l.tiles;
  const int64_t rows = tiles * vision.tokens_per_tile();
  example.image_features.assign(static_cast<size_t>(rows * vision.output_dim()), 0.0f);
  example.connector_inputs.assign(static_cast<size_t>(rows * vision.connector_input_dim()), 0.0f);
  vision.encode_with_connector_inputs(prepared.pixel_values, tiles, example.image_features, example.connector_inputs);
}

std::vector<int32_t> SftEncoder::assistant_only(const Conversation& conversation, const std::string& rendered,
                                                const SftEncoding& encoding) const {
  const RenderConversation render = [&](const Conversation& c) { return model_.prompts.render(c, false); };
  std::vector<CharSpan> spans = assistant_target_chars(conversation, render, rendered, kEndOfUtterance);
  // The spans are in the template's output; the training text is its .strip().
  const StrippedRange kept = python_strip_range(rendered);
  for (CharSpan& s : spans) {
    if (s.begin < kept.begin || s.end > kept.end)
      throw Error("assistant-only labels", "an answer's targets reach into the whitespace .strip() removes");
    s.begin -= kept.begin;
    s.end -= kept.begin;
  }
  std::vector<ImageGrid> grids;
  for (const ImageLayout& layout : encoding.images) grids.push_back({layout.rows, layout.cols});
  const std::vector<TokenSpan> targets = token_spans_of(encoding.text, spans, grids, image_seq_len_,
                                                        model_.prompts.tokenizer(), encoding.example.input_ids);
  return assistant_only_labels(encoding.example.input_ids, targets);
}

SftExamples build_sft_examples(const SftDataset& data, SftEncoder& encoder, LabelMasking masking,
                               int64_t max_length, BadLinePolicy policy) {
  LineErrors errors(data.path, policy);
  for (const BadLine& bad : data.bad_lines) errors.report(bad.line, bad.problem);
  SftExamples out;
  for (const SftRecord& record : data.records) {
    errors.guard(record.line, [&] {
      std::optional<SftEncoding> encoding = encoder.encode_within(record.messages, masking, max_length);
      if (!encoding) {
        ++out.skipped_too_long;
        return;
      }
      out.examples.push_back(std::move(encoding->example));
      out.lines.push_back(record.line);
    });
  }
  out.bad_lines = errors.bad_lines();
  return out;
}

}  // namespace smolvlm::train
