#include "generation_flags.h"

#include "core/thread_pool.h"
#include "lora_flag.h"

namespace smolvlm::cli {

void add_generation_flags(ArgParser& p) {
  p.option("image-loading", "MODE", "load-image (default: EXIF orientation, RGB) or pil-open (file mode kept)")
      .flag("no-split", "Do not split images into tiles (one tile per image)")
      .option("max-image-edge", "N", "Resize images to a longest edge of at most N pixels (fewer tiles)")
      .option("frames", "N", "Video frames: at most N with fps sampling (default: the checkpoint's max_frames), N with uniform (default 50)")
      .option("sampling", "MODE", "Video frame sampling: fps (SmolVLM2's; default where the checkpoint has video_sampling) or uniform")
      .option("video-resize", "MODE",
              "Video frame resize: pillow-lanczos (default; transformers 4.51.3) or torchvision-bicubic\n"
              "(transformers >= 4.52's SmolVLM2 video processor)")
      .option("max-new-tokens", "N", "Most tokens to generate (0 = run the prompt only; default: generation_config, else 512)")
      .flag("ignore-eos", "Do not stop at end-of-sequence tokens")
      .option("stop", "TEXT", "Stop before this text appears", true)
      .flag("sample", "Sample instead of greedy decoding")
      .flag("greedy", "Greedy decoding even if the checkpoint asks for sampling")
      .option("temperature", "T", "Sampling temperature (implies --sample; 0 = greedy)")
      .option("top-k", "K", "Keep the K most likely tokens (implies --sample; 0 = off)")
      .option("top-p", "P", "Nucleus sampling threshold (implies --sample)")
      .option("min-p", "P", "Drop tokens below P x the top probability (implies --sample)")
      .option("repetition-penalty", "R", "Penalty for tokens already in the sequence (1 = off)")
      .option("seed", "N", "Random seed for sampling (default 0)");
}

GenerationOptions generation_options_from_flags(const ArgParser& args, const std::string& command) {
  GenerationOptions o;
  o.max_new_tokens = args.get_int("max-new-tokens");
  if (o.max_new_tokens && *o.max_new_tokens < 0) throw UsageError(command + ": --max-new-tokens must be >= 0");
  o.ignore_eos = args.has("ignore-eos");
  o.stop_strings = args.all("stop");
  o.temperature = args.get_double("temperature");
  o.top_k = args.get_int("top-k");
  o.top_p = args.get_double("top-p");
  o.min_p = args.get_double("min-p");
  o.repetition_penalty = args.get_double("repetition-penalty");
  if (auto seed = args.get_int("seed")) o.seed = static_cast<uint64_t>(*seed);
  if (args.has("sample") && args.has("greedy")) throw UsageError(command + ": --sample and --greedy exclude each other");
  const bool sampling_knob = o.temperature || o.top_k || o.top_p || o.min_p;
  if (args.has("greedy") || (o.temperature && *o.temperature == 0.0)) {
    o.do_sample = false;
    o.temperature.reset();
  } else if (args.has("sample") || sampling_knob) {
    o.do_sample = true;
  }
  if (auto loading = args.get("image-loading")) {
    if (*loading == "load-image") o.image_loading = ImageLoading::LoadImage;
    else if (*loading == "pil-open") o.image_loading = ImageLoading::PilOpen;
    else throw UsageError(command + ": --image-loading must be load-image or pil-open, not \"" + *loading + "\"");
  }
  if (args.has("no-split")) o.image_splitting = false;
  o.max_image_edge = args.get_int("max-image-edge");
  o.video_frames = args.get_int("frames");
  if (o.video_frames && *o.video_frames < 1) throw UsageError(command + ": --frames must be >= 1");
  if (auto sampling = args.get("sampling")) {
    if (*sampling == "fps") o.video_sampling = VideoSampling::Fps;
    else if (*sampling == "uniform") o.video_sampling = VideoSampling::Uniform;
    else throw UsageError(command + ": --sampling must be fps or uniform, not \"" + *sampling + "\"");
  }
  if (auto resize = args.get("video-resize")) {
    if (*resize == "pillow-lanczos") o.video_resize = VideoResize::PillowLanczos;
    else if (*resize == "torchvision-bicubic") o.video_resize = VideoResize::TorchvisionBicubic;
    else throw UsageError(command + ": --video-resize must be pillow-lanczos or torchvision-bicubic, not \"" + *resize + "\"");
  }
  return o;
}

void add_load_flags(ArgParser& p) {
  p.option("dtype", "T", "f32 (default, exact), bf16 (BF16 products), q8_0 / q4_0 / q4_k (weights quantized at load)")
      .option("threads", "N", "Threads for the kernels (default: SMOLVLM_THREADS, else every core)")
      .option("kv-dtype", "T", "KV cache storage: f32, bf16 or f16 (default: f32 with --dtype f32, else bf16)")
      .option("lora", "DIR[:SCALE]", "PEFT LoRA adapter folder applied unmerged, with a weight (default 1); repeatable",
              true);
}

LoadOptions load_options_from_flags(const ArgParser& args, const std::string& command) {
  LoadOptions options;
  if (auto dtype = args.get("dtype")) {
    std::optional<WeightDtype> w;
    if (*dtype == "q8_0") w = WeightDtype::Q8_0;
    else if (*dtype == "q4_0") w = WeightDtype::Q4_0;
    else if (*dtype == "q4_k") w = WeightDtype::Q4_K;
    else if (*dtype != "f32" && *dtype != "bf16")
      throw UsageError(command + ": --dtype must be f32, bf16, q8_0, q4_0 or q4_k, not \"" + *dtype + "\"");
    options.bf16_compute = *dtype != "f32";
    if (w) options.quantize_whole_model(*w);
  }
  if (auto kv = args.get("kv-dtype")) {
    if (*kv == "f32") options.kv_cache_dtype = KvCacheDtype::F32;
    else if (*kv == "bf16") options.kv_cache_dtype = KvCacheDtype::BF16;
    else if (*kv == "f16") options.kv_cache_dtype = KvCacheDtype::F16;
    else throw UsageError(command + ": --kv-dtype must be f32, bf16 or f16, not \"" + *kv + "\"");
  }
  for (const std::string& value : args.all("lora")) {
    const LoraFlag flag = parse_lora_flag(value, command);
    options.lora.push_back({flag.path, flag.scale});
  }
  if (auto threads = args.get_int("threads")) {
    if (*threads < 1 || *threads > 1024) throw UsageError(command + ": --threads must be between 1 and 1024");
    set_shared_pool_threads(static_cast<int>(*threads));
  }
  return options;
}

}  // namespace smolvlm::cli
