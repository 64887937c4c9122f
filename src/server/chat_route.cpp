#include "server/chat_route.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "core/error.h"
#include "engine/request_settings.h"
#include "server/api_error.h"
#include "server/openai_request.h"
#include "server/openai_response.h"
#include "server/remote_image.h"
#include "server/sse.h"

namespace smolvlm::server {
namespace {

using Clock = std::chrono::steady_clock;

// How often a waiting response checks that its client is still connected.
constexpr std::chrono::milliseconds kPollInterval{50};

std::string completion_id() {
  static std::atomic<uint64_t> counter{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return "chatcmpl-" + std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count()) + "-" +
         std::to_string(counter.fetch_add(1));
}

int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A prepare() failure is the request's fault: a bad image, a prompt too long, a
// conversation the chat template refuses.
ApiError prepare_error(const Error& e) {
  if (e.context().starts_with("image")) return ApiError::invalid(e.what(), "messages", "invalid_image");
  if (e.context() == "video") return ApiError::invalid(e.what(), "messages", "invalid_video");
  if (e.context() == "prompt" && e.problem().find("exceed") != std::string::npos)
    return ApiError::invalid(e.what(), "messages", "context_length_exceeded");
  return ApiError::invalid(e.what(), "messages");
}

// Holds one of the preparation places for the lifetime of the object.
class Permit {
 public:
  explicit Permit(std::counting_semaphore<>& s) : s_(s) { s_.acquire(); }
  ~Permit() { s_.release(); }
  Permit(const Permit&) = delete;
  Permit& operator=(const Permit&) = delete;

 private:
  std::counting_semaphore<>& s_;
};

// The state a response body is written from, shared by httplib's callbacks.
struct Reply {
  std::shared_ptr<SequenceChannel> channel;
  CompletionHeader header;
  bool stream = false;
  bool include_usage = false;
  bool started = false;  // the stream's role chunk was sent
  std::string text;      // non-streaming: the answer so far
  Clock::time_point received;
  Metrics* metrics = nullptr;

  // One wait for news; false aborts the connection (client gone or server failure).
  bool pump(httplib::DataSink& sink) {
    if (!sink.is_writable()) {
      channel->cancel();
      return false;
    }
    if (stream && !started) {
      started = true;
      if (!write(sink, sse_event(chunk_json(header, "assistant", "", std::nullopt, include_usage)))) return false;
    }
    SequenceChannel::Update update = channel->wait(kPollInterval);
    if (!update.text.empty()) {
      if (!stream) {
        text += update.text;
      } else if (!write(sink, sse_event(chunk_json(header, std::nullopt, update.text, std::nullopt, include_usage)))) {
        return false;
      }
    }
    if (!update.result) return true;
    const SequenceResult& r = *update.result;
    // Headers are sent: a server-side failure can only cut the connection,
    // which clients report (and retry) as a network error.
    if (!r.error.empty()) return false;
    const Usage usage{r.prompt_tokens, r.completion_tokens};
    metrics->count_completion(r.prompt_tokens, r.completion_tokens, r.queue_seconds, r.first_token_seconds,
                              std::chrono::duration<double>(Clock::now() - received).count());
    std::string body;
    if (stream) {
      body = sse_event(chunk_json(header, std::nullopt, std::nullopt, r.finish_reason, include_usage));
      if (include_usage) body += sse_event(usage_chunk_json(header, usage));
      body += kSseDone;
    } else {
      body = completion_json(header, text, r.finish_reason, usage).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    if (!write(sink, body)) return false;
    sink.done();
    return true;
  }

  bool write(httplib::DataSink& sink, const std::string& data) {
    if (sink.write(data.data(), data.size())) return true;
    channel->cancel();
    return false;
  }
};

}  // namespace

ChatRoute::ChatRoute(LoadedModel& model, Scheduler& scheduler, Metrics& metrics, const ServerOptions& options,
                     std::string model_id)
    : model_(model),
      scheduler_(scheduler),
      metrics_(metrics),
      options_(options),
      model_id_(std::move(model_id)),
      preparing_(std::max(1, options.prepare_threads)) {}

void ChatRoute::handle(const httplib::Request& req, httplib::Response& res) {
  try {
    respond(req, res);
  } catch (const ApiError& e) {
    res.status = e.status;
    if (e.status == 429 || e.status == 503) res.set_header("Retry-After", "1");
    res.set_content(error_json(e).dump(), "application/json");
  }
}

void ChatRoute::respond(const httplib::Request& req, httplib::Response& res) {
  const auto received = Clock::now();
  ChatRequest chat = parse_chat_request(req.body, options_.request_limits);
  std::optional<Scheduler::Slot> slot = scheduler_.try_reserve();
  if (!slot)
    throw ApiError(429, "rate_limit_error", "The server is busy (its queue is full); retry shortly.", "",
                   "rate_limit_exceeded");

  const int64_t max_positions = model_.config.text.max_position_embeddings;
  const int64_t max_prompt = options_.max_prompt_tokens > 0 ? options_.max_prompt_tokens : max_positions;
  // Text this long is more tokens than allowed whatever it says: refuse it
  // before spending time on tokenizing it.
  size_t text_bytes = 0;
  for (const Message& m : chat.conversation)
    for (const Content& c : m.content) text_bytes += c.text.size();
  if (text_bytes > static_cast<size_t>(max_prompt) * model_.prompts.tokenizer().max_token_bytes())
    throw ApiError::invalid("The messages hold " + std::to_string(text_bytes) + " bytes of text, more than " +
                                std::to_string(max_prompt) + " tokens can hold.",
                            "messages", "context_length_exceeded");

  const PromptPolicy policy{.literal_text = true,
                            .image_limits = {.max_pixels = options_.max_image_pixels},
                            .video_limits = options_.video_limits};
  // Remote images are fetched while the request holds its queue place (so
  // fetches are bounded in number) but before it takes a preparation permit,
  // so a slow remote server cannot hold up other requests' images.
  for (const RemoteImageRef& ref : chat.remote_images)
    chat.conversation[ref.message].content[ref.part].image_bytes =
        fetch_remote_image(ref.url, options_.remote_images, ref.param);
  Job job;
  try {
    Permit permit(preparing_);
    job.prompt = model_.prompts.prepare(chat.conversation, chat.options, policy);
  } catch (const Error& e) {
    throw prepare_error(e);
  }
  const auto n_prompt = static_cast<int64_t>(job.prompt.ids.size());
  if (n_prompt > max_prompt)
    throw ApiError::invalid("The prompt is " + std::to_string(n_prompt) +
                                " tokens (images included); this server accepts at most " + std::to_string(max_prompt) +
                                ".",
                            "messages", "context_length_exceeded");
  if (n_prompt >= max_positions || (chat.max_tokens_given && n_prompt + *chat.options.max_new_tokens > max_positions))
    throw ApiError::invalid("This model's maximum context length is " + std::to_string(max_positions) +
                                " tokens; the prompt (" + std::to_string(n_prompt) +
                                " tokens) and max_tokens do not fit.",
                            "max_tokens", "context_length_exceeded");
  try {
    job.request = settle_request(chat.options, model_.generation_config, n_prompt, max_positions);
  } catch (const Error& e) {
    throw ApiError::invalid(e.what(), "", "invalid_value");
  }
  // Without max_tokens the checkpoint's budget applies, within the server's cap.
  job.request.max_new_tokens = std::min(job.request.max_new_tokens, options_.request_limits.max_new_tokens);

  auto reply = std::make_shared<Reply>();
  reply->channel = scheduler_.submit(std::move(*slot), std::move(job));
  reply->header = {completion_id(), unix_seconds(), model_id_};
  reply->stream = chat.stream;
  reply->include_usage = chat.include_usage;
  reply->received = received;
  reply->metrics = &metrics_;
  if (chat.stream) res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      chat.stream ? "text/event-stream" : "application/json",
      [reply](size_t, httplib::DataSink& sink) { return reply->pump(sink); },
      [reply](bool success) {
        if (!success) reply->channel->cancel();
      });
}

}  // namespace smolvlm::server
