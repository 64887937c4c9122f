#include "finetune_flags.h"

#include <charconv>

#include "core/error.h"

namespace smolvlm::cli {
namespace {

enum class Kind { Number, Text, Switch, Bool, Names, Numbers, JsonValue };

struct Field {
  const char* name;  // the config.json key
  Kind kind;
  const char* value_name;
  const char* help;
};

const Field kFields[] = {
    {"method", Kind::Text, "M", "lora (default), qlora (LoRA over a Q4_0 text decoder) or full"},
    {"r", Kind::Number, "N", "LoRA rank (default 8)"},
    {"lora_alpha", Kind::Number, "A", "LoRA alpha; scaling = alpha / r (default 8)"},
    {"lora_dropout", Kind::Number, "P", "LoRA dropout (only 0 is supported)"},
    {"use_rslora", Kind::Switch, "", "Scaling alpha / sqrt(r)"},
    {"target_modules", Kind::Names, "LIST", "Comma-separated projections (default q,k,v,o,gate,up,down_proj) or one regex"},
    {"adapter_init", Kind::Text, "DIR", "Start from this PEFT adapter folder instead of PEFT's default init"},
    {"train_connector", Kind::Switch, "", "Also train the connector (full fine-tuning trains it always)"},
    {"lr", Kind::Number, "LR", "Peak learning rate (default 1e-4)"},
    {"lr_scheduler", Kind::Text, "S", "constant, linear (default) or cosine"},
    {"warmup_steps", Kind::Number, "N", "Warm-up steps (default 50)"},
    {"betas", Kind::Numbers, "B1,B2", "AdamW betas (default 0.9,0.999)"},
    {"eps", Kind::Number, "E", "AdamW epsilon (default 1e-8)"},
    {"weight_decay", Kind::Number, "W", "AdamW decoupled weight decay (default 0.01)"},
    {"max_grad_norm", Kind::Number, "N", "Clip gradients to this global norm; 0 disables (default 1)"},
    {"per_device_batch", Kind::Number, "N", "Examples per micro-batch (default 4)"},
    {"grad_accumulation", Kind::Number, "N", "Micro-batches per optimizer step (default 4)"},
    {"micro_batches", Kind::JsonValue, "JSON", "Explicit micro-batches of example indices, e.g. [[0,1],[2,3]]"},
    {"epochs", Kind::Number, "N", "Passes over the data (default 1)"},
    {"max_steps", Kind::Number, "N", "Stop after N optimizer steps (overrides --epochs)"},
    {"masking", Kind::Text, "M", "notebook (default) or assistant_only"},
    {"max_length", Kind::Number, "N", "Skip (and count) longer sequences (default 2048)"},
    {"beta", Kind::Number, "B", "DPO beta (default 0.1)"},
    {"seed", Kind::Number, "N", "Seed of the LoRA init and the data shuffle (default 0)"},
    {"save_every", Kind::Number, "N", "Checkpoint every N steps; 0 never (default 25)"},
    {"eval_every", Kind::Number, "N", "Eval loss every N steps; 0 only at the end (default 0)"},
    {"gradient_checkpointing", Kind::Bool, "true|false", "Recompute layers in the backward (default true)"},
    {"dtype", Kind::Text, "T", "f32 (exact, default) or bf16 (BF16 forward products; f32 gradients and optimizer)"},
};

std::string dashed(std::string name) {
  for (char& c : name)
    if (c == '_') c = '-';
  return name;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  size_t begin = 0;
  while (begin <= s.size()) {
    const size_t end = std::min(s.find(',', begin), s.size());
    out.push_back(s.substr(begin, end - begin));
    begin = end + 1;
  }
  return out;
}

Json number_value(const std::string& text, const std::string& flag) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    throw UsageError(flag + " expects a number, got \"" + text + "\"");
  return v;
}

Json flag_value(const Field& f, const std::string& text, const std::string& flag) {
  switch (f.kind) {
    case Kind::Number: return number_value(text, flag);
    case Kind::Text: return text;
    case Kind::Switch: return true;
    case Kind::Bool:
      if (text != "true" && text != "false") throw UsageError(flag + " expects true or false");
      return text == "true";
    case Kind::Names: {
      const std::vector<std::string> names = split_commas(text);
      return names.size() == 1 ? Json(names[0]) : Json(names);
    }
    case Kind::Numbers: {
      Json list = Json::array();
      for (const std::string& n : split_commas(text)) list.push_back(number_value(n, flag));
      return list;
    }
    case Kind::JsonValue: return parse_json(text, flag);
  }
  return Json();
}

}  // namespace

void add_finetune_config_flags(ArgParser& parser) {
  parser.option("config", "FILE", "Settings as a JSON object of the names below (the goldens' config.json); "
                                  "flags override it");
  for (const Field& f : kFields) {
    if (f.kind == Kind::Switch) parser.flag(dashed(f.name), f.help);
    else parser.option(dashed(f.name), f.value_name, f.help);
  }
  parser.flag("assistant-only", "Same as --masking assistant_only");
}

void normalize_flag_spelling(int argc, char** argv, int first, std::vector<std::string>& storage) {
  storage.reserve(static_cast<size_t>(argc));
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) continue;
    const size_t name_end = std::min(arg.find('='), arg.size());
    bool changed = false;
    for (size_t k = 2; k < name_end; ++k)
      if (arg[k] == '_') arg[k] = '-', changed = true;
    if (!changed) continue;
    storage.push_back(arg);
    argv[i] = storage.back().data();
  }
}

train::FinetuneConfig finetune_config_from_flags(const ArgParser& args, const std::string& command,
                                                 std::vector<std::string>* ignored) {
  train::FinetuneConfig config;
  if (auto path = args.get("config")) {
    std::vector<std::string> skipped = train::apply_config_file(config, *path);
    if (ignored) *ignored = std::move(skipped);
  }
  for (const Field& f : kFields) {
    const std::string flag = dashed(f.name);
    if (!args.has(flag)) continue;
    const std::string where = command + ": --" + flag;
    train::set_config_field(config, f.name, flag_value(f, args.get(flag).value_or(""), where), where);
  }
  if (args.has("assistant-only")) config.masking = train::LabelMasking::AssistantOnly;
  return config;
}

}  // namespace smolvlm::cli
