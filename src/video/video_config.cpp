#include "video/video_config.h"

#include <filesystem>

#include "core/error.h"

namespace smolvlm {
namespace {

const Json* find_key(const Json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

int64_t positive_int(const Json& v, const std::string& where) {
  if (!v.is_number_integer() || v.get<int64_t>() < 1) throw Error(where, "must be a positive integer, got " + v.dump());
  return v.get<int64_t>();
}

}  // namespace

std::optional<VideoSamplingConfig> video_sampling_from_json(const Json& preprocessor, const std::string& where) {
  if (!preprocessor.is_object()) throw Error(where, "is not a JSON object");
  const Json* sampling = find_key(preprocessor, "video_sampling");
  if (sampling == nullptr) return std::nullopt;
  const std::string at = where + ".video_sampling";
  if (!sampling->is_object()) throw Error(at, "must be an object, got " + sampling->dump());
  VideoSamplingConfig c;
  if (const Json* fps = find_key(*sampling, "fps")) {
    if (!fps->is_number() || !(fps->get<double>() > 0)) throw Error(at + ".fps", "must be a positive number, got " + fps->dump());
    c.fps = fps->get<double>();
  }
  if (const Json* n = find_key(*sampling, "max_frames")) c.max_frames = positive_int(*n, at + ".max_frames");
  if (const Json* size = find_key(*sampling, "video_size")) {
    const Json* edge = size->is_object() ? find_key(*size, "longest_edge") : nullptr;
    if (edge == nullptr) throw Error(at + ".video_size", "must be {\"longest_edge\": N}, got " + size->dump());
    c.video_size = positive_int(*edge, at + ".video_size.longest_edge");
  } else if (const Json* tile = find_key(preprocessor, "max_image_size"); tile != nullptr && tile->is_object()) {
    // Without a video size, frames take the tile size (one unsplit tile each).
    if (const Json* edge = find_key(*tile, "longest_edge")) c.video_size = positive_int(*edge, where + ".max_image_size");
  }
  return c;
}

std::optional<VideoSamplingConfig> load_video_sampling_config(const std::string& model_dir) {
  const std::filesystem::path path = std::filesystem::path(model_dir) / "preprocessor_config.json";
  if (!std::filesystem::exists(path)) return std::nullopt;
  return video_sampling_from_json(read_json_file(path.string()), path.string());
}

}  // namespace smolvlm
