// smolvlm bench through the CLI: a checkpoint folder or a --like shape, the
// JSON object with every key and sane values, the table, bad flags. A
// benchmark's timings depend on the machine: only their consistency is checked.
#include <gtest/gtest.h>

#include "common/fixtures.h"
#include "core/json_file.h"

namespace smolvlm {
namespace {

using testing::CommandResult;
using testing::shell_quote;

CommandResult smolvlm(const std::string& args) { return testing::run_command(shell_quote(testing::cli_path()) + " " + args); }

std::string fixture_model(const std::string& name) { return testing::fixtures_dir() + "/models/" + name; }

JsonTable bench_json(const std::string& args) {
  const CommandResult r = smolvlm("bench " + args + " --reps 1 --json");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return JsonTable::parse(r.out);
}

// `bounded`: the bound and the fraction are numbers (they are null without the peak they need).
void expect_summary(const JsonTable& j, const std::string& key, bool bounded) {
  SCOPED_TRACE(key);
  ASSERT_TRUE(j.contains(key) && j[key].is_object()) << j.dump();
  const double median = j[key]["median"], min = j[key]["min"], max = j[key]["max"];
  EXPECT_GT(min, 0);
  EXPECT_LE(min, median);
  EXPECT_LE(median, max);
  if (!bounded) {
    EXPECT_TRUE(j["bound"][key].is_null() && j["fraction_of_bound"][key].is_null());
    return;
  }
  EXPECT_GT(j["bound"][key].get<double>(), 0);
  EXPECT_GT(j["fraction_of_bound"][key].get<double>(), 0);
}

void expect_positive_or_null(const JsonTable& j, const std::string& key) {
  ASSERT_TRUE(j.contains(key)) << key;
  if (!j[key].is_null()) {
    EXPECT_GT(j[key].get<double>(), 0) << key;
  }
}

TEST(CliBench, CheckpointFolderReportsEveryFigure) {
  const std::string model = fixture_model("tiny-smolvlm-256m");
  const JsonTable j = bench_json("--model " + shell_quote(model));
  EXPECT_EQ(j["model"], model);
  EXPECT_EQ(j["weights"], "file");
  EXPECT_EQ(j["dtype"], "bf16");
  EXPECT_EQ(j["compute"], "fast");
  EXPECT_EQ(j["weights_dtype"], "bf16");
  EXPECT_FALSE(j["isa"].get<std::string>().empty());
  EXPECT_GE(j["threads"].get<int>(), 1);
  EXPECT_EQ(j["reps"], 1);
  expect_positive_or_null(j, "bf16_peak_gflops");
  expect_positive_or_null(j, "int8_peak_gops");
  EXPECT_GT(j["bandwidth_gb_s"].get<double>(), 0);
  const bool has_bf16_peak = !j["bf16_peak_gflops"].is_null();
  for (const char* key : {"vision_ms_per_tile", "prefill_tok_s", "ttft_s"}) expect_summary(j, key, has_bf16_peak);
  expect_summary(j, "decode_tok_s", true);  // bandwidth-bound
  // The tiny model's own peak: the bandwidth probe's 1 GiB buffer must not count.
  EXPECT_GT(j["peak_rss_mb"].get<double>(), 1);
  EXPECT_LT(j["peak_rss_mb"].get<double>(), 1024);
  // A decode step reads at least lm_head (49280 x 64 BF16) and at most every weight plus the KV cache.
  EXPECT_GT(j["decode_bytes_per_token"].get<double>(), 49280.0 * 64 * 2);
  EXPECT_LT(j["decode_bytes_per_token"].get<double>(), 20e6);
  EXPECT_EQ(j["workload"]["prefill_tokens"], 512);
  EXPECT_EQ(j["workload"]["decode_tokens"], 128);
  EXPECT_EQ(j["workload"]["ttft_question_tokens"], 20);
  // The picture and the prefill are parts of the TTFT.
  const double images = j["ttft_split_s"]["images"], prefill = j["ttft_split_s"]["prefill"];
  EXPECT_GT(images, 0);
  EXPECT_GT(prefill, 0);
  EXPECT_LE(images + prefill, j["ttft_s"]["max"].get<double>());
}

// Where the peak RSS can be started over (Linux), each timed decode run has
// a bandwidth probe just before it, its 1 GiB buffer kept out of the peak.
TEST(CliBench, EachDecodeRunHasABandwidthProbeBeforeIt) {
  const CommandResult r = smolvlm("bench --model " + shell_quote(fixture_model("tiny-smolvlm-256m")) +
                                  " --reps 2 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const JsonTable j = JsonTable::parse(r.out);
  if (!j.contains("decode_next_to_probe")) GTEST_SKIP() << "this kernel cannot reset the peak RSS";
  const JsonTable& probes = j["decode_next_to_probe"];
  ASSERT_EQ(probes["bandwidth_gb_s"].size(), 2u);
  for (const auto& gb_s : probes["bandwidth_gb_s"]) {
    EXPECT_GT(gb_s.get<double>(), 0);
    // The run's bandwidth is the best of every probe.
    EXPECT_LE(gb_s.get<double>(), j["bandwidth_gb_s"].get<double>());
  }
  const double median = probes["fraction"]["median"], min = probes["fraction"]["min"], max = probes["fraction"]["max"];
  EXPECT_GT(min, 0);
  EXPECT_LE(min, median);
  EXPECT_LE(median, max);
  // Against the run's best bandwidth, no decode run is further from its bound than against its own probe.
  EXPECT_LE(j["fraction_of_bound"]["decode_tok_s"].get<double>(), max);
  EXPECT_LT(j["peak_rss_mb"].get<double>(), 1024);
}

TEST(CliBench, LikeShapeMakesRandomWeightsInMemory) {
  const JsonTable j = bench_json("--like tiny-smolvlm --threads 1 --warmup 0 --dtype f32");
  EXPECT_EQ(j["model"], "tiny-smolvlm");
  EXPECT_EQ(j["weights"], "random, in memory");
  EXPECT_EQ(j["threads"], 1);
  EXPECT_EQ(j["warmup"], 0);
  EXPECT_EQ(j["dtype"], "f32");
  EXPECT_EQ(j["compute"], "exact");
  EXPECT_EQ(j["kv_dtype"], "f32");  // the exact mode's default
  // 1536x1152 on 384-pixel tiles: 4 x 3 tiles and the global view, as the 2.2B model.
  EXPECT_EQ(j["workload"]["ttft_image_encodes"], 13);
  EXPECT_GT(j["ttft_s"]["median"].get<double>(), 0);
}

// The cache of the 512 + 128 positions timed: half the bytes in f16, and a
// decode step reads less.
TEST(CliBench, KvDtypeSizesTheCache) {
  const JsonTable f32 = bench_json("--like tiny-smolvlm --threads 1 --warmup 0 --kv-dtype f32");
  const JsonTable f16 = bench_json("--like tiny-smolvlm --threads 1 --warmup 0 --kv-dtype f16");
  EXPECT_EQ(f32["kv_dtype"], "f32");
  EXPECT_EQ(f16["kv_dtype"], "f16");
  EXPECT_GT(f32["kv_cache_bytes"].get<double>(), 0);
  EXPECT_EQ(f16["kv_cache_bytes"].get<double>() * 2, f32["kv_cache_bytes"].get<double>());
  EXPECT_LT(f16["decode_bytes_per_token"].get<double>(), f32["decode_bytes_per_token"].get<double>());
  EXPECT_NE(smolvlm("bench --like tiny-smolvlm --kv-dtype q8_0").exit_code, 0);
}

TEST(CliBench, QuantizedWeightsAreMadeAtLoad) {
  const JsonTable j = bench_json("--like tiny-smolvlm --threads 1 --warmup 0 --dtype q8_0");
  EXPECT_EQ(j["dtype"], "q8_0");
  EXPECT_EQ(j["weights_dtype"], "q8_0");
  EXPECT_EQ(j["compute"], "fast");
  EXPECT_GT(j["decode_tok_s"]["median"].get<double>(), 0);
  EXPECT_GT(j["peak_rss_mb"].get<double>(), 0);
}

// --video on a short synthetic 720p clip (the default is 60 s): the sampled
// frames' decode and encode rates and the TTFT of a question about the clip.
TEST(CliBench, VideoFiguresOnASyntheticClip) {
  const JsonTable j = bench_json("--like tiny-smolvlm2 --threads 1 --warmup 0 --video --video-seconds 3");
  const bool has_bf16_peak = !j["bf16_peak_gflops"].is_null();
  expect_summary(j, "video_decode_fps", false);
  expect_summary(j, "video_encode_fps", has_bf16_peak);
  expect_summary(j, "video_ttft_s", has_bf16_peak);
  EXPECT_EQ(j["workload"]["video_clip"], "1280x720, 90 frames at 30 fps (synthetic H.264)");
  EXPECT_EQ(j["workload"]["video_frames"], 3);  // SmolVLM2 sampling: round(1 fps x 3 s)
  EXPECT_EQ(j["workload"]["video_tiles_per_frame"], 1);
  const double frames = j["video_ttft_split_s"]["frames"], prefill = j["video_ttft_split_s"]["prefill"];
  EXPECT_GT(frames, 0);
  EXPECT_GT(prefill, 0);
  EXPECT_LE(frames + prefill, j["video_ttft_s"]["max"].get<double>());
  // Without --video the report has no video figures.
  EXPECT_FALSE(bench_json("--like tiny-smolvlm2 --threads 1 --warmup 0").contains("video_ttft_s"));
}

TEST(CliBench, VideoFlagsAreChecked) {
  const std::string clip = testing::fixtures_dir() + "/videos/clip_h264_320x180_10fps_4s.mp4";
  EXPECT_EQ(smolvlm("bench --like tiny-smolvlm2 --video-clip " + shell_quote(clip) + " --video-seconds 5").exit_code, 2);
  EXPECT_EQ(smolvlm("bench --like tiny-smolvlm2 --video --video-seconds 1").exit_code, 2);
  const CommandResult missing = smolvlm("bench --like tiny-smolvlm2 --reps 1 --warmup 0 --video-clip /nonexistent.mp4");
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("/nonexistent.mp4"), std::string::npos) << missing.err;
}

TEST(CliBench, PrintsATableByDefault) {
  const CommandResult r = smolvlm("bench --like tiny-smolvlm-256m --reps 1 --warmup 0");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* row : {"read bandwidth", "vision encode (ms/tile)", "prefill 512 tokens (tok/s)",
                          "decode 128 tokens (tok/s)", "TTFT 1536x1152", "peak RSS", "of bound"})
    EXPECT_NE(r.out.find(row), std::string::npos) << row << "\n" << r.out;
}

TEST(CliBench, BadFlagsExitWithUsage) {
  const std::string model = shell_quote(fixture_model("tiny-smolvlm-256m"));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "exactly one of --model and --like"},
      {"--model " + model + " --like tiny-smolvlm", "exactly one of --model and --like"},
      {"--like SmolVLM-9B", "not a known shape"},
      {"--like tiny-smolvlm --reps 0", "--reps must be at least 1"},
      {"--like tiny-smolvlm --warmup -1", "--warmup must be at least 0"},
      {"--like tiny-smolvlm --threads 0", "--threads must be at least 1"},
      {"--like tiny-smolvlm --reps many", "expects an integer"},
      {"--like tiny-smolvlm --dtype q5_1", "--dtype must be bf16, f32, q8_0, q4_0 or q4_k"},
      {"--model " + model + " --seed 3", "--seed goes with --like"},
      {"--like tiny-smolvlm --fast", "unknown option --fast"},
  };
  for (const auto& [args, message] : cases) {
    SCOPED_TRACE(args);
    const CommandResult r = smolvlm("bench " + args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(CliBench, MissingCheckpointIsAnError) {
  const CommandResult r = smolvlm("bench --model /nonexistent/model --reps 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("smolvlm: error: /nonexistent/model: is not a checkpoint folder"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace smolvlm
