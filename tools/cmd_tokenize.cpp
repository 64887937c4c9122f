// smolvlm tokenize: ids and decodes of a text, with only the tokenizer files needed.
#include <iostream>

#include "cli_args.h"
#include "commands.h"
#include "core/json_file.h"
#include "core/mapped_file.h"
#include "tokenizer/tokenizer.h"

namespace smolvlm::cli {

int tokenize_main(int argc, char** argv) {
  ArgParser args("tokenize", "--model DIR (--text TEXT | --file FILE) [--json]",
                 "Tokenizes text with the tokenizer.json of a checkpoint folder (no special tokens added,\n"
                 "as the SmolVLM tokenizers have no post-processor). DIR may hold only tokenizer files.");
  args.option("model", "DIR", "Folder with tokenizer.json")
      .option("text", "TEXT", "Text to tokenize")
      .option("file", "FILE", "Read the text from a file (bytes as they are)")
      .flag("json", R"(Print {"ids": [...], "decoded": ..., "decoded_skip_special": ...})");
  if (!args.parse(argc, argv, 2)) return 0;
  if (args.has("text") == args.has("file")) throw UsageError("tokenize: give exactly one of --text and --file");
  const std::string text = args.has("text") ? args.require("text") : read_text_file(args.require("file"));

  const Tokenizer tokenizer = Tokenizer::from_dir(args.require("model"));
  const std::vector<int32_t> ids = tokenizer.encode(text);
  if (args.has("json")) {
    const Json out = {{"ids", ids},
                      {"decoded", tokenizer.decode(ids, false)},
                      {"decoded_skip_special", tokenizer.decode(ids, true)}};
    std::cout << out.dump(-1, ' ', false, Json::error_handler_t::replace) << "\n";
    return 0;
  }
  for (int32_t id : ids) std::cout << id << "\t" << Json(tokenizer.id_to_token(id)).dump() << "\n";
  return 0;
}

}  // namespace smolvlm::cli
