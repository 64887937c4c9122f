#include "server/remote_image.h"

#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <optional>

#include "server/address_policy.h"
#include "server/api_error.h"

namespace smolvlm::server {
namespace {

using Clock = std::chrono::steady_clock;

struct ParsedUrl {
  bool https = false;
  std::string host;  // without brackets for IPv6 literals
  int port = 0;
  std::string target;  // path and query, "/" at least
};

[[noreturn]] void refuse(const std::string& message, const std::string& param) {
  throw ApiError::invalid(message, param, "image_url_not_allowed");
}

[[noreturn]] void fetch_failed(const std::string& url, const std::string& why, const std::string& param) {
  throw ApiError::invalid("Could not fetch the image at " + url + ": " + why + ".", param, "image_url_fetch_failed");
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

ParsedUrl parse_url(const std::string& url, const std::string& param) {
  ParsedUrl u;
  const size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : lower(url.substr(0, scheme_end));
  if (scheme != "http" && scheme != "https") refuse("Only http and https image URLs can be fetched.", param);
  u.https = scheme == "https";
  const size_t authority_start = scheme_end + 3;
  const size_t authority_end = url.find_first_of("/?#", authority_start);
  const std::string authority = url.substr(authority_start, authority_end - authority_start);
  if (authority.find('@') != std::string::npos) refuse("Image URLs with credentials are not fetched.", param);
  std::string port_text;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string::npos) refuse("The image URL's IPv6 host has no closing ']'.", param);
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') refuse("The image URL's host is malformed.", param);
      port_text = authority.substr(close + 2);
    }
  } else {
    const size_t colon = authority.find(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  u.host = lower(u.host);
  if (u.host.empty()) refuse("The image URL has no host.", param);
  for (char c : u.host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '_'))
      refuse("The image URL's host has characters a host name cannot have.", param);
  u.port = u.https ? 443 : 80;
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), ::isdigit))
      refuse("The image URL's port is not a number.", param);
    u.port = std::stoi(port_text);
    if (u.port < 1 || u.port > 65535) refuse("The image URL's port is out of range.", param);
  }
  std::string rest = authority_end == std::string::npos ? "" : url.substr(authority_end);
  rest = rest.substr(0, rest.find('#'));  // a fragment is never sent
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F)
      refuse("The image URL has spaces or control characters.", param);
  u.target = rest.empty() || rest[0] != '/' ? "/" + rest : rest;
  return u;
}

// The address to connect to: the first the host resolves to, after every one
// of them passed the policy (a host that also names an internal address is
// refused, whichever address a retry would pick).
std::string checked_address(const ParsedUrl& u, const RemoteImageLimits& limits, const std::string& url,
                            const std::string& param) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(u.host.c_str(), nullptr, &hints, &found); rc != 0 || found == nullptr)
    fetch_failed(url, "cannot resolve host '" + u.host + "' (" + gai_strerror(rc) + ")", param);
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> list(found, freeaddrinfo);
  std::string first;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const std::string reason = non_public_reason(*a->ai_addr);
    if (!reason.empty() && !limits.allow_private_addresses)
      refuse("The image URL's host '" + u.host + "' resolves to " + address_text(*a->ai_addr) + ", a " + reason +
                 " address; this server fetches images from public addresses only.",
             param);
    if (first.empty()) first = address_text(*a->ai_addr);
  }
  if (first.empty()) fetch_failed(url, "host '" + u.host + "' has no IP address", param);
  return first;
}

bool looks_like_image(const std::string& b) {
  const auto starts = [&b](std::string_view magic) { return b.compare(0, magic.size(), magic) == 0; };
  return starts("\xFF\xD8\xFF") || starts("\x89PNG\r\n\x1A\n") || starts("GIF87a") || starts("GIF89a") ||
         starts("BM") || (starts("RIFF") && b.size() >= 12 && b.compare(8, 4, "WEBP") == 0);
}

struct Response {
  int status = 0;
  std::string location;
  std::string body;
};

// One GET, no redirect followed.
Response get_once(const ParsedUrl& u, const std::string& address, const RemoteImageLimits& limits,
                  Clock::time_point deadline, const std::string& url, const std::string& param) {
  std::unique_ptr<httplib::ClientImpl> client;
  if (u.https)
    client = std::make_unique<httplib::SSLClient>(u.host, u.port);
  else
    client = std::make_unique<httplib::ClientImpl>(u.host, u.port);
  client->set_hostname_addr_map({{u.host, address}});  // connect to the address that was checked
  const auto ms = [](int64_t v) { return std::chrono::milliseconds(std::max<int64_t>(v, 1)); };
  const int64_t left_ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  client->set_connection_timeout(ms(std::min<int64_t>(limits.connect_timeout_ms, left_ms)));
  client->set_read_timeout(ms(std::min<int64_t>(limits.read_timeout_ms, left_ms)));
  client->set_write_timeout(ms(std::min<int64_t>(limits.read_timeout_ms, left_ms)));
  client->set_follow_location(false);
  client->set_keep_alive(false);

  Response out;
  std::string stopped;  // why the transfer was cut short
  const httplib::Headers headers = {{"Accept", "image/*"}, {"User-Agent", "smolvlm-server"}};
  const httplib::Result r = client->Get(
      u.target, headers,
      [&](const httplib::Response& res) {
        out.status = res.status;
        if (res.status >= 300 && res.status < 400) {
          out.location = res.get_header_value("Location");
          return false;
        }
        if (res.status != 200) return false;
        const std::string length = res.get_header_value("Content-Length");
        if (!length.empty() && length.size() < 20 && std::all_of(length.begin(), length.end(), ::isdigit) &&
            std::stoull(length) > limits.max_bytes) {
          stopped = "too large";
          return false;
        }
        return true;
      },
      [&](const char* data, size_t n) {
        if (out.body.size() + n > limits.max_bytes) {
          stopped = "too large";
          return false;
        }
        if (Clock::now() > deadline) {
          stopped = "timeout";
          return false;
        }
        out.body.append(data, n);
        return true;
      });
  if (stopped == "too large")
    throw ApiError::invalid("The image at " + url + " is larger than this server's limit of " +
                                std::to_string(limits.max_bytes) + " bytes.",
                            param, "image_too_large");
  if (stopped == "timeout")
    fetch_failed(url, "it took longer than " + std::to_string(limits.total_timeout_ms) + " ms", param);
  if (out.status != 0 && out.status != 200) return out;  // a redirect or an HTTP error: the caller decides
  if (!r) fetch_failed(url, "connection failed (" + httplib::to_string(r.error()) + ")", param);
  return out;
}

// Location may be absolute, scheme-relative or a path on the same host.
std::string resolve_location(const ParsedUrl& base, const std::string& location) {
  if (location.find("://") != std::string::npos) return location;
  const std::string scheme = base.https ? "https:" : "http:";
  if (location.starts_with("//")) return scheme + location;
  const std::string host = base.host.find(':') != std::string::npos ? "[" + base.host + "]" : base.host;
  const std::string origin = scheme + "//" + host + ":" + std::to_string(base.port);
  if (location.starts_with("/")) return origin + location;
  const std::string path = base.target.substr(0, base.target.find('?'));
  return origin + path.substr(0, path.rfind('/') + 1) + location;
}

}  // namespace

std::vector<uint8_t> fetch_remote_image(const std::string& url, const RemoteImageLimits& limits,
                                        const std::string& param) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(limits.total_timeout_ms);
  std::string current = url;
  for (int redirects = 0;; ++redirects) {
    const ParsedUrl u = parse_url(current, param);
    const std::string address = checked_address(u, limits, current, param);
    Response res = get_once(u, address, limits, deadline, current, param);
    if (res.status >= 300 && res.status < 400 && !res.location.empty()) {
      if (redirects == limits.max_redirects)
        fetch_failed(url, "more than " + std::to_string(limits.max_redirects) + " redirects", param);
      current = resolve_location(u, res.location);
      continue;
    }
    if (res.status != 200) fetch_failed(current, "the server answered HTTP " + std::to_string(res.status), param);
    if (!looks_like_image(res.body))
      throw ApiError::invalid("The content at " + current + " is not an image file (JPEG, PNG, GIF, WebP or BMP).",
                              param, "invalid_image");
    return {res.body.begin(), res.body.end()};
  }
}

}  // namespace smolvlm::server
