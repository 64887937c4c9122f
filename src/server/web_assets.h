// The chat page's files (web/), embedded into the binary at build time by
// cmake/embed_files.cmake, so the page works offline and without a web root.
#pragma once

#include <span>
#include <string_view>

namespace smolvlm::server {

struct WebAsset {
  std::string_view path;          // URL path, e.g. "/index.html"
  std::string_view content_type;  // from the file extension
  std::string_view bytes;
};

// Defined in the generated web_assets_data.cpp.
std::span<const WebAsset> web_assets();

}  // namespace smolvlm::server
