#include "server/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace smolvlm::server {
namespace {

// IPv4 ranges that are not public unicast (RFC 6890's special-purpose registry).
std::string ipv4_reason(uint32_t a) {  // host byte order
  const auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x7F000000, 8)) return "loopback";
  if (in(0x0A000000, 8) || in(0xAC100000, 12) || in(0xC0A80000, 16)) return "private";
  if (in(0xA9FE0000, 16)) return "link-local";
  if (in(0x64400000, 10)) return "shared (carrier-grade NAT)";
  if (in(0x00000000, 8)) return "unspecified (\"this network\")";
  if (in(0xE0000000, 4)) return "multicast";
  if (in(0xF0000000, 4)) return "reserved";  // includes 255.255.255.255
  if (in(0xC0000000, 24) || in(0xC0000200, 24) || in(0xC6336400, 24) || in(0xCB007100, 24) || in(0xC6120000, 15))
    return "reserved (protocol assignments, documentation or benchmarking)";
  return "";
}

std::string ipv6_reason(const std::array<uint8_t, 16>& b) {
  const auto prefix_zero = [&b](int bytes) {
    for (int i = 0; i < bytes; ++i)
      if (b[i] != 0) return false;
    return true;
  };
  const auto v4_at = [&b](int i) {
    return (uint32_t{b[i]} << 24) | (uint32_t{b[i + 1]} << 16) | (uint32_t{b[i + 2]} << 8) | b[i + 3];
  };
  if (prefix_zero(15) && b[15] == 1) return "loopback";
  if (prefix_zero(16)) return "unspecified";
  if (prefix_zero(10) && b[10] == 0xFF && b[11] == 0xFF) {  // ::ffff:a.b.c.d
    const std::string r = ipv4_reason(v4_at(12));
    return r.empty() ? "" : r + " (IPv4-mapped)";
  }
  if (prefix_zero(12)) return "IPv4-compatible (deprecated)";
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) {  // 64:ff9b::/96
    bool zero = true;
    for (int i = 4; i < 12; ++i) zero = zero && b[i] == 0;
    if (zero) {
      const std::string r = ipv4_reason(v4_at(12));
      return r.empty() ? "" : r + " (NAT64)";
    }
  }
  if (b[0] == 0x20 && b[1] == 0x02) {  // 2002:a.b.c.d::/48
    const std::string r = ipv4_reason(v4_at(2));
    return r.empty() ? "" : r + " (6to4)";
  }
  if ((b[0] & 0xFE) == 0xFC) return "private (unique local)";
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return "link-local";
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return "site-local (deprecated)";
  if (b[0] == 0xFF) return "multicast";
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return "reserved (documentation)";
  return "";
}

}  // namespace

std::string non_public_reason(const sockaddr& address) {
  if (address.sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, &address, sizeof v4);
    return ipv4_reason(ntohl(v4.sin_addr.s_addr));
  }
  if (address.sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, &address, sizeof v6);
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), v6.sin6_addr.s6_addr, 16);
    return ipv6_reason(bytes);
  }
  return "not an IP address";
}

std::string address_text(const sockaddr& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, &address, sizeof v4);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
  } else if (address.sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, &address, sizeof v6);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
  }
  return text;
}

}  // namespace smolvlm::server
