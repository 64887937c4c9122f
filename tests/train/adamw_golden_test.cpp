// One clipped AdamW step from the goldens' gradients must give the goldens'
// parameters (fixtures/training/README.md "Optimizer", "Tolerances"): the
// optimizer, the clip and the weight-decay groups checked against PyTorch
// without running a forward or backward pass.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>

#include "core/json_file.h"
#include "train/adamw.h"
#include "train/grad_clip.h"
#include "train/train_golden_util.h"
#include "train/weight_decay_groups.h"

namespace smolvlm::train {
namespace {

using testing::f32_tensor;
using testing::max_abs_diff;
using testing::training_dir;
using testing::update_rel_error;

constexpr double kLr = 1e-3;
const AdamWConfig kGoldenAdamW{0.9, 0.999, 1e-8, 0.01};

struct Tensors {
  std::vector<std::string> names;
  std::vector<std::vector<float>> before, grads, expected;
};

// adapter_init, the golden gradient and step1 for every LoRA tensor.
Tensors lora_case(const std::string& golden_dir) {
  const TensorStore init = TensorStore::open_file(training_dir() + "/lora-sft/adapter_init/adapter_model.safetensors");
  const TensorStore golden = TensorStore::open_file(golden_dir + "/golden.safetensors");
  Tensors t;
  for (const std::string& name : init.names()) {
    t.names.push_back(name);
    t.before.push_back(f32_tensor(init, name));
    t.grads.push_back(f32_tensor(golden, "grad." + name));
    t.expected.push_back(f32_tensor(golden, "step1." + name));
  }
  return t;
}

std::vector<ParamRef> refs_of(const std::vector<std::string>& names, std::vector<std::vector<float>>& values,
                              std::vector<std::vector<float>>& grads) {
  std::vector<ParamRef> refs;
  for (size_t i = 0; i < names.size(); ++i)
    refs.push_back(ParamRef{names[i], values[i], grads[i], is_weight_decayed(names[i])});
  return refs;
}

void check_lora_step1(const std::string& case_name) {
  const std::string dir = training_dir() + "/" + case_name;
  Tensors t = lora_case(dir);
  ASSERT_EQ(t.names.size(), 28u);
  std::vector<std::vector<float>> params = t.before;
  const std::vector<ParamRef> refs = refs_of(t.names, params, t.grads);

  const GradClipResult clip = clip_grad_norm(refs, 1.0);
  const double golden_norm = read_json_file(dir + "/golden.json")["grad_norm_total"].get<double>();
  EXPECT_NEAR(clip.total_norm, golden_norm, 1e-6 * golden_norm);
  EXPECT_LT(clip.coef, 1.0f);  // both cases clip (norms 1.455 and 2.34)

  AdamW adamw(kGoldenAdamW);
  adamw.step(refs, kLr);
  double worst_abs = 0, worst_rel = 0;
  for (size_t i = 0; i < t.names.size(); ++i) {
    worst_abs = std::max(worst_abs, max_abs_diff(params[i], t.expected[i]));
    worst_rel = std::max(worst_rel, update_rel_error(t.before[i], params[i], t.expected[i]));
    EXPECT_LE(max_abs_diff(params[i], t.expected[i]), 1e-6) << t.names[i];
    EXPECT_EQ(adamw.step_count(t.names[i]), 1);
  }
  std::printf("[%s] grad norm %.9g (golden %.9g), clip coef %.9g; step1 max |p - golden| %.3g, "
              "max update rel error %.3g\n",
              case_name.c_str(), clip.total_norm, golden_norm, clip.coef, worst_abs, worst_rel);
}

TEST(AdamWGolden, LoraSftStepOneMatchesTorch) { check_lora_step1("lora-sft"); }

TEST(AdamWGolden, LoraSftAssistantOnlyStepOneMatchesTorch) { check_lora_step1("lora-sft-assistant-only"); }

// full-sft holds the gradients of three tensors and of the embedding rows
// that have one; golden.json's per-tensor norms give the global norm.
TEST(AdamWGolden, FullSftClipCoefFromPerTensorNorms) {
  const Json golden = read_json_file(training_dir() + "/full-sft/golden.json");
  std::vector<std::vector<float>> grads;
  std::vector<std::vector<float>> values;
  std::vector<std::string> names;
  for (const auto& [name, norms] : golden["grad_norms"].items()) {
    names.push_back(name);
    grads.push_back({norms["l2"].get<float>()});  // a one-element tensor of norm l2
    values.push_back({0.0f});
  }
  std::vector<ParamRef> refs = refs_of(names, values, grads);
  const GradClipResult clip = clip_grad_norm(refs, 1.0);
  const double golden_total = golden["grad_norm_total_preclip"].get<double>();
  const double golden_coef = golden["clip_coef"].get<double>();
  EXPECT_NEAR(clip.total_norm, golden_total, 1e-6 * golden_total);
  EXPECT_NEAR(clip.coef, golden_coef, 1e-6 * golden_coef);
  std::printf("[full-sft] total %.9g (golden %.9g), coef %.9g (golden %.9g)\n", clip.total_norm, golden_total,
              clip.coef, golden_coef);
}

TEST(AdamWGolden, FullSftNoDecayGroupIsTheFourLayerNorms) {
  const Json golden = read_json_file(training_dir() + "/full-sft/golden.json");
  std::set<std::string> not_decayed;
  for (const auto& [name, norms] : golden["grad_norms"].items())
    if (!is_weight_decayed(name)) not_decayed.insert(name);
  const auto expected = golden["no_weight_decay_params"].get<std::set<std::string>>();
  EXPECT_EQ(not_decayed, expected);
  EXPECT_TRUE(is_weight_decayed("model.text_model.norm.weight"));
}

TEST(AdamWGolden, FullSftStepOneMatchesTorch) {
  const std::string dir = training_dir() + "/full-sft";
  const float coef = read_json_file(dir + "/golden.json")["clip_coef"].get<float>();
  const TensorStore base = TensorStore::open_dir(testing::tiny_model_dir());
  const TensorStore golden = TensorStore::open_file(dir + "/golden.safetensors");

  Tensors t;
  for (const std::string name : {"model.text_model.layers.0.self_attn.q_proj.weight",
                                 "model.text_model.layers.0.mlp.down_proj.weight", "model.text_model.norm.weight"}) {
    t.names.push_back(name);
    t.before.push_back(f32_tensor(base, name));
    t.grads.push_back(f32_tensor(golden, "grad." + name));
    t.expected.push_back(f32_tensor(golden, "step1." + name));
  }
  // The embedding's rows with a gradient, as one tensor (AdamW is elementwise).
  const std::string embed = "model.text_model.embed_tokens.weight";
  const TensorView& rows = golden.get("embed_rows");
  const auto* row_ids = reinterpret_cast<const int32_t*>(rows.data);
  const std::vector<float> table = f32_tensor(base, embed);
  const int64_t H = base.get(embed).dim(1);
  std::vector<float> embed_before;
  for (int64_t i = 0; i < rows.numel(); ++i)
    embed_before.insert(embed_before.end(), table.begin() + row_ids[i] * H, table.begin() + (row_ids[i] + 1) * H);
  t.names.push_back(embed);
  t.before.push_back(embed_before);
  t.grads.push_back(f32_tensor(golden, "grad." + embed + ".rows"));
  t.expected.push_back(f32_tensor(golden, "step1." + embed + ".rows"));

  std::vector<std::vector<float>> params = t.before;
  for (auto& g : t.grads)
    for (float& x : g) x *= coef;  // clipped with the golden coefficient (checked above)
  AdamW adamw(kGoldenAdamW);
  adamw.step(refs_of(t.names, params, t.grads), kLr);
  for (size_t i = 0; i < t.names.size(); ++i) {
    const double abs_err = max_abs_diff(params[i], t.expected[i]);
    EXPECT_LE(abs_err, 1e-6) << t.names[i];
    std::printf("[full-sft] %s: max |p - golden| %.3g, update rel error %.3g\n", t.names[i].c_str(), abs_err,
                update_rel_error(t.before[i], params[i], t.expected[i]));
  }
}

// README: rows of the embedding without a gradient are "exactly W * (1 - lr*wd)
// (f32 multiply)" after the step.
TEST(AdamWGolden, ZeroGradientOnlyDecays) {
  std::vector<std::vector<float>> values = {{0.123456f, -3.5f, 1e-3f}};
  std::vector<std::vector<float>> grads = {{0.0f, 0.0f, 0.0f}};
  const std::vector<float> before = values[0];
  AdamW adamw(kGoldenAdamW);
  adamw.step(refs_of({"w"}, values, grads), kLr);
  const float factor = static_cast<float>(1.0 - kLr * 0.01);
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(values[0][i], before[i] * factor);
}

}  // namespace
}  // namespace smolvlm::train
