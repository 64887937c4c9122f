// The generation and image flags shared by `smolvlm run` and `smolvlm chat`.
#pragma once

#include "cli_args.h"
#include "smolvlm.h"

namespace smolvlm::cli {

void add_generation_flags(ArgParser& parser);
// --dtype and --threads: how the checkpoint runs. Sizes the shared thread pool
// (before any kernel runs) and returns the engine's load options.
void add_load_flags(ArgParser& parser);
LoadOptions load_options_from_flags(const ArgParser& args, const std::string& command);
// Throws UsageError (naming `command`) for contradictory or out-of-range values.
GenerationOptions generation_options_from_flags(const ArgParser& args, const std::string& command);

}  // namespace smolvlm::cli
