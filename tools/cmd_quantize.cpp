// smolvlm quantize: a checkpoint folder whose weights are Q8_0 / Q4_0 blocks
// (io/quantized_tensors.h), which the engine maps directly, as it would the
// original (configs, tokenizer and templates are copied beside it).
#include <filesystem>
#include <iostream>

#include "cli_args.h"
#include "commands.h"
#include "core/error.h"
#include "io/model_config.h"
#include "io/quantized_tensors.h"
#include "model/weight_quantization.h"

namespace smolvlm::cli {
namespace {

namespace fs = std::filesystem;

// bf16 (or "stored"): keep the part as stored.
std::optional<DType> part_dtype(const std::string& flag, const std::string& value) {
  if (value == "q8_0") return DType::Q8_0;
  if (value == "q4_0") return DType::Q4_0;
  if (value == "q4_k") return DType::Q4_K;
  if (value == "bf16" || value == "stored") return std::nullopt;
  throw UsageError("quantize: --" + flag + " must be q8_0, q4_0, q4_k or bf16 (as stored), not \"" + value + "\"");
}

// Every file but the weights: configs, tokenizer, chat template, processor.
void copy_side_files(const fs::path& from, const fs::path& to) {
  for (const auto& entry : fs::directory_iterator(from)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || entry.path().extension() == ".safetensors" ||
        name == "model.safetensors.index.json")
      continue;
    fs::copy_file(entry.path(), to / name, fs::copy_options::overwrite_existing);
  }
}

}  // namespace

int quantize_main(int argc, char** argv) {
  ArgParser args("quantize", "--model DIR --out DIR --dtype q8_0|q4_0|q4_k [--vision T] [--connector T]",
                 "Writes DIR with the checkpoint's Linear weights as GGUF-layout blocks (Q8_0: int8 per\n"
                 "32 values + f16 scale; Q4_0: 4 bits; Q4_K: 4 bits in super-blocks of 256 with 6-bit\n"
                 "scales and mins, Q4_0 for rows that are not whole super-blocks), stored in\n"
                 "model.safetensors as U8 tensors marked in its metadata. Norms, biases and embeddings stay\n"
                 "as stored. `smolvlm run --model DIR` needs no --dtype for it (add --dtype bf16 for the\n"
                 "integer kernels).");
  args.option("model", "DIR", "Checkpoint folder to quantize")
      .option("out", "DIR", "Output folder (created; not the input)")
      .option("dtype", "T", "q8_0, q4_0 or q4_k: the text decoder, and the default of the other parts (q4_0 for q4_k)")
      .option("vision", "T", "Vision encoder: q8_0, q4_0, q4_k or bf16 (as stored)")
      .option("connector", "T", "Connector: q8_0, q4_0, q4_k or bf16 (as stored)");
  if (!args.parse(argc, argv, 2)) return 0;
  const std::string model = args.require("model"), out = args.require("out"), dtype = args.require("dtype");
  if (dtype != "q8_0" && dtype != "q4_0" && dtype != "q4_k")
    throw UsageError("quantize: --dtype must be q8_0, q4_0 or q4_k, not \"" + dtype + "\"");
  WeightDtypes dtypes = whole_model_dtypes(*part_dtype("dtype", dtype));  // as at load
  if (auto vision = args.get("vision")) dtypes.vision = part_dtype("vision", *vision);
  if (auto connector = args.get("connector")) dtypes.connector = part_dtype("connector", *connector);
  if (fs::exists(out) && fs::equivalent(model, out)) throw UsageError("quantize: --out must not be the --model folder");

  const ModelConfig config = load_model_config(model);
  const TensorStore store = TensorStore::open_dir(model);
  const std::vector<TensorToWrite> quantized = quantize_weights(store, config, dtypes);
  std::map<std::string, TensorView> replaced;
  for (const TensorToWrite& t : quantized)
    replaced[t.name] = TensorView{t.name, t.dtype, t.shape, t.bytes.data(), t.bytes.size()};
  std::vector<const TensorView*> views;
  for (const std::string& name : store.names()) {
    auto it = replaced.find(name);
    views.push_back(it != replaced.end() ? &it->second : &store.get(name));
  }
  fs::create_directories(out);
  copy_side_files(model, out);
  write_tensor_views((fs::path(out) / "model.safetensors").string(), views, {{"format", "pt"}});
  std::cout << "quantized " << quantized.size() << " weight matrices of " << model << " into " << out << "\n";
  return 0;
}

}  // namespace smolvlm::cli
