#include "train/finetune_config.h"

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>

#include "core/error.h"

namespace smolvlm::train {
namespace {

using Setter = std::function<void(FinetuneConfig&, const Json&, const std::string&, const std::string&)>;

double as_number(const Json& v, const std::string& context) {
  if (!v.is_number()) throw Error(context, "expected a number, got " + v.dump());
  return v.get<double>();
}

int64_t as_integer(const Json& v, const std::string& context) {
  const double d = as_number(v, context);
  if (d != std::floor(d) || std::abs(d) > 9e15) throw Error(context, "expected an integer, got " + v.dump());
  return static_cast<int64_t>(d);
}

int64_t as_positive(const Json& v, const std::string& context) {
  const int64_t n = as_integer(v, context);
  if (n <= 0) throw Error(context, "must be positive, got " + v.dump());
  return n;
}

bool as_bool(const Json& v, const std::string& context) {
  if (!v.is_boolean()) throw Error(context, "expected true or false, got " + v.dump());
  return v.get<bool>();
}

std::string as_string(const Json& v, const std::string& context) {
  if (!v.is_string()) throw Error(context, "expected a string, got " + v.dump());
  return v.get<std::string>();
}

std::string one_of(const Json& v, const std::string& context, std::initializer_list<const char*> allowed) {
  const std::string s = as_string(v, context);
  std::string list;
  for (const char* a : allowed) {
    if (s == a) return s;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  throw Error(context, "\"" + s + "\" is not one of " + list);
}

std::vector<std::vector<int64_t>> as_micro_batches(const Json& v, const std::string& context) {
  if (!v.is_array()) throw Error(context, "expected a list of lists of example indices");
  std::vector<std::vector<int64_t>> batches;
  for (const Json& b : v) {
    if (!b.is_array() || b.empty()) throw Error(context, "every micro-batch must be a non-empty list of indices");
    std::vector<int64_t>& out = batches.emplace_back();
    for (const Json& i : b) {
      const int64_t index = as_integer(i, context);
      if (index < 0) throw Error(context, "example indices start at 0");
      out.push_back(index);
    }
  }
  return batches;
}

// The fields, by their config.json name (= the flag name). A JSON null leaves
// the default (the goldens write null for what does not apply, e.g. r in a
// full fine-tune).
const std::map<std::string, Setter, std::less<>>& setters() {
  static const std::map<std::string, Setter, std::less<>> table = {
      {"method", [](auto& c, auto& v, auto& ctx, auto&) {
         const std::string m = one_of(v, ctx, {"lora", "qlora", "full"});
         c.method = m == "lora" ? TrainMethod::Lora : m == "qlora" ? TrainMethod::Qlora : TrainMethod::Full;
       }},
      {"r", [](auto& c, auto& v, auto& ctx, auto&) { c.r = as_positive(v, ctx); }},
      {"lora_alpha", [](auto& c, auto& v, auto& ctx, auto&) { c.lora_alpha = as_number(v, ctx); }},
      {"lora_dropout", [](auto& c, auto& v, auto& ctx, auto&) {
         c.lora_dropout = as_number(v, ctx);
         if (c.lora_dropout < 0 || c.lora_dropout >= 1) throw Error(ctx, "must be in [0, 1)");
       }},
      {"use_rslora", [](auto& c, auto& v, auto& ctx, auto&) { c.use_rslora = as_bool(v, ctx); }},
      {"target_modules", [](auto& c, auto& v, auto& ctx, auto&) {
         c.target_modules.clear();
         if (v.is_string()) {
           c.target_modules.push_back(v.template get<std::string>());
           return;
         }
         if (!v.is_array() || v.empty()) throw Error(ctx, "expected a non-empty list of module names");
         for (const Json& m : v) c.target_modules.push_back(as_string(m, ctx));
       }},
      {"adapter_init", [](auto& c, auto& v, auto& ctx, auto& base) {
         const std::filesystem::path p = as_string(v, ctx);
         c.adapter_init = (p.is_relative() && !base.empty() ? std::filesystem::path(base) / p : p).lexically_normal();
       }},
      {"train_connector", [](auto& c, auto& v, auto& ctx, auto&) { c.train_connector = as_bool(v, ctx); }},
      {"lr", [](auto& c, auto& v, auto& ctx, auto&) { c.lr = as_number(v, ctx); }},
      {"lr_scheduler", [](auto& c, auto& v, auto& ctx, auto&) {
         c.lr_scheduler = one_of(v, ctx, {"constant", "linear", "cosine"});
       }},
      {"warmup_steps", [](auto& c, auto& v, auto& ctx, auto&) { c.warmup_steps = as_integer(v, ctx); }},
      {"betas", [](auto& c, auto& v, auto& ctx, auto&) {
         if (!v.is_array() || v.size() != 2) throw Error(ctx, "expected [beta1, beta2]");
         c.beta1 = as_number(v[0], ctx);
         c.beta2 = as_number(v[1], ctx);
       }},
      {"eps", [](auto& c, auto& v, auto& ctx, auto&) { c.eps = as_number(v, ctx); }},
      {"weight_decay", [](auto& c, auto& v, auto& ctx, auto&) { c.weight_decay = as_number(v, ctx); }},
      {"max_grad_norm", [](auto& c, auto& v, auto& ctx, auto&) { c.max_grad_norm = as_number(v, ctx); }},
      {"per_device_batch", [](auto& c, auto& v, auto& ctx, auto&) { c.per_device_batch = as_positive(v, ctx); }},
      {"grad_accumulation", [](auto& c, auto& v, auto& ctx, auto&) { c.grad_accumulation = as_positive(v, ctx); }},
      {"micro_batches", [](auto& c, auto& v, auto& ctx, auto&) { c.micro_batches = as_micro_batches(v, ctx); }},
      {"epochs", [](auto& c, auto& v, auto& ctx, auto&) { c.epochs = as_number(v, ctx); }},
      {"max_steps", [](auto& c, auto& v, auto& ctx, auto&) { c.max_steps = as_integer(v, ctx); }},
      {"masking", [](auto& c, auto& v, auto& ctx, auto&) {
         c.masking = one_of(v, ctx, {"notebook", "assistant_only"}) == "notebook" ? LabelMasking::Notebook
                                                                                 : LabelMasking::AssistantOnly;
       }},
      {"max_length", [](auto& c, auto& v, auto& ctx, auto&) { c.max_length = as_positive(v, ctx); }},
      {"beta", [](auto& c, auto& v, auto& ctx, auto&) { c.beta = as_number(v, ctx); }},
      {"seed", [](auto& c, auto& v, auto& ctx, auto&) {
         const int64_t s = as_integer(v, ctx);
         if (s < 0) throw Error(ctx, "must not be negative");
         c.seed = static_cast<uint64_t>(s);
       }},
      {"save_every", [](auto& c, auto& v, auto& ctx, auto&) { c.save_every = as_integer(v, ctx); }},
      {"eval_every", [](auto& c, auto& v, auto& ctx, auto&) { c.eval_every = as_integer(v, ctx); }},
      {"dtype", [](auto& c, auto& v, auto& ctx, auto&) {
         const std::string d = as_string(v, ctx);
         if (d != "bf16" && d != "f32" && d.rfind("float32", 0) != 0)
           throw Error(ctx, "must be f32 (exact, default) or bf16, not \"" + d + "\"");
         c.bf16 = d == "bf16";
       }},
      {"gradient_checkpointing", [](auto& c, auto& v, auto& ctx, auto&) {
         c.gradient_checkpointing = as_bool(v, ctx);
       }},
  };
  return table;
}

// Keys that restate what other keys imply; checked after all keys are set.
void check_consequences(const FinetuneConfig& c, const Json& file, const std::string& path) {
  if (file.contains("scaling") && !file["scaling"].is_null() && c.method != TrainMethod::Full) {
    const double scaling = as_number(file["scaling"], path + ": scaling");
    if (std::abs(scaling - c.lora_scaling()) > 1e-12 * std::abs(scaling))
      throw Error(path + ": scaling", "does not equal lora_alpha / r = " + std::to_string(c.lora_scaling()));
  }
  if (file.contains("examples_per_step")) {
    const int64_t n = as_integer(file["examples_per_step"], path + ": examples_per_step");
    if (n != c.per_device_batch * c.grad_accumulation)
      throw Error(path + ": examples_per_step", "does not equal per_device_batch * grad_accumulation");
  }
  if (file.contains("loss_type") && as_string(file["loss_type"], path + ": loss_type") != "sigmoid")
    throw Error(path + ": loss_type", "only TRL's \"sigmoid\" DPO loss is supported");
}

}  // namespace

double FinetuneConfig::lora_scaling() const {
  return use_rslora ? lora_alpha / std::sqrt(static_cast<double>(r)) : lora_alpha / static_cast<double>(r);
}

bool is_config_field(std::string_view key) { return setters().count(key) != 0; }

void set_config_field(FinetuneConfig& config, std::string_view key, const Json& value, const std::string& context,
                      const std::string& base_dir) {
  const auto it = setters().find(key);
  if (it == setters().end()) throw Error(context, "unknown setting \"" + std::string(key) + "\"");
  if (!value.is_null()) it->second(config, value, context, base_dir);
}

std::vector<std::string> apply_config_file(FinetuneConfig& config, const std::string& path) {
  const Json file = read_json_file(path);
  if (!file.is_object()) throw Error(path, "expected a JSON object of settings");
  // TRL's DPO config calls the micro-batch size "batch".
  static const std::map<std::string, std::string, std::less<>> aliases = {{"batch", "per_device_batch"}};
  const std::string base_dir = std::filesystem::path(path).parent_path().string();
  std::vector<std::string> ignored;
  for (const auto& [key, value] : file.items()) {
    const auto alias = aliases.find(key);
    const std::string field = alias != aliases.end() ? alias->second : key;
    if (is_config_field(field)) {
      set_config_field(config, field, value, path + ": " + key, base_dir);
    } else if (key != "scaling" && key != "examples_per_step" && key != "loss_type") {
      if (!value.is_string() && !value.is_null())
        throw Error(path + ": " + key, "unknown setting (descriptive keys must be strings)");
      ignored.push_back(key);
    }
  }
  check_consequences(config, file, path);
  return ignored;
}

Json config_to_json(const FinetuneConfig& c) {
  Json j;
  j["method"] = c.method == TrainMethod::Lora ? "lora" : c.method == TrainMethod::Qlora ? "qlora" : "full";
  j["r"] = c.r;
  j["lora_alpha"] = c.lora_alpha;
  j["lora_dropout"] = c.lora_dropout;
  j["use_rslora"] = c.use_rslora;
  j["target_modules"] = c.target_modules;
  if (!c.adapter_init.empty()) j["adapter_init"] = c.adapter_init;
  j["train_connector"] = c.train_connector;
  j["lr"] = c.lr;
  j["lr_scheduler"] = c.lr_scheduler;
  j["warmup_steps"] = c.warmup_steps;
  j["betas"] = {c.beta1, c.beta2};
  j["eps"] = c.eps;
  j["weight_decay"] = c.weight_decay;
  j["max_grad_norm"] = c.max_grad_norm;
  j["per_device_batch"] = c.per_device_batch;
  j["grad_accumulation"] = c.grad_accumulation;
  if (!c.micro_batches.empty()) j["micro_batches"] = c.micro_batches;
  j["epochs"] = c.epochs;
  j["max_steps"] = c.max_steps;
  j["masking"] = c.masking == LabelMasking::Notebook ? "notebook" : "assistant_only";
  j["max_length"] = c.max_length;
  j["beta"] = c.beta;
  j["seed"] = c.seed;
  j["save_every"] = c.save_every;
  j["eval_every"] = c.eval_every;
  j["gradient_checkpointing"] = c.gradient_checkpointing;
  if (c.bf16) j["dtype"] = "bf16";  // absent for exact: checkpoints from before the key still resume
  return j;
}

}  // namespace smolvlm::train
