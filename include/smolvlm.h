// smolvlm.cpp public API: load a Hugging Face SmolVLM / Idefics3 / SmolLM2
// checkpoint folder as downloaded, and generate from a chat conversation.
//
//   auto engine = smolvlm::Engine::load("SmolVLM-256M-Instruct");
//   smolvlm::Conversation chat = {{"user", {smolvlm::Content::text_item("Hello!")}}};
//   smolvlm::GenerationResult r = engine->generate(chat, {}, [](std::string_view t) { std::cout << t; });
//
// Every failure throws a std::runtime_error (smolvlm::Error inside the engine)
// whose message names the file or field and the problem.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smolvlm {

// One item of a message's content, as in HF chat messages.
struct Content {
  enum class Kind { Text, Image };
  Kind kind = Kind::Text;
  std::string text;        // Kind::Text
  std::string image_path;  // Kind::Image: a local file
  // Kind::Image: an encoded image file held in memory (e.g. from a data URL),
  // used instead of image_path when not empty.
  std::vector<uint8_t> image_bytes;

  static Content text_item(std::string t) { return {Kind::Text, std::move(t), {}, {}}; }
  static Content image_item(std::string path) { return {Kind::Image, {}, std::move(path), {}}; }
  static Content image_bytes_item(std::vector<uint8_t> bytes) { return {Kind::Image, {}, {}, std::move(bytes)}; }
};

struct Message {
  std::string role;  // "system", "user", "assistant"
  std::vector<Content> content;
};

using Conversation = std::vector<Message>;

// Parses a JSON array of HF chat messages ({"role", "content": str | [{"type":"text"|"image", ...}]}).
// Relative image paths are resolved against `base_dir` (empty: the current directory).
Conversation parse_conversation_json(const std::string& json_text, const std::string& base_dir = "");

// How image files become the processor's input (SPEC §6.1).
enum class ImageLoading {
  LoadImage,  // transformers' load_image: EXIF orientation applied, converted to RGB (alpha dropped)
  PilOpen,    // an opened PIL image handed to the processor: file mode kept, alpha composited on white
};

// Per-request generation settings. Unset fields follow the checkpoint's generation_config.json.
struct GenerationOptions {
  std::optional<int64_t> max_new_tokens;  // 0: run the prompt only
  std::optional<bool> do_sample;
  std::optional<double> temperature;
  std::optional<int64_t> top_k;
  std::optional<double> top_p;
  std::optional<double> min_p;
  std::optional<double> repetition_penalty;
  uint64_t seed = 0;
  bool ignore_eos = false;                 // EOS may be generated but never stops
  std::vector<std::string> stop_strings;   // output is cut before the first one that appears
  bool keep_all_logits = false;            // fill GenerationResult::prompt_logits
  bool add_generation_prompt = true;

  // Images.
  ImageLoading image_loading = ImageLoading::LoadImage;
  std::optional<bool> image_splitting;    // default: the checkpoint's do_image_splitting
  std::optional<int64_t> max_image_edge;  // a smaller longest edge than the checkpoint's, fewer tiles
  bool keep_image_tensors = false;        // fill pixel_values / image_hidden_states in the result
};

struct Timings {
  double load_ms = 0;
  double vision_ms = 0;   // decoding, preprocessing and encoding the images
  double prefill_ms = 0;
  double decode_ms = 0;
  int64_t prompt_tokens = 0;
  int64_t generated_tokens = 0;
};

// Where one image went: its tile grid (0 x 0 when not split) and tile count.
struct ImageLayout {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t tiles = 0;
};

struct GenerationResult {
  std::string rendered_prompt;          // chat template output
  std::string expanded_prompt;          // after <image> expansion (= rendered_prompt without images)
  std::vector<int32_t> input_ids;       // prompt ids
  std::vector<int32_t> generated_ids;   // new ids (an EOS that stopped generation included)
  std::string text;                     // generated text, special tokens skipped
  std::string finish_reason;            // "stop" (EOS or stop string) or "length"
  std::vector<float> logits_last;       // [vocab] logits of the last prompt position
  std::vector<float> prompt_logits;     // [prompt_tokens, vocab] when keep_all_logits
  std::vector<ImageLayout> images;      // in conversation order
  int64_t tile_size = 0;                // side of every tile in pixel_values
  std::vector<float> pixel_values;      // [tiles, 3, tile_size, tile_size] when keep_image_tensors
  std::vector<float> image_hidden_states;  // [tiles, tokens_per_tile, hidden] when keep_image_tensors
  Timings timings;
};

using TextCallback = std::function<void(std::string_view)>;

class Engine {
 public:
  // Loads config, generation config, tokenizer, chat template and weights (mmapped) from `model_dir`.
  static std::unique_ptr<Engine> load(const std::string& model_dir);
  virtual ~Engine() = default;

  virtual std::string render_prompt(const Conversation& conversation, bool add_generation_prompt) const = 0;
  virtual std::vector<int32_t> tokenize(std::string_view text) const = 0;
  virtual std::string detokenize(const std::vector<int32_t>& ids, bool skip_special_tokens) const = 0;

  // Renders, tokenizes and runs the conversation; streams generated text through `on_text`.
  virtual GenerationResult generate(const Conversation& conversation, const GenerationOptions& options,
                                    const TextCallback& on_text = {}) = 0;

  // Information about the loaded checkpoint.
  virtual std::string architecture() const = 0;
  virtual int64_t vocab_size() const = 0;
  virtual int64_t max_positions() const = 0;
  virtual int64_t hidden_size() const = 0;
  virtual bool has_vision() const = 0;
  virtual double load_ms() const = 0;
};

}  // namespace smolvlm
