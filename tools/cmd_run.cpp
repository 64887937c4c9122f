// smolvlm run: one generation, streamed as text or reported as one JSON object.
#include <iostream>

#include "cli_args.h"
#include "commands.h"
#include "generation_flags.h"
#include "core/error.h"
#include "core/json_file.h"
#include "core/mapped_file.h"
#include "io/safetensors.h"
#include "smolvlm.h"

namespace smolvlm::cli {
namespace {

ArgParser make_parser() {
  ArgParser p("run", "--model DIR (--prompt TEXT | --messages FILE) [options]",
              "Generates an answer with a Hugging Face SmolVLM / Idefics3 / SmolLM2 checkpoint folder.\n"
              "Sampling defaults follow the checkpoint's generation_config.json (greedy when it sets none).");
  p.option("model", "DIR", "Checkpoint folder as downloaded from the Hugging Face hub")
      .option("prompt", "TEXT", "User message")
      .option("system", "TEXT", "System message placed before --prompt")
      .option("messages", "FILE", "Conversation: JSON array of HF chat messages (paths relative to the current directory)")
      .option("image", "PATH", "Image for --prompt: placed before the text, or at each <image> in it", true)
      .option("video", "PATH", "Video for --prompt (a file; mp4, webm, mkv, mov, gif...): placed first", true)
      .flag("json", "Print one JSON object (rendered_prompt, input_ids, generated_ids, text, timings)")
      .option("dump-tensors", "FILE", "Write logits_last (and with --dump-all-logits, logits) to a safetensors file")
      .flag("dump-all-logits", "With --dump-tensors, also write logits for every prompt position");
  add_generation_flags(p);
  add_load_flags(p);
  return p;
}

// --prompt text with --image files: each <image> in the text takes the next
// file; without markers the images come first, as in the model cards.
std::vector<Content> user_content(const std::string& prompt, const std::vector<std::string>& images) {
  const std::string marker = "<image>";
  std::vector<Content> content;
  size_t n_markers = 0;
  for (size_t pos = prompt.find(marker); pos != std::string::npos; pos = prompt.find(marker, pos + 1)) ++n_markers;
  if (n_markers == 0) {
    for (const std::string& path : images) content.push_back(Content::image_item(path));
    content.push_back(Content::text_item(prompt));
    return content;
  }
  if (n_markers != images.size())
    throw UsageError("run: --prompt has " + std::to_string(n_markers) + " <image> markers but " +
                     std::to_string(images.size()) + " --image files were given");
  size_t start = 0, next_image = 0;
  for (size_t pos = prompt.find(marker); pos != std::string::npos; pos = prompt.find(marker, start)) {
    if (pos > start) content.push_back(Content::text_item(prompt.substr(start, pos - start)));
    content.push_back(Content::image_item(images[next_image++]));
    start = pos + marker.size();
  }
  if (start < prompt.size()) content.push_back(Content::text_item(prompt.substr(start)));
  return content;
}

Conversation conversation_from_args(const ArgParser& args) {
  if (args.has("messages") == args.has("prompt"))
    throw UsageError("run: give exactly one of --prompt and --messages");
  if (auto file = args.get("messages")) {
    if (args.has("system") || args.has("image") || args.has("video"))
      throw UsageError("run: --system, --image and --video go with --prompt; put them in the --messages conversation");
    return parse_conversation_json(read_text_file(*file));
  }
  Conversation c;
  if (auto system = args.get("system")) c.push_back({"system", {Content::text_item(*system)}});
  // Videos first, as in the SmolVLM2 model card's messages.
  Message user{"user", {}};
  for (const std::string& path : args.all("video")) user.content.push_back(Content::video_item(path));
  for (Content& item : user_content(args.require("prompt"), args.all("image"))) user.content.push_back(std::move(item));
  c.push_back(std::move(user));
  return c;
}

GenerationOptions options_from_args(const ArgParser& args) {
  GenerationOptions o = generation_options_from_flags(args, "run");
  o.keep_image_tensors = args.has("dump-tensors");
  o.keep_all_logits = args.has("dump-all-logits");
  if (o.keep_all_logits && !args.has("dump-tensors")) throw UsageError("run: --dump-all-logits needs --dump-tensors FILE");
  return o;
}

void dump_tensors(const std::string& path, const GenerationResult& r, int64_t vocab, int64_t hidden) {
  std::vector<TensorToWrite> tensors;
  tensors.push_back(tensor_from_f32("logits_last", {vocab}, r.logits_last));
  if (!r.prompt_logits.empty())
    tensors.push_back(tensor_from_f32("logits", {static_cast<int64_t>(r.input_ids.size()), vocab}, r.prompt_logits));
  if (!r.pixel_values.empty()) {
    const int64_t tiles = static_cast<int64_t>(r.pixel_values.size()) / (3 * r.tile_size * r.tile_size);
    tensors.push_back(tensor_from_f32("pixel_values", {1, tiles, 3, r.tile_size, r.tile_size}, r.pixel_values));
    // Every tile is a full S x S image (SPEC §6.7), so the mask is all ones.
    TensorToWrite mask{"pixel_attention_mask", DType::U8, {1, tiles, r.tile_size, r.tile_size}, {}};
    mask.bytes.assign(static_cast<size_t>(tiles * r.tile_size * r.tile_size), 1);
    tensors.push_back(std::move(mask));
    const int64_t tokens = static_cast<int64_t>(r.image_hidden_states.size()) / (tiles * hidden);
    tensors.push_back(tensor_from_f32("image_hidden_states", {tiles, tokens, hidden}, r.image_hidden_states));
  }
  write_safetensors(path, tensors);
}

Json result_json(const GenerationResult& r) {
  const Timings& t = r.timings;
  auto rate = [](int64_t n, double ms) { return ms > 0 ? n * 1000.0 / ms : 0.0; };
  Json images = Json::array();
  for (const ImageLayout& image : r.images) images.push_back({{"rows", image.rows}, {"cols", image.cols}, {"tiles", image.tiles}});
  Json videos = Json::array();
  for (const VideoSummary& v : r.videos)
    videos.push_back({{"total_frames", v.total_frames}, {"frames_counted", v.frames_counted}, {"fps", v.fps},
                      {"duration", v.duration}, {"frame_indices", v.frame_indices}});
  return {{"rendered_prompt", r.rendered_prompt},
          {"expanded_prompt", r.expanded_prompt},
          {"images", images},
          {"videos", videos},
          {"input_ids", r.input_ids},
          {"generated_ids", r.generated_ids},
          {"text", r.text},
          {"finish_reason", r.finish_reason},
          {"timings",
           {{"load_ms", t.load_ms},
            {"vision_ms", t.vision_ms},
            {"prefill_ms", t.prefill_ms},
            {"decode_ms", t.decode_ms},
            {"prompt_tokens", t.prompt_tokens},
            {"generated_tokens", t.generated_tokens},
            {"prefill_tok_s", rate(t.prompt_tokens, t.prefill_ms)},
            {"decode_tok_s", rate(t.generated_tokens, t.decode_ms)},
            {"kv_cache_bytes", t.kv_cache_bytes}}}};
}

}  // namespace

int run_main(int argc, char** argv) {
  ArgParser args = make_parser();
  if (!args.parse(argc, argv, 2)) return 0;
  const std::string model_dir = args.require("model");
  const Conversation conversation = conversation_from_args(args);
  const GenerationOptions options = options_from_args(args);
  const bool json = args.has("json");

  auto engine = Engine::load(model_dir, load_options_from_flags(args, "run"));
  TextCallback stream;
  if (!json) stream = [](std::string_view text) { std::cout << text << std::flush; };
  const GenerationResult result = engine->generate(conversation, options, stream);
  if (auto path = args.get("dump-tensors")) dump_tensors(*path, result, engine->vocab_size(), engine->hidden_size());

  if (json) {
    std::cout << result_json(result).dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
  } else {
    std::cout << std::endl;
    const Timings& t = result.timings;
    std::cerr << "[" << t.prompt_tokens << " prompt tokens in " << static_cast<int64_t>(t.prefill_ms) << " ms, "
              << t.generated_tokens << " generated in " << static_cast<int64_t>(t.decode_ms) << " ms, finish: "
              << result.finish_reason << "]\n";
  }
  return 0;
}

}  // namespace smolvlm::cli
