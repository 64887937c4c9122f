// Which network addresses a remote image URL may lead the server to. Fetching
// a client's URL from inside the server's network would let any client reach
// services only the server can see (SSRF: cloud metadata at 169.254.169.254,
// admin ports on loopback, the private network), so by default only public
// unicast addresses pass. Addresses hidden inside IPv6 forms (IPv4-mapped
// ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4
// address they carry.
#pragma once

#include <string>

struct sockaddr;

namespace smolvlm::server {

// Why `address` is not public ("loopback", "private", "link-local", ...), or
// an empty string when it is a public unicast address. Unknown families are
// refused.
std::string non_public_reason(const sockaddr& address);

// The numeric text of an IPv4 or IPv6 address ("127.0.0.1", "::1").
std::string address_text(const sockaddr& address);

}  // namespace smolvlm::server
