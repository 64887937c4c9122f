// Reading a Hugging Face tokenizer.json into plain parts, accepting only the
// features this engine implements and naming anything else in the error.
#pragma once

#include <string>
#include <vector>

#include "tokenizer/added_tokens.h"
#include "tokenizer/bpe.h"
#include "tokenizer/pretokenizer.h"

namespace smolvlm::tok {

struct TokenizerSpec {
  Vocab vocab;
  std::vector<MergeRule> merges;
  bool ignore_merges = false;
  std::vector<AddedToken> added_tokens;
  std::vector<PreTokenizerStep> pre_tokenizer;
};

// Throws Error (context = `path`) for a missing/malformed file or anything
// unsupported: other model types, normalizers, pre-tokenizers, decoders,
// post-processors, non-null unk_token, byte_fallback, dropout, truncation,
// padding, merges that name unknown tokens, inconsistent added-token ids.
TokenizerSpec read_tokenizer_json(const std::string& path);

}  // namespace smolvlm::tok
