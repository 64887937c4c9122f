#include "vision/processor_config.h"

#include <filesystem>

#include "core/error.h"

namespace smolvlm {
namespace {

const Json* find_key(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

bool read_bool(const Json& obj, const char* key, bool fallback, const std::string& where) {
  const Json* v = find_key(obj, key);
  if (v == nullptr) return fallback;
  if (!v->is_boolean()) throw Error(where + "." + key, "must be true or false, got " + v->dump());
  return v->get<bool>();
}

// {"longest_edge": N}; the only size form the Idefics3 processor accepts.
int64_t read_longest_edge(const Json& obj, const char* key, int64_t fallback, const std::string& where) {
  const Json* v = find_key(obj, key);
  if (v == nullptr) return fallback;
  const std::string path = where + "." + key + ".longest_edge";
  const Json* edge = v->is_object() ? find_key(*v, "longest_edge") : nullptr;
  if (edge == nullptr) throw Error(path, "missing (size must be {\"longest_edge\": N})");
  if (!edge->is_number_integer() || edge->get<int64_t>() < 1) {
    throw Error(path, "must be a positive integer, got " + edge->dump());
  }
  return edge->get<int64_t>();
}

// A number or a list of three (numpy broadcasts a scalar over the channels).
std::array<float, 3> read_per_channel(const Json& obj, const char* key, std::array<float, 3> fallback,
                                      const std::string& where) {
  const Json* v = find_key(obj, key);
  if (v == nullptr) return fallback;
  if (v->is_number()) {
    const float x = static_cast<float>(v->get<double>());
    return {x, x, x};
  }
  if (!v->is_array() || v->size() != 3) {
    throw Error(where + "." + key, "must be a number or a list of 3, got " + v->dump());
  }
  std::array<float, 3> out{};
  for (size_t c = 0; c < 3; ++c) {
    if (!(*v)[c].is_number()) throw Error(where + "." + key, "must hold numbers, got " + v->dump());
    out[c] = static_cast<float>((*v)[c].get<double>());
  }
  return out;
}

}  // namespace

ImageProcessorConfig image_processor_config_from_json(const Json& j, const std::string& where) {
  if (!j.is_object()) throw Error(where, "is not a JSON object");
  ImageProcessorConfig c;
  c.longest_edge = read_longest_edge(j, "size", c.longest_edge, where);
  c.tile_size = read_longest_edge(j, "max_image_size", c.tile_size, where);
  if (c.longest_edge > kMaxLongestEdge) {
    throw Error(where + ".size.longest_edge", std::to_string(c.longest_edge) + " is above the processor's limit of " +
                                                  std::to_string(kMaxLongestEdge));
  }
  c.do_resize = read_bool(j, "do_resize", c.do_resize, where);
  c.do_image_splitting = read_bool(j, "do_image_splitting", c.do_image_splitting, where);
  c.do_rescale = read_bool(j, "do_rescale", c.do_rescale, where);
  c.do_normalize = read_bool(j, "do_normalize", c.do_normalize, where);
  if (const Json* v = find_key(j, "rescale_factor")) {
    if (!v->is_number()) throw Error(where + ".rescale_factor", "must be a number, got " + v->dump());
    c.rescale_factor = v->get<double>();
  }
  c.image_mean = read_per_channel(j, "image_mean", c.image_mean, where);
  c.image_std = read_per_channel(j, "image_std", c.image_std, where);
  for (float s : c.image_std) {
    if (s == 0.0f) throw Error(where + ".image_std", "must not be 0");
  }
  if (const Json* v = find_key(j, "resample")) {
    if (!v->is_number_integer()) throw Error(where + ".resample", "must be a Pillow resampling code, got " + v->dump());
    try {
      c.resample = resample_from_code(v->get<int64_t>());
    } catch (const Error& e) {
      throw Error(where + ".resample", e.problem());
    }
  }
  return c;
}

ImageProcessorConfig load_image_processor_config(const std::string& model_dir) {
  const std::filesystem::path dir(model_dir);
  const std::string pre = (dir / "preprocessor_config.json").string();
  ImageProcessorConfig c = image_processor_config_from_json(read_json_file(pre), pre);
  const std::filesystem::path proc = dir / "processor_config.json";
  if (std::filesystem::exists(proc)) {
    const Json j = read_json_file(proc.string());
    if (!j.is_object()) throw Error(proc.string(), "is not a JSON object");
    if (const Json* v = find_key(j, "image_seq_len")) {
      if (!v->is_number_integer() || v->get<int64_t>() < 1)
        throw Error(proc.string() + ".image_seq_len", "must be a positive integer, got " + v->dump());
      c.image_seq_len = v->get<int64_t>();
    }
  }
  return c;
}

ImageProcessorConfig with_overrides(ImageProcessorConfig config, const ImageProcessorOverrides& overrides) {
  if (overrides.do_image_splitting) config.do_image_splitting = *overrides.do_image_splitting;
  if (overrides.longest_edge) {
    const int64_t edge = *overrides.longest_edge;
    if (edge < 1 || edge > config.longest_edge) {
      throw Error("image processor", "longest edge " + std::to_string(edge) + " must be between 1 and the model's " +
                                         std::to_string(config.longest_edge));
    }
    config.longest_edge = edge;
  }
  return config;
}

}  // namespace smolvlm
