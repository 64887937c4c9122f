// Remote http(s) image URLs, fetched only when the server was started with
// --allow-image-urls (off by default: a fetch on a client's behalf is a
// server-side request forgery risk). Every fetch is bounded:
// - addresses: the host is resolved once, every address it resolves to must
//   be public (address_policy.h) unless allow_private_addresses, and the
//   connection goes to the checked address (no second lookup that DNS
//   rebinding could answer differently); URLs with credentials are refused;
// - size: max_bytes, checked against Content-Length before the body and
//   while it arrives (decompressed);
// - time: a connect timeout, a timeout per read, and a deadline for the whole
//   fetch, redirects included (a slow trickle cannot hold a thread);
// - redirects: at most max_redirects, each new URL checked as the first;
// - content: 200 only, and the bytes must start like an image file (JPEG,
//   PNG, GIF, WebP, BMP); decoding proper happens with the request's images.
// https uses cpp-httplib's OpenSSL support with the system's CA certificates.
// Not bounded here: the DNS lookup, which takes the system resolver's own
// timeouts (resolv.conf).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace smolvlm::server {

struct RemoteImageLimits {
  bool allow_private_addresses = false;  // loopback, private, link-local... (tests, trusted networks)
  size_t max_bytes = size_t{16} << 20;
  int connect_timeout_ms = 5000;
  int read_timeout_ms = 10000;  // per read
  int total_timeout_ms = 20000;  // the whole fetch, redirects included
  int max_redirects = 3;
};

// The image bytes at `url`. Throws ApiError 400 naming `param`, with code
// image_url_not_allowed (scheme, credentials, a refused address),
// image_url_fetch_failed (DNS, connection, timeout, HTTP status, redirects),
// image_too_large or invalid_image (not an image file).
std::vector<uint8_t> fetch_remote_image(const std::string& url, const RemoteImageLimits& limits,
                                        const std::string& param);

}  // namespace smolvlm::server
