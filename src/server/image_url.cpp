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

// `kind` is "image" or "video": the media type's top level and the part's name.
std::vector<uint8_t> decode_data_url(std::string_view url, const std::string& kind, const std::string& param,
                                     size_t max_bytes) {
  if (!starts_with_ci(url, "data:"))
    throw ApiError::invalid(kind + "_url must be a data URL (data:" + kind + "/...;base64,...)", param,
                            "invalid_" + kind + "_url");
  const size_t comma = url.find(',');
  if (comma == std::string_view::npos)
    throw ApiError::invalid("data URL has no ',' before its data", param, "invalid_" + kind + "_url");
  const std::string_view header = url.substr(5, comma - 5);
  if (!starts_with_ci(header, kind + "/"))
    throw ApiError::invalid("data URL media type must be " + kind + "/*", param, "invalid_" + kind + "_url");
  if (header.size() < 7 || !starts_with_ci(header.substr(header.size() - 7), ";base64"))
    throw ApiError::invalid("data URL must be base64-encoded (';base64,')", param, "invalid_" + kind + "_url");
  const std::string_view data = url.substr(comma + 1);
  std::vector<uint8_t> bytes;
  if (!base64_decode(data, bytes)) throw ApiError::invalid("data URL holds invalid base64", param, "invalid_base64");
  if (bytes.empty()) throw ApiError::invalid("data URL holds no " + kind + " data", param, "invalid_" + kind + "_url");
  if (bytes.size() > max_bytes)
    throw ApiError::invalid("The " + kind + " is " + std::to_string(bytes.size()) +
                                " bytes; this server accepts at most " + std::to_string(max_bytes) + ".",
                            param, kind + "_too_large");
  return bytes;
}

}  // namespace

bool is_remote_url(std::string_view url) { return starts_with_ci(url, "http://") || starts_with_ci(url, "https://"); }

std::vector<uint8_t> decode_image_data_url(std::string_view url, const std::string& param) {
  if (is_remote_url(url))
    throw ApiError::invalid(
        "remote image URLs are disabled on this server (they would let clients make it fetch "
        "arbitrary addresses); send the image inline as a data URL "
        "(data:image/png;base64,...)",
        param, "image_url_not_allowed");
  return decode_data_url(url, "image", param, SIZE_MAX);
}

std::vector<uint8_t> decode_video_data_url(std::string_view url, const std::string& param, size_t max_bytes) {
  if (is_remote_url(url))
    throw ApiError::invalid(
        "remote video URLs are not fetched by this server; send the video inline as a data URL "
        "(data:video/mp4;base64,...)",
        param, "video_url_not_allowed");
  return decode_data_url(url, "video", param, max_bytes);
}

}  // namespace smolvlm::server
