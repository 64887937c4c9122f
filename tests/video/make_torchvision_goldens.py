#!/usr/bin/env python3
"""Goldens for the torchvision antialiased bicubic resize (tests/video/torchvision_resize_test.cpp).

transformers >= 4.52's SmolVLMVideoProcessor resizes uint8 frames with
torchvision.transforms.v2.functional.resize(..., BICUBIC, antialias=True), which
on CPU runs PyTorch's native uint8 `_upsample_bicubic2d_aa` (torch >= 2.1): int16
weights, one rounding per pass. The engine implements that path. This script
resizes the test's synthetic pattern (same formula as `pattern()` in the test)
to sizes that shrink, grow, and keep one axis.

- With torch >= 2.1 (the native uint8 path) it writes
  tests/video/data/torchvision_bicubic_goldens.json: the SHA-256 of each
  H x W x 3 uint8 result, compared exactly by the test.
- With an older torch (e.g. Debian 12's python3-torch 1.13 / python3-torchvision
  0.14), torchvision casts uint8 to float32, resizes in float and rounds once
  (the path GPUs and float inputs take). It then writes
  tests/video/data/torchvision_bicubic_float_goldens.json: every 61st byte of
  each result, which the test compares with a tolerance (the fixed-point path
  rounds after each pass).

Run by hand (CI never runs it), on x86-64:
    apt-get install python3-torchvision && /usr/bin/python3 tests/video/make_torchvision_goldens.py
or  python3 -m venv /tmp/tv && /tmp/tv/bin/pip install torch torchvision && /tmp/tv/bin/python ...
The exact test skips, saying so, while its JSON file is absent.
"""
import hashlib
import json
import os

import torch
import torchvision

try:  # what transformers' fast processors call
    from torchvision.transforms.v2 import functional as F
    from torchvision.transforms.v2 import InterpolationMode
except ImportError:
    from torchvision.transforms import functional as F
    from torchvision.transforms import InterpolationMode

CASES = [  # (w_in, h_in, w_out, h_out)
    (37, 23, 11, 23), (64, 48, 160, 48), (33, 29, 33, 7), (20, 9, 20, 31),
    (320, 180, 512, 288), (512, 288, 512, 512), (1280, 720, 512, 288), (160, 120, 512, 384),
    (31, 17, 13, 45), (7, 5, 3, 2),
]
SAMPLE_STEP = 61


def pattern(w, h):
    x = torch.arange(w).view(1, 1, w)
    y = torch.arange(h).view(1, h, 1)
    c = torch.arange(3).view(3, 1, 1)
    v = (x * 7 + y * 13 + c * 29 + (x * y) % 17 + ((x // 5 + y // 3) % 2) * 90) % 256
    return v.to(torch.uint8)


def native_uint8():
    major, minor = (int(p) for p in torch.__version__.split(".")[:2])
    return (major, minor) >= (2, 1)


def main():
    exact = native_uint8()
    out = {"torch": torch.__version__, "torchvision": torchvision.__version__,
           "path": "native uint8" if exact else "float32, one rounding", "cases": []}
    for w_in, h_in, w_out, h_out in CASES:
        frame = pattern(w_in, h_in).unsqueeze(0)  # [1, 3, H, W], as the processor's stacked frames
        got = F.resize(frame, [h_out, w_out], interpolation=InterpolationMode.BICUBIC, antialias=True)[0]
        hwc = got.permute(1, 2, 0).contiguous().numpy().tobytes()
        case = {"in": [w_in, h_in], "out": [w_out, h_out]}
        if exact:
            case["sha256"] = hashlib.sha256(hwc).hexdigest()
        else:
            case["every_61st_byte"] = list(hwc[::SAMPLE_STEP])
        out["cases"].append(case)
    name = "torchvision_bicubic_goldens.json" if exact else "torchvision_bicubic_float_goldens.json"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
