// Images and videos in chat requests arrive as OpenAI image_url parts and
// vLLM's video_url parts. Data URLs ("data:image/png;base64,...",
// "data:video/mp4;base64,...") are decoded here. Remote http(s) image URLs
// are fetched only when the server allows them (remote_image.h): fetching
// would let any client make the server request internal addresses (SSRF).
// File paths would expose the server's disk and are always refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace smolvlm::server {

bool is_remote_url(std::string_view url);

// The decoded bytes of a base64 data URL of an image media type. Throws
// ApiError 400 (param `param`) for remote or other URLs, non-image media
// types, a missing ";base64" and invalid base64 (ASCII whitespace is skipped,
// as MIME-wrapped base64 has line breaks; padding is optional).
std::vector<uint8_t> decode_image_data_url(std::string_view url, const std::string& param);

// The same for a video/* data URL, refused with code video_too_large before
// decoding when it holds more than max_bytes.
std::vector<uint8_t> decode_video_data_url(std::string_view url, const std::string& param, size_t max_bytes);

}  // namespace smolvlm::server
