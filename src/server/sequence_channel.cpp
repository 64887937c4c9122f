#include "server/sequence_channel.h"

namespace smolvlm::server {

void SequenceChannel::push_text(std::string_view text) {
  {
    std::lock_guard lock(mutex_);
    text_ += text;
  }
  ready_.notify_one();
}

void SequenceChannel::finish(SequenceResult result) {
  {
    std::lock_guard lock(mutex_);
    result_ = std::move(result);
  }
  ready_.notify_one();
}

SequenceChannel::Update SequenceChannel::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [&] { return !text_.empty() || result_.has_value(); });
  Update update;
  update.text.swap(text_);
  if (result_) {
    update.result = std::move(result_);
    result_.reset();
  }
  return update;
}

}  // namespace smolvlm::server
