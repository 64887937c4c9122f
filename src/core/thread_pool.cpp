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
// sleeping thread costs tens of microseconds each time, so waiters spin a
// little, then yield (a busy machine runs other threads meanwhile), then sleep.
constexpr auto kSpin = std::chrono::microseconds(20);
constexpr auto kYield = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins, yields, then sleeps until `value` differs from `old`; returns the new value.
template <class T>
T wait_while_equal(const std::atomic<T>& value, T old) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0;; ++i) {
    const T now = value.load(std::memory_order_acquire);
    if (now != old) return now;
    if ((i & 15) == 15) {
      const auto waited = std::chrono::steady_clock::now() - start;
      if (waited > kYield) break;
      if (waited > kSpin) {
        std::this_thread::yield();
        continue;
      }
    }
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
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  epoch_.fetch_add(1, std::memory_order_acq_rel);
  epoch_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::run(int64_t n, void (*fn)(void*, int64_t, int64_t), void* ctx, int per_thread) {
  if (n <= 0) return;
  if (n == 1 || workers_.empty() || t_inside_pool || !busy_.try_lock()) {
    fn(ctx, 0, n);
    return;
  }
  std::lock_guard<std::mutex> busy(busy_, std::adopt_lock);
  const int64_t most = static_cast<int64_t>(size()) * (per_thread > 1 ? per_thread : 1);
  const Job job{fn, ctx, n, static_cast<int>(n < most ? n : most)};
  job_ = job;
  error_ = nullptr;
  next_.store(0, std::memory_order_relaxed);
  done_.store(0, std::memory_order_relaxed);
  const uint64_t epoch = ++job_epoch_;
  open_.store(epoch, std::memory_order_release);
  epoch_.store(epoch, std::memory_order_release);
  epoch_.notify_all();
  t_inside_pool = true;
  work(job);
  t_inside_pool = false;
  for (int done = done_.load(std::memory_order_acquire); done != job.chunks;)
    done = wait_while_equal(done_, done);
  open_.store(0, std::memory_order_seq_cst);  // late workers no longer join
  // Workers still inside work() found no chunk left and are about to leave it.
  while (active_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  if (error_) std::rethrow_exception(error_);
}

void ThreadPool::worker_loop() {
  t_inside_pool = true;
  uint64_t seen = 0;
  for (;;) {
    seen = wait_while_equal(epoch_, seen);
    if (stop_.load(std::memory_order_acquire)) return;
    active_.fetch_add(1, std::memory_order_seq_cst);
    if (open_.load(std::memory_order_seq_cst) != seen) {  // that job is over
      active_.fetch_sub(1, std::memory_order_release);
      continue;
    }
    const Job job = job_;
    work(job);
    active_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::work(const Job& job) {
  for (;;) {
    const int chunk = next_.fetch_add(1, std::memory_order_acq_rel);
    if (chunk >= job.chunks) return;
    const int64_t begin = job.n * chunk / job.chunks, end = job.n * (chunk + 1) / job.chunks;
    try {
      job.fn(job.ctx, begin, end);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex_);
      if (!error_) error_ = std::current_exception();
    }
    if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == job.chunks) done_.notify_one();
  }
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
