// An HttpServer on a free loopback port for the length of a test suite, with
// helpers to talk to it through cpp-httplib's client.
#pragma once

#include <httplib.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <thread>

#include "common/fixtures.h"
#include "core/json_file.h"
#include "server/http_server.h"

namespace smolvlm::testing {

inline server::ServerOptions fixture_server_options() {
  server::ServerOptions o;
  o.model_dir = fixtures_dir() + "/models/tiny-smolvlm-256m";
  o.port = 0;  // a free port, never a fixed one
  return o;
}

class RunningServer {
 public:
  explicit RunningServer(server::ServerOptions options)
      : server_(std::move(options)), port_(server_.bind()), thread_([this] { server_.serve(); }) {}
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }

  int port() const { return port_; }
  server::HttpServer& server() { return server_; }

  // A client with bounded timeouts, so no test can hang.
  std::unique_ptr<httplib::Client> client(int read_timeout_s = 60) const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port_);
    c->set_connection_timeout(5);
    c->set_read_timeout(read_timeout_s);
    c->set_write_timeout(10);
    return c;
  }

  httplib::Result post_json(const std::string& path, const std::string& body,
                            const httplib::Headers& headers = {}) const {
    return client()->Post(path, headers, body, "application/json");
  }

  // POSTs JSON and hands the response body to `receiver` as it arrives;
  // the receiver returning false hangs up.
  httplib::Result post_streaming(const std::string& path, const std::string& body,
                                 const std::function<bool(const char*, size_t)>& receiver) const {
    httplib::Request req;
    req.method = "POST";
    req.path = path;
    req.body = body;
    req.set_header("Content-Type", "application/json");
    req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) { return receiver(data, n); };
    return client()->send(req);
  }

  // A /metrics sample's value (-1 when absent).
  double metric(const std::string& name) const {
    const httplib::Result r = client()->Get("/metrics");
    if (!r) return -1;
    const std::string needle = "\n" + name + " ";
    const size_t at = r->body.find(needle);
    return at == std::string::npos ? -1 : std::stod(r->body.substr(at + needle.size()));
  }

 private:
  server::HttpServer server_;
  int port_;
  std::thread thread_;
};

inline std::string read_binary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string base64(const std::string& bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

inline std::string image_data_url(const std::string& fixture_image) {
  return "data:image/png;base64," + base64(read_binary(fixtures_dir() + "/images/" + fixture_image));
}

// {"messages": [{"role": "user", "content": [images..., text]}], extra...}
inline Json chat_body(const std::string& text, const std::vector<std::string>& image_urls = {},
                      Json extra = Json::object()) {
  Json content = Json::array();
  for (const std::string& url : image_urls) content.push_back({{"type", "image_url"}, {"image_url", {{"url", url}}}});
  content.push_back({{"type", "text"}, {"text", text}});
  Json body = {{"model", "tiny"}, {"messages", Json::array({{{"role", "user"}, {"content", content}}})}};
  for (auto& [k, v] : extra.items()) body[k] = v;
  return body;
}

}  // namespace smolvlm::testing
