#include "server/image_url.h"

#include <array>
#include <cctype>
#include <string>

#include "server/api_error.h"

namespace smolvlm::server {
namespace {

constexpr std::array<int8_t, 256> base64_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kAlphabet.size(); ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

}  // namespace

bool base64_decode(std::string_view text, std::vector<uint8_t>& out) {
  static constexpr std::array<int8_t, 256> kTable = base64_table();
  out.clear();
  out.reserve(text.size() / 4 * 3);
  uint32_t bits = 0;
  int n_bits = 0, padding = 0;
  size_t symbols = 0;
  for (char c : text) {
    if (is_space(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int8_t v = kTable[static_cast<uint8_t>(c)];
    if (v < 0 || padding > 0) return false;  // a bad character, or data after padding
    ++symbols;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    n_bits += 6;
    if (n_bits >= 8) {
      n_bits -= 8;
      out.push_back(static_cast<uint8_t>(bits >> n_bits));
      bits &= (1u << n_bits) - 1;
    }
  }
  if (symbols % 4 == 1 || padding > 2) return false;
  return padding == 0 || (symbols + padding) % 4 == 0;
}

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
