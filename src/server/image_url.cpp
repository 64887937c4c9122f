#include "server/image_url.h"

#include <cctype>
#include <string>

#include "core/base64.h"
#include "server/api_error.h"

namespace smolvlm::server {
namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

}  // namespace

std::vector<uint8_t> decode_image_data_url(std::string_view url, const std::string& param) {
  if (starts_with_ci(url, "http://") || starts_with_ci(url, "https://"))
    throw ApiError::invalid(
        "remote image URLs are disabled on this server (they would let clients make it fetch "
        "arbitrary addresses); send the image inline as a data URL "
        "(data:image/png;base64,...)",
        param, "image_url_not_allowed");
  if (!starts_with_ci(url, "data:"))
    throw ApiError::invalid("image_url must be a data URL (data:image/...;base64,...)", param, "invalid_image_url");
  const size_t comma = url.find(',');
  if (comma == std::string_view::npos)
    throw ApiError::invalid("data URL has no ',' before its data", param, "invalid_image_url");
  const std::string_view header = url.substr(5, comma - 5);
  if (!starts_with_ci(header, "image/"))
    throw ApiError::invalid("data URL media type must be image/*", param, "invalid_image_url");
  if (header.size() < 7 || !starts_with_ci(header.substr(header.size() - 7), ";base64"))
    throw ApiError::invalid("data URL must be base64-encoded (';base64,')", param, "invalid_image_url");
  std::vector<uint8_t> bytes;
  if (!base64_decode(url.substr(comma + 1), bytes))
    throw ApiError::invalid("data URL holds invalid base64", param, "invalid_base64");
  if (bytes.empty()) throw ApiError::invalid("data URL holds no image data", param, "invalid_image_url");
  return bytes;
}

}  // namespace smolvlm::server
