// Remote image URLs (--allow-image-urls): the address policy, and fetches
// from a local origin server that serves an image, a redirect chain, a body
// over the size limit (with and without Content-Length), a body that trickles
// past the deadline, and a non-image. Loopback is only reachable with the
// private-address override; without it the same URL is refused.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <chrono>
#include <thread>

#include "running_server.h"
#include "server/address_policy.h"

namespace smolvlm::testing {
namespace {

using namespace std::chrono_literals;

std::string reason(const std::string& ip) {
  sockaddr_storage storage{};
  if (ip.find(':') != std::string::npos) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    EXPECT_EQ(inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr), 1) << ip;
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    EXPECT_EQ(inet_pton(AF_INET, ip.c_str(), &v4->sin_addr), 1) << ip;
  }
  return server::non_public_reason(*reinterpret_cast<const sockaddr*>(&storage));
}

TEST(AddressPolicy, OnlyPublicUnicastPasses) {
  for (const char* ip : {"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "2001:4860:4860::8888",
                         "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"})
    EXPECT_EQ(reason(ip), "") << ip;
  EXPECT_EQ(reason("127.0.0.1"), "loopback");
  EXPECT_EQ(reason("127.255.0.9"), "loopback");
  EXPECT_EQ(reason("::1"), "loopback");
  for (const char* ip : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1"})
    EXPECT_EQ(reason(ip), "private") << ip;
  EXPECT_EQ(reason("169.254.169.254"), "link-local");  // cloud metadata
  EXPECT_EQ(reason("fe80::1"), "link-local");
  EXPECT_EQ(reason("fd00::1"), "private (unique local)");
  EXPECT_EQ(reason("::ffff:127.0.0.1"), "loopback (IPv4-mapped)");
  EXPECT_EQ(reason("::ffff:169.254.169.254"), "link-local (IPv4-mapped)");
  EXPECT_EQ(reason("64:ff9b::a00:1"), "private (NAT64)");
  EXPECT_EQ(reason("2002:7f00:1::"), "loopback (6to4)");
  for (const char* ip : {"0.0.0.0", "::", "100.64.0.1", "224.0.0.1", "255.255.255.255", "ff02::1", "192.0.2.1"})
    EXPECT_NE(reason(ip), "") << ip;
}

// The origin: what remote images come from, on a free loopback port.
class Origin {
 public:
  static constexpr size_t kLimitBytes = 200'000;

  Origin() {
    const std::string photo = read_binary(fixtures_dir() + "/images/photo_320x240.jpg");
    server_.Get("/photo.jpg", [photo](const httplib::Request&, httplib::Response& res) {
      res.set_content(photo, "image/jpeg");
    });
    server_.Get("/hop1", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/hop2"); });
    server_.Get("/hop2", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("photo.jpg", 301); });
    server_.Get("/loop", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/loop"); });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(kLimitBytes + 1, 'x'), "image/jpeg");
    });
    server_.Get("/big-chunked", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("image/jpeg", [](size_t, httplib::DataSink& sink) {
        const std::string block(64 * 1024, 'x');
        for (size_t sent = 0; sent <= kLimitBytes; sent += block.size())
          if (!sink.write(block.data(), block.size())) return false;
        sink.done();
        return true;
      });
    });
    server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("image/jpeg", [](size_t offset, httplib::DataSink& sink) {
        if (offset > 100) return false;  // a bound for the test, far past the fetch deadline
        std::this_thread::sleep_for(100ms);
        return sink.write("\xFF", 1);
      });
    });
    server_.Get("/text", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("<html>not an image</html>", "image/png");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Origin() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

class RemoteImages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    origin_ = new Origin();
    server::ServerOptions o = fixture_server_options();
    o.request_limits.allow_image_urls = true;
    o.remote_images.max_bytes = Origin::kLimitBytes;
    o.remote_images.total_timeout_ms = 1500;
    o.remote_images.read_timeout_ms = 1000;
    o.remote_images.max_redirects = 2;
    server::ServerOptions trusting = o;
    trusting.remote_images.allow_private_addresses = true;
    trusting_ = new RunningServer(trusting);
    public_only_ = new RunningServer(o);
  }
  static void TearDownTestSuite() {
    delete trusting_;
    delete public_only_;
    delete origin_;
  }

  static httplib::Result ask(const RunningServer& server, const std::string& image_url) {
    return server.post_json("/v1/chat/completions",
                            chat_body("What is in the picture?", {image_url}, {{"max_tokens", 8}, {"temperature", 0}})
                                .dump());
  }
  static Json expect_error(const RunningServer& server, const std::string& image_url, const std::string& code) {
    const httplib::Result r = ask(server, image_url);
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 400) << r->body;
    const Json j = Json::parse(r->body, nullptr, false);
    EXPECT_EQ(j["error"]["code"], code) << image_url << ": " << r->body;
    return j["error"];
  }

  static Origin* origin_;
  static RunningServer* trusting_;     // --allow-image-urls --allow-private-image-urls
  static RunningServer* public_only_;  // --allow-image-urls
};
Origin* RemoteImages::origin_ = nullptr;
RunningServer* RemoteImages::trusting_ = nullptr;
RunningServer* RemoteImages::public_only_ = nullptr;

TEST_F(RemoteImages, FetchedImageAnswersAsItsDataUrl) {
  const httplib::Result inline_image = ask(*trusting_, image_data_url("photo_320x240.jpg"));
  const httplib::Result fetched = ask(*trusting_, origin_->url("/photo.jpg"));
  const httplib::Result redirected = ask(*trusting_, origin_->url("/hop1"));
  ASSERT_TRUE(inline_image && fetched && redirected);
  ASSERT_EQ(fetched->status, 200) << fetched->body;
  ASSERT_EQ(redirected->status, 200) << redirected->body;
  const Json expected = Json::parse(inline_image->body)["choices"][0]["message"];
  EXPECT_EQ(Json::parse(fetched->body)["choices"][0]["message"], expected);
  EXPECT_EQ(Json::parse(redirected->body)["choices"][0]["message"], expected);
}

TEST_F(RemoteImages, LoopbackIsRefusedWithoutThePrivateOverride) {
  const Json e = expect_error(*public_only_, origin_->url("/photo.jpg"), "image_url_not_allowed");
  EXPECT_NE(e["message"].get<std::string>().find("loopback"), std::string::npos) << e;
  expect_error(*public_only_, "http://localhost:1/photo.jpg", "image_url_not_allowed");
  expect_error(*public_only_, "http://[::1]:1/photo.jpg", "image_url_not_allowed");
  expect_error(*public_only_, "http://169.254.169.254/latest/meta-data", "image_url_not_allowed");
  expect_error(*public_only_, "http://user:pass@example.com/a.png", "image_url_not_allowed");
}

TEST_F(RemoteImages, OversizedSlowAndNonImageBodiesAreRefused) {
  expect_error(*trusting_, origin_->url("/big"), "image_too_large");
  expect_error(*trusting_, origin_->url("/big-chunked"), "image_too_large");
  const auto start = std::chrono::steady_clock::now();
  expect_error(*trusting_, origin_->url("/slow"), "image_url_fetch_failed");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);  // the 1.5 s deadline, not the 10 s body
  expect_error(*trusting_, origin_->url("/text"), "invalid_image");
  expect_error(*trusting_, origin_->url("/missing"), "image_url_fetch_failed");
  const Json loop = expect_error(*trusting_, origin_->url("/loop"), "image_url_fetch_failed");
  EXPECT_NE(loop["message"].get<std::string>().find("redirects"), std::string::npos) << loop;
  // A closed port: connection refused, answered as a fetch failure.
  expect_error(*trusting_, "http://127.0.0.1:1/photo.jpg", "image_url_fetch_failed");
}

}  // namespace
}  // namespace smolvlm::testing
