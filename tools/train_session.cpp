#include "train_session.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "core/error.h"
#include "core/thread_pool.h"
#include "io/atomic_file.h"
#include "model/lora_io.h"
#include "train/checkpoint.h"
#include "train/full_checkpoint.h"
#include "train/lora_init.h"

namespace smolvlm::cli {
namespace {

namespace fs = std::filesystem;

// --out must be a folder we can write into: checked before the model loads.
void prepare_out_dir(const std::string& out_dir) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (!fs::is_directory(out_dir)) throw Error(out_dir, "cannot create the --out folder" + (ec ? ": " + ec.message() : ""));
  const std::string probe = out_dir + "/.smolvlm-write-test-" + std::to_string(::getpid());
  FILE* f = std::fopen(probe.c_str(), "wb");
  if (f == nullptr) throw Error(out_dir, "the --out folder is not writable");
  std::fclose(f);
  std::remove(probe.c_str());
}

// Moves every file of `from` into `to` (each rename atomic), then removes `from`.
void move_files_into(const std::string& from, const std::string& to) {
  for (const fs::directory_entry& e : fs::directory_iterator(from)) fs::rename(e.path(), fs::path(to) / e.path().filename());
  fs::remove_all(from);
}

}  // namespace

void add_train_session_flags(ArgParser& parser) {
  parser.option("model", "DIR", "Base checkpoint folder")
      .option("out", "DIR", "Output folder: the adapter (LoRA) or checkpoint (full), and checkpoint-<step>/ folders")
      .option("resume", "DIR", "Continue from a checkpoint folder (OUT/checkpoint-<step>) of the same run")
      .option("dump-tensors", "FILE", "Write loss, grad.<name> (last step, before clipping) and step<k>.<name>")
      .option("on-bad-line", "skip|stop", "What a malformed data line does (default stop)")
      .option("threads", "N", "Threads for the kernels (default: SMOLVLM_THREADS, else every core)");
}

TrainSession::TrainSession(const ArgParser& args, const train::FinetuneConfig& config, std::string command,
                           const std::string& data_path)
    : config_(config), command_(std::move(command)) {
  model_dir_ = args.require("model");
  out_dir_ = args.require("out");
  resume_dir_ = args.get("resume");
  dump_path_ = args.get("dump-tensors");
  if (auto threads = args.get_int("threads")) {
    if (*threads < 1 || *threads > 1024) throw UsageError(command_ + ": --threads must be between 1 and 1024");
    set_shared_pool_threads(static_cast<int>(*threads));
  }
  prepare_out_dir(out_dir_);
  data_sha256_ = train::file_sha256(data_path);
  if (resume_dir_) resume_state_ = train::read_resume_state(*resume_dir_, config_, data_sha256_);
  // QLoRA: the frozen text weights held as Q4_0 blocks (our 4-bit format, not bitsandbytes' NF4),
  // dequantized on the fly by the kernels; the LoRA tensors train in f32 as with --method lora.
  WeightDtypes quantize;
  if (config_.method == train::TrainMethod::Qlora) quantize.text = DType::Q4_0;
  model_ = std::make_unique<LoadedModel>(model_dir_, size_t{64} << 20, kernels::ComputeMode::Exact, quantize);
}

train::TrainableDecoder& TrainSession::make_decoder() {
  const train::TrainOptions options{.gradient_checkpointing = config_.gradient_checkpointing,
                                    .bf16_forward = config_.bf16};
  if (config_.method == train::TrainMethod::Full) {
    decoder_ = std::make_unique<train::TrainableDecoder>(model_->weights, model_->config, train::FullFineTuning{},
                                                         options);
    if (resume_dir_) train::read_full_checkpoint(*resume_dir_, decoder_->tensors());
    return *decoder_;
  }
  if (config_.train_connector)
    throw Error("--train-connector", "goes with --method full only (LoRA trains the text decoder's projections)");
  if (resume_dir_) adapter_ = load_lora_adapter(*resume_dir_, model_->config);
  else if (!config_.adapter_init.empty()) adapter_ = load_lora_adapter(config_.adapter_init, model_->config);
  else adapter_ = train::new_lora_adapter(model_->config, config_, config_.seed);
  adapter_.base_model_name_or_path = model_dir_;
  decoder_ = std::make_unique<train::TrainableDecoder>(model_->weights, model_->config, adapter_, options);
  return *decoder_;
}

void TrainSession::run(train::Trainer& trainer, const std::function<std::string(const train::StepReport&)>& fields,
                       const std::function<void(const train::StepReport&, TensorDump&)>& dump_extra) {
  std::string last_checkpoint;
  if (resume_dir_) {
    trainer.restore_progress(resume_state_);
    trainer.optimizer().load_state(*resume_dir_ + "/" + train::kOptimizerFile);
    last_checkpoint = *resume_dir_;
    std::cerr << command_ << ": resumed from " << *resume_dir_ << " at step " << trainer.progress().step << "\n";
  }
  TensorDump dump;
  trainer.keep_unclipped_gradients(dump_path_.has_value());
  train::CheckpointContents contents;
  if (config_.method == train::TrainMethod::Full) contents.model_dir = model_dir_;
  else contents.adapter = &adapter_;
  contents.tensors = decoder_->tensors();
  contents.optimizer = &trainer.optimizer();
  contents.config = &config_;
  contents.data_sha256 = data_sha256_;

  ProgressLine progress(std::cerr, command_, ::isatty(2) != 0);
  while (!trainer.done()) {
    train::StepReport r;
    try {
      r = trainer.step();
    } catch (const Error& e) {
      progress.finish();
      throw Error(e.context(), e.problem() + (last_checkpoint.empty() ? "; no checkpoint had been saved yet"
                                                                      : "; the last good checkpoint is " +
                                                                            last_checkpoint));
    }
    progress.update(r.step, r.total_steps, r.tokens, r.seconds, fields(r));
    if (dump_path_) {
      dump.add_step(r.step, r.loss, r.grad_norm, decoder_->tensors());
      if (dump_extra) dump_extra(r, dump);
    }
    if (r.eval_loss) {
      progress.finish();
      std::cerr << command_ << ": step " << r.step << " eval loss " << *r.eval_loss << "\n";
    }
    if (config_.save_every > 0 && r.step % config_.save_every == 0) {
      contents.progress = trainer.progress_json();
      last_checkpoint = train::save_training_checkpoint(out_dir_, contents, last_checkpoint);
    }
  }
  progress.finish();
  if (dump_path_) {
    dump.set_gradients(decoder_->tensors(), trainer.unclipped_gradients());
    dump.write(*dump_path_);
  }
  save_result(trainer);
}

void TrainSession::save_result(train::Trainer& trainer) {
  if (config_.method == train::TrainMethod::Full) {
    const std::string built = train::save_folder_atomically(
        out_dir_, ".result",
        [&](const std::string& dir) { train::write_full_checkpoint(model_dir_, decoder_->tensors(), dir, std::nullopt); },
        "");
    move_files_into(built, out_dir_);
  } else {
    save_lora_adapter(adapter_, out_dir_);
  }
  Json state = trainer.progress_json();
  state["config"] = train::config_to_json(config_);
  state["data_sha256"] = data_sha256_;
  write_text_file_atomically(out_dir_ + "/" + train::kTrainerStateFile, state.dump(2) + "\n");
  const std::vector<double>& losses = trainer.progress().loss_history;
  std::cout << command_ << ": " << losses.size() << " steps, loss " << (losses.empty() ? 0.0 : losses.front()) << " -> "
            << (losses.empty() ? 0.0 : losses.back()) << "; "
            << (config_.method == train::TrainMethod::Full ? "checkpoint" : "adapter") << " written to " << out_dir_
            << "\n";
}

}  // namespace smolvlm::cli
