// AdamW::save_state / load_state: the optimizer's state in a safetensors file.
#include <charconv>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"
#include "train/adamw.h"

namespace smolvlm::train {
namespace {

constexpr const char* kFormat = "smolvlm-adamw-state-v1";

std::string number_text(double x) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest round-trip form
  return std::string(buf, r.ptr);
}

std::map<std::string, std::string> hyper_metadata(const AdamWConfig& c) {
  return {{"format", kFormat},
          {"beta1", number_text(c.beta1)},
          {"beta2", number_text(c.beta2)},
          {"eps", number_text(c.eps)},
          {"weight_decay", number_text(c.weight_decay)}};
}

int64_t parse_step(const std::string& path, const std::string& key, const std::string& text) {
  int64_t step = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), step);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || step < 0)
    throw Error(path + ": metadata " + key, "\"" + text + "\" is not a step count");
  return step;
}

}  // namespace

void AdamW::save_state(const std::string& path) const {
  std::vector<TensorToWrite> tensors;
  std::map<std::string, std::string> metadata = hyper_metadata(config_);
  for (const auto& [name, m] : state_) {
    const auto n = static_cast<int64_t>(m.exp_avg.size());
    tensors.push_back(tensor_from_f32("exp_avg." + name, {n}, m.exp_avg));
    tensors.push_back(tensor_from_f32("exp_avg_sq." + name, {n}, m.exp_avg_sq));
    metadata["step." + name] = std::to_string(m.step);
  }
  write_file_atomically(path, [&](const std::string& temp) { write_safetensors(temp, tensors, metadata); });
}

void AdamW::load_state(const std::string& path) {
  const SafetensorsFile file(path);
  const auto& meta = file.metadata();
  const auto format = meta.find("format");
  if (format == meta.end() || format->second != kFormat)
    throw Error(path, "is not an optimizer state file (metadata format is not " + std::string(kFormat) + ")");
  for (const auto& [key, value] : hyper_metadata(config_)) {
    const auto it = meta.find(key);
    if (it == meta.end() || it->second != value)
      throw Error(path + ": " + key, "was " + (it == meta.end() ? std::string("missing") : it->second) +
                                         " in the saved run, " + value + " now");
  }
  std::map<std::string, Moments> loaded;
  for (const auto& [key, value] : meta) {
    if (key.rfind("step.", 0) != 0) continue;
    const std::string name = key.substr(5);
    Moments m;
    m.step = parse_step(path, key, value);
    const auto avg = file.tensors().find("exp_avg." + name);
    const auto avg_sq = file.tensors().find("exp_avg_sq." + name);
    if (avg == file.tensors().end() || avg_sq == file.tensors().end())
      throw Error(path + ": " + name, "has a step but not both exp_avg and exp_avg_sq");
    m.exp_avg = to_f32(avg->second);
    m.exp_avg_sq = to_f32(avg_sq->second);
    if (m.exp_avg.size() != m.exp_avg_sq.size())
      throw Error(path + ": " + name, "exp_avg and exp_avg_sq differ in size");
    loaded.emplace(name, std::move(m));
  }
  state_ = std::move(loaded);
}

}  // namespace smolvlm::train
