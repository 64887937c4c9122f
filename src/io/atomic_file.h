// Files written so that a reader sees either the old file or the whole new
// one, never a torn write: checkpoints, adapters and merged models (issue #8:
// "written atomically (temp file + rename)", "a full disk while saving: the
// previous checkpoint survives").
#pragma once

#include <functional>
#include <string>

namespace smolvlm {

// Calls write(temp_path) for a temp file beside `path`, syncs it to disk and
// renames it over `path`. If write throws, or the sync or rename fails, the
// temp file is removed, `path` is left as it was and Error is thrown.
void write_file_atomically(const std::string& path, const std::function<void(const std::string& temp_path)>& write);

// write_file_atomically for a whole text.
void write_text_file_atomically(const std::string& path, const std::string& text);

// fsync of a file or a folder (a folder's sync makes the renames in it
// durable); throws Error naming the path.
void sync_path(const std::string& path);

// A temp path beside `path` ("<path>.tmp-<pid>-<n>"), unique in this process.
std::string temp_path_beside(const std::string& path);

}  // namespace smolvlm
