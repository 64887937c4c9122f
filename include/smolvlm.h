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
  enum class Kind { Text, Image, Video };
  Kind kind = Kind::Text;
  std::string text;        // Kind::Text
  std::string image_path;  // Kind::Image: a local file
  // Kind::Image: an encoded image file held in memory (e.g. from a data URL),
  // used instead of image_path when not empty.
  std::vector<uint8_t> image_bytes;
  // Kind::Video: a video file, or (video_frames not empty) the video as image
  // files, the whole video at video_fps frames per second (default 24, the
  // processor's fallback) lasting video_duration seconds (default frames / fps).
  std::string video_path;
  // Kind::Video: a video file held in memory (e.g. from a data URL), used
  // instead of video_path when not empty.
  std::vector<uint8_t> video_bytes;
  std::vector<std::string> video_frames;
  std::optional<double> video_fps;
  std::optional<double> video_duration;

  static Content text_item(std::string t) {
    Content c;
    c.text = std::move(t);
    return c;
  }
  static Content image_item(std::string path) {
    Content c;
    c.kind = Kind::Image;
    c.image_path = std::move(path);
    return c;
  }
  static Content image_bytes_item(std::vector<uint8_t> bytes) {
    Content c;
    c.kind = Kind::Image;
    c.image_bytes = std::move(bytes);
    return c;
  }
  static Content video_item(std::string path) {
    Content c;
    c.kind = Kind::Video;
    c.video_path = std::move(path);
    return c;
  }
  static Content video_bytes_item(std::vector<uint8_t> bytes) {
    Content c;
    c.kind = Kind::Video;
    c.video_bytes = std::move(bytes);
    return c;
  }
  static Content video_frames_item(std::vector<std::string> frames, std::optional<double> fps = {},
                                   std::optional<double> duration = {}) {
    Content c;
    c.kind = Kind::Video;
    c.video_frames = std::move(frames);
    c.video_fps = fps;
    c.video_duration = duration;
    return c;
  }
};

struct Message {
  std::string role;  // "system", "user", "assistant"
  std::vector<Content> content;
};

using Conversation = std::vector<Message>;

// Parses a JSON array of HF chat messages ({"role", "content": str | [{"type":"text"|"image"|"video", ...}]};
// a video is {"type":"video","path":FILE} or {"type":"video","frames":[FILES],"fps":F,"duration":D}).
// Relative image and video paths are resolved against `base_dir` (empty: the current directory).
Conversation parse_conversation_json(const std::string& json_text, const std::string& base_dir = "");

// How image files become the processor's input (SPEC §6.1).
enum class ImageLoading {
  LoadImage,  // transformers' load_image: EXIF orientation applied, converted to RGB (alpha dropped)
  PilOpen,    // an opened PIL image handed to the processor: file mode kept, alpha composited on white
};

// Which frames of a video the model sees.
enum class VideoSampling {
  Auto,     // Fps for checkpoints with video_sampling (SmolVLM2), else Uniform
  Fps,      // SmolVLM2's sampler: the checkpoint's frames per second, up to a maximum (SPEC §9.1)
  Uniform,  // N frames spread evenly over the video, as images (SmolVLM v1, SPEC §10)
};

// How decoded video frames are resized (SPEC §9.3).
enum class VideoResize {
  PillowLanczos,       // transformers 4.51.3: the image processor, as for images (the fixtures' goldens)
  TorchvisionBicubic,  // transformers >= 4.52's video processor: antialiased bicubic, longest edge then M x M
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

  // Videos (SPEC §9, §10): their frames count as images in the fields above.
  VideoSampling video_sampling = VideoSampling::Auto;
  std::optional<int64_t> video_frames;  // Fps: at most N (default: the checkpoint's max_frames); Uniform: N (default 50)
  VideoResize video_resize = VideoResize::PillowLanczos;
};

struct Timings {
  double load_ms = 0;
  double vision_ms = 0;   // decoding, preprocessing and encoding the images
  double prefill_ms = 0;
  double decode_ms = 0;
  int64_t prompt_tokens = 0;
  int64_t generated_tokens = 0;
  uint64_t kv_cache_bytes = 0;  // the KV cache preallocated for the prompt and max_new_tokens
};

// Where one image went: its tile grid (0 x 0 when not split) and tile count.
struct ImageLayout {
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t tiles = 0;
};

// What was taken from one video: its frames (frame_indices, in presentation
// order) and the metadata the sampler used.
struct VideoSummary {
  int64_t total_frames = 0;     // the container's frame count, or the frames counted when it has none
  bool frames_counted = false;  // the container had no frame count (WebM, Matroska, GIF)
  double fps = 0;
  double duration = 0;          // seconds: total_frames / fps, or as given with frames
  std::vector<int64_t> frame_indices;
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
  std::vector<ImageLayout> images;      // in conversation order, video frames included
  std::vector<VideoSummary> videos;     // in conversation order
  int64_t tile_size = 0;                // side of every tile in pixel_values
  std::vector<float> pixel_values;      // [tiles, 3, tile_size, tile_size] when keep_image_tensors
  std::vector<float> image_hidden_states;  // [tiles, tokens_per_tile, hidden] when keep_image_tensors
  Timings timings;
};

using TextCallback = std::function<void(std::string_view)>;

// Block-quantized weights, GGUF's layouts: Q8_0 (int8 per 32-block + f16 scale), Q4_0 (4 bits),
// Q4_K (4 bits in super-blocks of 256 with 6-bit sub-block scales and mins; a weight whose rows
// are not whole super-blocks, such as SmolLM2-135M's 576-wide ones, takes Q4_0). The CLI's
// `--dtype q4_k` gives the decoder Q4_K and the vision tower and connector Q4_0: Q4_K's integer
// kernel reads rows (fast for decode) and runs many-row products ~5x slower than Q4_0's panels.
enum class WeightDtype { Q8_0, Q4_0, Q4_K };

// How the KV cache stores keys and values (`--kv-dtype`).
enum class KvCacheDtype { F32, BF16, F16 };

// A PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors)
// applied at inference without merging: each targeted projection adds
// scale * (lora_alpha / r) * B (A x).
struct LoraAdapterSpec {
  std::string path;
  double scale = 1.0;
};

// How a checkpoint is run.
struct LoadOptions {
  // false: exact f32 arithmetic over the stored weights (matches transformers' f32 run within 1e-4);
  // true: BF16 products with f32 sums (vdpbf16ps), faster, judged by top-1 agreement with exact.
  // Over quantized weights, true means int8 activations and integer dot products (VNNI).
  bool bf16_compute = false;
  // Weights quantized at load from the checkpoint's, per part: the decoder's projections (and an
  // untied lm_head), the vision encoder's projections, the connector. Unset: as stored (a folder
  // written by `smolvlm quantize` is already quantized). Norms, biases and embeddings stay as stored.
  std::optional<WeightDtype> text_weights;
  std::optional<WeightDtype> vision_weights;
  std::optional<WeightDtype> connector_weights;
  // Unset: F32 with exact arithmetic (the parity path), BF16 with bf16_compute.
  std::optional<KvCacheDtype> kv_cache_dtype;
  // LoRA adapters on the text decoder, applied in this order (`smolvlm run --lora DIR[:SCALE]`).
  // Each is checked against the checkpoint at load: a target or shape that does not fit throws.
  std::vector<LoraAdapterSpec> lora;

  // Every part's weights quantized as the CLI's `--dtype` does: `dtype` for each, except that
  // Q4_K gives the vision tower and connector Q4_0 (see WeightDtype).
  void quantize_whole_model(WeightDtype dtype);
};

class Engine {
 public:
  // Loads config, generation config, tokenizer, chat template and weights (mmapped) from `model_dir`.
  static std::unique_ptr<Engine> load(const std::string& model_dir, const LoadOptions& options = {});
  virtual ~Engine() = default;

  virtual std::string render_prompt(const Conversation& conversation, bool add_generation_prompt) const = 0;
  virtual std::vector<int32_t> tokenize(std::string_view text) const = 0;
  virtual std::string detokenize(const std::vector<int32_t>& ids, bool skip_special_tokens) const = 0;

  // Renders, tokenizes and runs the conversation; streams generated text through `on_text`.
  virtual GenerationResult generate(const Conversation& conversation, const GenerationOptions& options,
                                    const TextCallback& on_text = {}) = 0;

  // Runs a finished prompt text, as a processor is handed one (no chat template): the i-th
  // "<image>" in it takes images[i] (image items), expanded as for generate(). VLMEvalKit's
  // SmolVLM wrappers prompt this way ("<|im_start|>User:<image>...<end_of_utterance>\nAssistant:").
  virtual GenerationResult generate_from_text(std::string_view prompt_text, const std::vector<Content>& images,
                                              const GenerationOptions& options, const TextCallback& on_text = {}) = 0;

  // Information about the loaded checkpoint.
  virtual std::string architecture() const = 0;
  virtual int64_t vocab_size() const = 0;
  virtual int64_t max_positions() const = 0;
  virtual int64_t hidden_size() const = 0;
  virtual bool has_vision() const = 0;
  virtual double load_ms() const = 0;
};

}  // namespace smolvlm
