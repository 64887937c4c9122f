#include "model/synthetic_checkpoint.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/dtype.h"
#include "core/error.h"
#include "core/json_file.h"
#include "model/synthetic_values.h"
#include "tokenizer/synthetic_tokenizer.h"

namespace smolvlm {
namespace {

// The shape of each model, from SPEC §1.2 (real checkpoints) and
// fixtures/README.md "Models" (the tiny ones). head_dim = hidden / heads in all.
struct Preset {
  const char* name;
  bool smolvlm2;  // SmolVLMForConditionalGeneration, SmolVLM processor classes
  int64_t hidden, layers, heads, kv_heads, intermediate;
  double rope_theta;
  int64_t max_positions;
  bool tied;
  int64_t vision_hidden, vision_layers, vision_heads, vision_intermediate, image_size, patch_size;
  int64_t scale_factor;
  SyntheticVocab vocab;
  int generation_bos;  // 0 in the real files; tiny-smolvlm's fixture says 1
};

constexpr std::array<Preset, 7> kPresets = {{
    {"SmolVLM-256M-Instruct", false, 576, 30, 9, 3, 1536, 100000.0, 8192, false, 768, 12, 12, 3072, 512, 16, 4,
     SyntheticVocab::SmolVLM, 0},
    {"SmolVLM-500M-Instruct", false, 960, 32, 15, 5, 2560, 100000.0, 8192, false, 768, 12, 12, 3072, 512, 16, 4,
     SyntheticVocab::SmolVLM, 0},
    {"SmolVLM-Instruct", false, 2048, 24, 32, 32, 8192, 273768.0, 16384, false, 1152, 27, 16, 4304, 384, 14, 3,
     SyntheticVocab::SmolVLM2B, 0},
    // SmolVLM2's 256M: v1 256M's text and vision shapes, the SmolVLM2 classes and video_sampling.
    {"SmolVLM2-256M-Video-Instruct", true, 576, 30, 9, 3, 1536, 100000.0, 8192, false, 768, 12, 12, 3072, 512, 16, 4,
     SyntheticVocab::SmolVLM, 0},
    {"tiny-smolvlm-256m", false, 64, 2, 4, 2, 128, 100000.0, 8192, false, 64, 2, 2, 128, 512, 16, 4,
     SyntheticVocab::SmolVLM, 0},
    {"tiny-smolvlm", false, 64, 2, 4, 2, 128, 273768.0, 16384, true, 144, 2, 2, 288, 384, 14, 3,
     SyntheticVocab::SmolVLM2B, 1},
    {"tiny-smolvlm2", true, 64, 2, 4, 2, 128, 100000.0, 8192, true, 64, 2, 2, 128, 512, 16, 4,
     SyntheticVocab::SmolVLM, 0},
}};

// The SmolVLM chat template (SPEC §7.1); SmolVLM2 adds the `<video>` branch.
std::string chat_template(bool smolvlm2) {
  return std::string(
             "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}"
             "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}"
             "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}"
             "{% elif line['type'] == 'image' %}{{ '<image>' }}") +
         (smolvlm2 ? "{% elif line['type'] == 'video' %}{{ '<video>' }}" : "") +
         "{% endif %}{% endfor %}<end_of_utterance>\n{% endfor %}"
         "{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";
}

const Preset& find_preset(const std::string& like) {
  for (const Preset& p : kPresets)
    if (like == p.name) return p;
  std::string known;
  for (const std::string& n : synthetic_checkpoint_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("synthetic checkpoint", "unknown model \"" + like + "\" (known: " + known + ")");
}

int32_t added_token_id(SyntheticVocab vocab, const std::string& content) {
  for (const SyntheticAddedToken& t : synthetic_added_tokens(vocab))
    if (t.content == content) return t.id;
  throw Error("synthetic checkpoint", "no added token " + content);  // a table bug, not user input
}

Json text_config(const Preset& p) {
  const int64_t vocab = synthetic_vocab_size(p.vocab);
  return {
      {"architectures", {"VLlama3ForCausalLM"}}, {"model_type", "llama"}, {"vocab_size", vocab},
      {"hidden_size", p.hidden}, {"intermediate_size", p.intermediate}, {"num_hidden_layers", p.layers},
      {"num_attention_heads", p.heads}, {"num_key_value_heads", p.kv_heads}, {"head_dim", p.hidden / p.heads},
      {"hidden_act", "silu"}, {"max_position_embeddings", p.max_positions}, {"rms_norm_eps", 1e-5},
      {"rope_theta", p.rope_theta}, {"rope_scaling", nullptr}, {"rope_interleaved", false},
      {"attention_bias", false}, {"attention_dropout", 0.0}, {"mlp_bias", false}, {"pretraining_tp", 1},
      {"initializer_range", 0.02}, {"tie_word_embeddings", p.tied}, {"use_cache", true},
      {"torch_dtype", "bfloat16"},
      // The text config's own ids are not what generation uses (SPEC §1.3, §8).
      {"bos_token_id", 1}, {"eos_token_id", 2}, {"pad_token_id", 2},
      // Legacy keys the real files carry and the model ignores (SPEC §1.3).
      {"is_llama_config", true}, {"_flash_attn_2_enabled", true}, {"neftune_noise_alpha", 0.0},
      {"pixel_shuffle_factor", p.scale_factor}, {"qk_layer_norms", false}, {"use_resampler", false},
      {"perceiver_config",
       {{"model_type", "vllama3"}, {"hidden_act", "silu"}, {"resampler_n_latents", 64}, {"resampler_depth", 6},
        {"resampler_n_heads", 16}, {"resampler_head_dim", 96}, {"num_key_value_heads", 1},
        {"qk_layer_norms_perceiver", false}, {"attention_dropout", 0.0}}},
      {"transformers.js_config", {{"kv_cache_dtype", {{"q4f16", "float16"}, {"fp16", "float16"}}}}}};
}

Json vision_config(const Preset& p) {
  return {{"model_type", p.smolvlm2 ? "smolvlm_vision" : "idefics3"},
          {"hidden_size", p.vision_hidden}, {"intermediate_size", p.vision_intermediate},
          {"num_hidden_layers", p.vision_layers}, {"num_attention_heads", p.vision_heads}, {"num_channels", 3},
          {"image_size", p.image_size}, {"patch_size", p.patch_size}, {"hidden_act", "gelu_pytorch_tanh"},
          {"layer_norm_eps", 1e-6}, {"attention_dropout", 0.0}, {"initializer_range", 0.02},
          {"use_base_siglip", true},
          // Processor-ish keys the model ignores (SPEC §1.3).
          {"size", {{"longest_edge", 4 * p.image_size}}}, {"max_image_size", {{"longest_edge", p.image_size}}}};
}

Json model_config(const Preset& p) {
  return {{"architectures", {p.smolvlm2 ? "SmolVLMForConditionalGeneration" : "Idefics3ForConditionalGeneration"}},
          {"model_type", p.smolvlm2 ? "smolvlm" : "idefics3"},
          {"image_token_id", added_token_id(p.vocab, "<image>")},
          {"scale_factor", p.scale_factor},
          {"tie_word_embeddings", p.tied},
          {"torch_dtype", "bfloat16"},
          {"transformers_version", p.smolvlm2 ? "4.47.1" : "4.46.0"},
          {"use_cache", true},
          {"vocab_size", synthetic_vocab_size(p.vocab)},
          {"transformers.js_config", {{"kv_cache_dtype", {{"q4f16", "float16"}, {"fp16", "float16"}}}}},
          {"text_config", text_config(p)},
          {"vision_config", vision_config(p)}};
}

Json preprocessor_config(const Preset& p) {
  // size.longest_edge = 4 tiles of max_image_size in every SmolVLM config (SPEC §1.2).
  Json c = {{"do_convert_rgb", true}, {"do_image_splitting", true}, {"do_normalize", true}, {"do_pad", true},
            {"do_rescale", true}, {"do_resize", true}, {"image_mean", {0.5, 0.5, 0.5}},
            {"image_std", {0.5, 0.5, 0.5}}, {"resample", 1}, {"rescale_factor", 0.00392156862745098},
            {"image_processor_type", p.smolvlm2 ? "SmolVLMImageProcessor" : "Idefics3ImageProcessor"},
            {"processor_class", p.smolvlm2 ? "SmolVLMProcessor" : "Idefics3Processor"},
            {"max_image_size", {{"longest_edge", p.image_size}}}, {"size", {{"longest_edge", 4 * p.image_size}}}};
  if (p.smolvlm2)
    c["video_sampling"] = {{"fps", 1}, {"max_frames", 64}, {"video_size", {{"longest_edge", p.image_size}}}};
  return c;
}

Json special_token_entry(const std::string& content) {
  return {{"content", content}, {"lstrip", false}, {"normalized", false}, {"rstrip", false}, {"single_word", false}};
}

Json tokenizer_config(const Preset& p) {
  Json decoder = Json::object();
  for (const SyntheticAddedToken& t : synthetic_added_tokens(p.vocab)) {
    Json entry = special_token_entry(t.content);
    entry["special"] = true;
    decoder[std::to_string(t.id)] = entry;
  }
  // eos here is <end_of_utterance>; special_tokens_map.json says <|im_end|>
  // and loses (SPEC §1.3), as in the real files.
  return {{"add_prefix_space", false}, {"added_tokens_decoder", decoder},
          {"additional_special_tokens", {"<fake_token_around_image>", "<image>", "<end_of_utterance>"}},
          {"bos_token", "<|im_start|>"}, {"chat_template", chat_template(p.smolvlm2)},
          {"clean_up_tokenization_spaces", false}, {"eos_token", "<end_of_utterance>"}, {"legacy", false},
          {"model_max_length", 8192}, {"pad_token", "<|im_end|>"},
          {"processor_class", p.smolvlm2 ? "SmolVLMProcessor" : "Idefics3Processor"},
          {"tokenizer_class", "GPT2Tokenizer"}, {"truncation_side", "left"}, {"unk_token", "<|endoftext|>"},
          {"vocab_size", synthetic_vocab_size(p.vocab)}};
}

Json special_tokens_map() {
  Json extra = Json::array();
  for (const char* t : {"<fake_token_around_image>", "<image>", "<end_of_utterance>"})
    extra.push_back(special_token_entry(t));
  return {{"additional_special_tokens", extra}, {"bos_token", special_token_entry("<|im_start|>")},
          {"eos_token", special_token_entry("<|im_end|>")}, {"pad_token", special_token_entry("<|im_end|>")},
          {"unk_token", special_token_entry("<|endoftext|>")}};
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw Error(path.string(), "cannot write");
}

void write_json(const std::filesystem::path& path, const Json& value) { write_text(path, value.dump(2) + "\n"); }

// Streams the tensors' BF16 values after a safetensors header (8-byte LE
// length, JSON, space padding to 8 bytes), in plan order.
void write_weights_file(const std::filesystem::path& path, const std::vector<SyntheticWeight>& plan, uint64_t seed) {
  Json header = {{"__metadata__", {{"format", "pt"}}}};
  uint64_t offset = 0;
  for (const SyntheticWeight& w : plan) {
    uint64_t bytes = 2;
    for (int64_t d : w.shape) bytes *= static_cast<uint64_t>(d);
    header[w.name] = {{"dtype", "BF16"}, {"shape", w.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(path.string(), "cannot create");
  std::array<char, 8> length{};
  for (size_t i = 0; i < 8; ++i) length[i] = static_cast<char>((header_text.size() >> (8 * i)) & 0xFF);
  out.write(length.data(), 8);
  out.write(header_text.data(), static_cast<std::streamsize>(header_text.size()));

  std::vector<uint16_t> block(1 << 19);  // 1 MiB of BF16
  for (const SyntheticWeight& w : plan) {
    SyntheticValues values(w, seed);
    uint64_t left = 1;
    for (int64_t d : w.shape) left *= static_cast<uint64_t>(d);
    while (left > 0) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(left, block.size()));
      values.fill(std::span(block.data(), n));
      // safetensors is little-endian, as are the hosts we build for.
      out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n * 2));
      left -= n;
    }
  }
  out.flush();
  if (!out) throw Error(path.string(), "write failed (disk full?)");
}

}  // namespace

std::vector<std::string> synthetic_checkpoint_names() {
  std::vector<std::string> names;
  for (const Preset& p : kPresets) names.emplace_back(p.name);
  return names;
}

void write_synthetic_configs(const std::string& out_dir, const std::string& like) {
  const Preset& p = find_preset(like);
  const std::filesystem::path dir(out_dir);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(out_dir, "cannot create the folder: " + ec.message());

  const int64_t tokens_per_side = p.image_size / p.patch_size / p.scale_factor;
  write_json(dir / "config.json", model_config(p));
  write_json(dir / "generation_config.json", {{"_from_model_config", true},
                                              {"bos_token_id", p.generation_bos},
                                              {"eos_token_id", added_token_id(p.vocab, "<end_of_utterance>")},
                                              {"pad_token_id", 2},
                                              {"transformers_version", p.smolvlm2 ? "4.47.1" : "4.46.0"}});
  write_json(dir / "preprocessor_config.json", preprocessor_config(p));
  write_json(dir / "processor_config.json",
             {{"image_seq_len", tokens_per_side * tokens_per_side},
              {"processor_class", p.smolvlm2 ? "SmolVLMProcessor" : "Idefics3Processor"}});
  write_json(dir / "chat_template.json", {{"chat_template", chat_template(p.smolvlm2)}});
  write_text(dir / "tokenizer.json", synthetic_tokenizer_json(p.vocab));
  write_json(dir / "tokenizer_config.json", tokenizer_config(p));
  write_json(dir / "special_tokens_map.json", special_tokens_map());
}

std::vector<SyntheticWeight> synthetic_weight_plan(const ModelConfig& config) {
  if (!config.vision) throw Error("synthetic checkpoint", "the config has no vision tower");
  const TextConfig& t = config.text;
  const VisionConfig& v = *config.vision;
  std::vector<SyntheticWeight> plan;
  auto add = [&plan](std::string name, std::vector<int64_t> shape, WeightInit init = WeightInit::Normal) {
    plan.push_back({std::move(name), std::move(shape), init});
  };

  // Vision tower, SPEC §3.6.
  const std::string vp = "model.vision_model.";
  const int64_t Hv = v.hidden_size, patches = v.image_size / v.patch_size;
  add(vp + "embeddings.patch_embedding.weight", {Hv, v.num_channels, v.patch_size, v.patch_size});
  add(vp + "embeddings.patch_embedding.bias", {Hv}, WeightInit::Zeros);
  add(vp + "embeddings.position_embedding.weight", {patches * patches, Hv});
  for (int64_t l = 0; l < v.num_layers; ++l) {
    const std::string lp = vp + "encoder.layers." + std::to_string(l) + ".";
    for (const char* norm : {"layer_norm1", "layer_norm2"}) {
      add(lp + norm + ".weight", {Hv}, WeightInit::Ones);
      add(lp + norm + ".bias", {Hv}, WeightInit::Zeros);
    }
    for (const char* proj : {"q_proj", "k_proj", "v_proj", "out_proj"}) {
      add(lp + "self_attn." + proj + ".weight", {Hv, Hv});
      add(lp + "self_attn." + proj + ".bias", {Hv}, WeightInit::Zeros);
    }
    add(lp + "mlp.fc1.weight", {v.intermediate_size, Hv});
    add(lp + "mlp.fc1.bias", {v.intermediate_size}, WeightInit::Zeros);
    add(lp + "mlp.fc2.weight", {Hv, v.intermediate_size});
    add(lp + "mlp.fc2.bias", {Hv}, WeightInit::Zeros);
  }
  add(vp + "post_layernorm.weight", {Hv}, WeightInit::Ones);
  add(vp + "post_layernorm.bias", {Hv}, WeightInit::Zeros);

  // Connector, SPEC §4.2.
  add("model.connector.modality_projection.proj.weight",
      {t.hidden_size, Hv * config.scale_factor * config.scale_factor});

  // Text decoder, SPEC §2.
  const std::string tp = config.text_prefix;
  const int64_t H = t.hidden_size, q_out = t.num_heads * t.head_dim, kv_out = t.num_kv_heads * t.head_dim;
  add(tp + "embed_tokens.weight", {t.vocab_size, H});
  for (int64_t l = 0; l < t.num_layers; ++l) {
    const std::string lp = tp + "layers." + std::to_string(l) + ".";
    add(lp + "input_layernorm.weight", {H}, WeightInit::Ones);
    add(lp + "self_attn.q_proj.weight", {q_out, H});
    add(lp + "self_attn.k_proj.weight", {kv_out, H});
    add(lp + "self_attn.v_proj.weight", {kv_out, H});
    add(lp + "self_attn.o_proj.weight", {H, q_out});
    add(lp + "post_attention_layernorm.weight", {H}, WeightInit::Ones);
    add(lp + "mlp.gate_proj.weight", {t.intermediate_size, H});
    add(lp + "mlp.up_proj.weight", {t.intermediate_size, H});
    add(lp + "mlp.down_proj.weight", {H, t.intermediate_size});
  }
  add(tp + "norm.weight", {H}, WeightInit::Ones);
  if (!t.tie_word_embeddings) add(config.lm_head_name, {t.vocab_size, H});

  // Name order, as transformers' safetensors files are written.
  std::sort(plan.begin(), plan.end(), [](const SyntheticWeight& a, const SyntheticWeight& b) { return a.name < b.name; });
  return plan;
}

void write_synthetic_weights(const std::string& dir, uint64_t seed) {
  const ModelConfig config = load_model_config(dir);
  write_weights_file(std::filesystem::path(dir) / "model.safetensors", synthetic_weight_plan(config), seed);
}

TensorStore make_synthetic_weights(const ModelConfig& config, uint64_t seed) {
  std::vector<TensorToWrite> tensors;
  std::vector<uint16_t> block(1 << 19);  // 1 MiB of BF16
  for (const SyntheticWeight& w : synthetic_weight_plan(config)) {
    size_t left = 1;
    for (int64_t d : w.shape) left *= static_cast<size_t>(d);
    TensorToWrite t{w.name, DType::BF16, w.shape, std::vector<uint8_t>(2 * left)};
    SyntheticValues values(w, seed);
    for (uint8_t* out = t.bytes.data(); left > 0;) {
      const size_t n = std::min(left, block.size());
      values.fill(std::span(block.data(), n));
      std::memcpy(out, block.data(), 2 * n);  // little-endian, as in the file
      out += 2 * n;
      left -= n;
    }
    tensors.push_back(std::move(t));
  }
  return TensorStore::from_memory("random weights", std::move(tensors));
}

void write_synthetic_checkpoint(const std::string& out_dir, const std::string& like, uint64_t seed) {
  write_synthetic_configs(out_dir, like);
  write_synthetic_weights(out_dir, seed);
}

}  // namespace smolvlm
