#include "train_report.h"

#include <cmath>
#include <cstdio>

#include "io/atomic_file.h"
#include "io/safetensors.h"

namespace smolvlm::cli {

std::string format_duration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  return buf;
}

ProgressLine::ProgressLine(std::ostream& out, std::string command, bool interactive)
    : out_(out), command_(std::move(command)), interactive_(interactive) {}

void ProgressLine::update(int64_t step, int64_t total, int64_t tokens_this_step, double step_seconds,
                          const std::string& fields) {
  ++steps_seen_;
  seconds_total_ += step_seconds;
  constexpr int kWidth = 20;
  const int filled = total > 0 ? static_cast<int>(kWidth * step / total) : kWidth;
  std::string bar = "[" + std::string(filled, '=') + std::string(kWidth - filled, ' ') + "]";
  const double eta = seconds_total_ / steps_seen_ * static_cast<double>(total - step);
  char speed[64];
  std::snprintf(speed, sizeof speed, "%.0f tok/s", step_seconds > 0 ? tokens_this_step / step_seconds : 0.0);
  out_ << (interactive_ ? "\r" : "") << command_ << " " << bar << " step " << step << "/" << total << " | " << fields
       << " | " << speed << " | ETA " << format_duration(eta) << (interactive_ ? "" : "\n");
  out_.flush();
  open_line_ = interactive_;
}

void ProgressLine::finish() {
  if (open_line_) out_ << "\n";
  open_line_ = false;
}

void TensorDump::add_step(int64_t step, double loss, double grad_norm,
                          std::span<const train::TrainableTensor> tensors) {
  losses_.push_back(static_cast<float>(loss));
  grad_norms_.push_back(static_cast<float>(grad_norm));
  for (const train::TrainableTensor& t : tensors)
    tensors_.push_back({"step" + std::to_string(step) + "." + t.name, t.shape, {t.value.begin(), t.value.end()}});
}

void TensorDump::set_gradients(std::span<const train::TrainableTensor> tensors,
                               const std::vector<std::vector<float>>& grads) {
  std::erase_if(tensors_, [](const Named& n) { return n.name.rfind("grad.", 0) == 0; });
  for (size_t i = 0; i < tensors.size() && i < grads.size(); ++i)
    tensors_.push_back({"grad." + tensors[i].name, tensors[i].shape, grads[i]});
}

void TensorDump::write(const std::string& path) const {
  std::vector<TensorToWrite> out;
  const int64_t steps = static_cast<int64_t>(losses_.size());
  out.push_back(tensor_from_f32("loss", {steps}, losses_));
  out.push_back(tensor_from_f32("grad_norm", {steps}, grad_norms_));
  for (const auto& [name, values] : scalars_)
    out.push_back(tensor_from_f32(name, {static_cast<int64_t>(values.size())}, values));
  for (const Named& n : tensors_) out.push_back(tensor_from_f32(n.name, n.shape, n.values));
  write_file_atomically(path, [&](const std::string& temp) { write_safetensors(temp, out); });
}

}  // namespace smolvlm::cli
