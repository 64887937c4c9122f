// Images in chat requests arrive as OpenAI image_url parts. Only data URLs
// ("data:image/png;base64,...") are read: fetching remote http(s) URLs would
// let any client make the server request internal addresses (SSRF), and
// file paths would expose the server's disk, so both are refused.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace smolvlm::server {

// The decoded bytes of a base64 data URL of an image media type. Throws
// ApiError 400 (param `param`) for remote or other URLs, non-image media
// types, a missing ";base64" and invalid base64 (ASCII whitespace is skipped,
// as MIME-wrapped base64 has line breaks; padding is optional).
std::vector<uint8_t> decode_image_data_url(std::string_view url, const std::string& param);

}  // namespace smolvlm::server
