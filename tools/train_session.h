// What `smolvlm finetune` and `smolvlm dpo` share around the Trainer: the
// output folder, the trainable decoder (a new, given or resumed LoRA adapter,
// or a full fine-tune), the step loop with its progress line, checkpoints
// and --dump-tensors, and the final result in --out.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli_args.h"
#include "engine/loaded_model.h"
#include "model/lora_adapter.h"
#include "train/finetune_config.h"
#include "train/trainable_decoder.h"
#include "train/trainer.h"
#include "train_report.h"

namespace smolvlm::cli {

// --out, --resume, --dump-tensors, --threads, --on-bad-line.
void add_train_session_flags(ArgParser& parser);

class TrainSession {
 public:
  // Checks --out is a folder it can write (created if needed), sizes the
  // thread pool and loads --model. `data_path` is hashed for --resume.
  TrainSession(const ArgParser& args, const train::FinetuneConfig& config, std::string command,
               const std::string& data_path);

  LoadedModel& model() { return *model_; }
  const train::FinetuneConfig& config() const { return config_; }

  // The decoder to train: LoRA (from --resume, adapter_init or PEFT's default
  // init) or full; with --resume the checkpoint's weights and its
  // trainer_state.json checked against this run.
  train::TrainableDecoder& make_decoder();

  // Restores --resume's progress and optimizer state into `trainer`, then
  // runs it: a progress line per step (`fields` formats the step's numbers),
  // a checkpoint every save_every steps, --dump-tensors at the end (`dump_extra`
  // adds a step's own scalars). A failed step's Error names the last good
  // checkpoint. Then writes the result in --out.
  void run(train::Trainer& trainer, const std::function<std::string(const train::StepReport&)>& fields,
           const std::function<void(const train::StepReport&, TensorDump&)>& dump_extra = {});

 private:
  void save_result(train::Trainer& trainer);

  train::FinetuneConfig config_;
  std::string command_, model_dir_, out_dir_, data_sha256_;
  std::optional<std::string> resume_dir_, dump_path_;
  std::unique_ptr<LoadedModel> model_;
  LoraAdapter adapter_;
  std::unique_ptr<train::TrainableDecoder> decoder_;
  Json resume_state_;
};

}  // namespace smolvlm::cli
