#include "core/thread_pool.h"

#include <chrono>
#include <cstdlib>
#include <memory>

namespace smolvlm {
namespace {

// Set on pool workers, and on a caller while it runs its own chunk: a
// parallel_for issued from there runs inline instead of waiting on itself.
thread_local bool t_inside_pool = false;

// A decode step issues hundreds of short parallel loops back to back; waking a
// sleeping thread costs tens of microseconds each time, so waiters spin this
// long before they sleep. Short enough not to steal a shared core for long.
constexpr auto kSpin = std::chrono::microseconds(100);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins, then sleeps, until `value` differs from `old`; returns the new value.
template <class T>
T wait_while_equal(const std::atomic<T>& value, T old) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0;; ++i) {
    const T now = value.load(std::memory_order_acquire);
    if (now != old) return now;
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) break;
    cpu_relax();
  }
  for (;;) {
    value.wait(old, std::memory_order_acquire);
    const T now = value.load(std::memory_order_acquire);
    if (now != old) return now;
  }
}

}  // namespace

ThreadPool::ThreadPool(int n_threads) {
  const int workers = n_threads > 1 ? n_threads - 1 : 0;
  workers_.reserve(workers);
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  epoch_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::run(int64_t n, void (*fn)(void*, int64_t, int64_t), void* ctx) {
  if (n <= 0) return;
  if (n == 1 || workers_.empty() || t_inside_pool || !busy_.try_lock()) {
    fn(ctx, 0, n);
    return;
  }
  std::lock_guard<std::mutex> lock(busy_, std::adopt_lock);
  job_ = Job{fn, ctx, n, static_cast<int>(n < size() ? n : size())};
  error_ = nullptr;
  pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  epoch_.fetch_add(1, std::memory_order_acq_rel);  // publishes job_ to the workers
  epoch_.notify_all();
  t_inside_pool = true;
  run_chunk(0);
  t_inside_pool = false;
  wait_for_workers();
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop(int index) {
  t_inside_pool = true;
  uint64_t seen = 0;
  for (;;) {
    seen = wait_while_equal(epoch_, seen);
    if (stop_.load(std::memory_order_acquire)) return;
    run_chunk(index + 1);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
  }
}

void ThreadPool::run_chunk(int chunk) {
  const Job& j = job_;
  if (chunk >= j.chunks) return;
  const int64_t begin = j.n * chunk / j.chunks, end = j.n * (chunk + 1) / j.chunks;
  try {
    j.fn(j.ctx, begin, end);
  } catch (...) {
    std::lock_guard<std::mutex> lock(error_mutex_);
    if (!error_) error_ = std::current_exception();
  }
}

void ThreadPool::wait_for_workers() {
  int left = pending_.load(std::memory_order_acquire);
  while (left != 0) left = wait_while_equal(pending_, left);
}

int default_thread_count() {
  if (const char* env = std::getenv("SMOLVLM_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && n > 0 && n <= 4096) return static_cast<int>(n);
  }
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

namespace {

std::mutex g_shared_mutex;
std::unique_ptr<ThreadPool> g_shared;

}  // namespace

ThreadPool& shared_pool() {
  std::lock_guard<std::mutex> lock(g_shared_mutex);
  if (!g_shared) g_shared = std::make_unique<ThreadPool>(default_thread_count());
  return *g_shared;
}

void set_shared_pool_threads(int n_threads) {
  std::lock_guard<std::mutex> lock(g_shared_mutex);
  g_shared = std::make_unique<ThreadPool>(n_threads);
}

}  // namespace smolvlm
