// Video benchmarks the way VLMEvalKit feeds SmolVLM2 (vlmeval/dataset/videomme.py
// VideoMME, e8e78f05f308): `nframe` frames taken at int(i * n / (nframe + 1)),
// i = 1..nframe (save_video_frames), each saved as a .jpg with Pillow's defaults
// and read back as an image; the dataset message is
//   [text SYS = ""] + frames + [text FRAMES_TMPL_NOSUB] +
//   [text "Question: " + question + "\n" + "\n".join(candidates) + "\nAnswer: "].
// Divergence: VLMEvalKit decodes with decord; we decode with the engine's
// FFmpeg reader (PyAV's RGB, video/video_reader.h), so frames may differ by
// decord's colour conversion.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/eval_prompts.h"
#include "eval/eval_row.h"
#include "smolvlm.h"

namespace smolvlm::eval {

// save_video_frames with nframe > 0: the frame indices of a video of `n_frames` frames.
std::vector<int64_t> vlmevalkit_frame_indices(int64_t n_frames, int64_t nframe);

// The frames of `video_path` at those indices, as VLMEvalKit's saved .jpg files
// (in memory). Throws Error naming the file.
std::vector<Content> vlmevalkit_video_frames(const std::string& video_path, int64_t nframe);

// SmolVLM v1's video setup (SPEC §10, the seed's CinePile number): `n` frames
// spread over the whole video by the engine's uniform sampler (VideoSampling::
// Uniform: numpy.unique(numpy.linspace(0, T - 1, n, dtype=int)), T the
// container's frame count, or the frames counted when it has none), decoded
// with the engine's reader and handed over losslessly (BMP), so each is an
// image for the image processor. Throws Error naming the file.
std::vector<Content> uniform_video_frames(const std::string& video_path, int64_t n);

// VideoMME.build_prompt (no subtitles) for a row with "question" and "candidates"
// (a Python list literal of "A. ..." lines) and `n_frames` frames.
DatasetMessage videomme_message(const EvalRow& row, size_t n_frames);

}  // namespace smolvlm::eval
