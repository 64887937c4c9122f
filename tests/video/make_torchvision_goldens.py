#!/usr/bin/env python3
"""Goldens for the torchvision antialiased bicubic resize (tests/video/torchvision_resize_test.cpp).

transformers >= 4.52's SmolVLMVideoProcessor resizes uint8 frames with
torchvision.transforms.v2.functional.resize(..., BICUBIC, antialias=True), which
on CPU runs PyTorch's native uint8 `_upsample_bicubic2d_aa` (torch >= 2.1). This
script resizes the test's synthetic pattern (same formula as `pattern()` in the
test) to sizes that shrink, grow, and keep one axis, and writes the SHA-256 of
each H x W x 3 uint8 result plus a few values to
tests/video/data/torchvision_bicubic_goldens.json.

Run by hand (CI never runs it), on an x86-64 CPU, with torch and torchvision:
    python3 -m venv /tmp/tv && /tmp/tv/bin/pip install torch torchvision
    /tmp/tv/bin/python tests/video/make_torchvision_goldens.py
The C++ test skips, saying so, while the JSON file is absent.
"""
import hashlib
import json
import os

import torch
from torchvision.transforms.v2 import InterpolationMode
from torchvision.transforms.v2 import functional as F

CASES = [  # (w_in, h_in, w_out, h_out)
    (37, 23, 11, 23), (64, 48, 160, 48), (33, 29, 33, 7), (20, 9, 20, 31),
    (320, 180, 512, 288), (512, 288, 512, 512), (1280, 720, 512, 288), (160, 120, 512, 384),
    (31, 17, 13, 45), (7, 5, 3, 2),
]


def pattern(w, h):
    t = torch.empty((3, h, w), dtype=torch.uint8)
    for y in range(h):
        for x in range(w):
            for c in range(3):
                t[c, y, x] = (x * 7 + y * 13 + c * 29 + (x * y) % 17 + ((x // 5 + y // 3) % 2) * 90) % 256
    return t


def main():
    out = {"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability(), "cases": []}
    for w_in, h_in, w_out, h_out in CASES:
        frame = pattern(w_in, h_in).unsqueeze(0)  # [1, 3, H, W], as the processor's stacked frames
        got = F.resize(frame, [h_out, w_out], interpolation=InterpolationMode.BICUBIC, antialias=True)[0]
        hwc = got.permute(1, 2, 0).contiguous().numpy().tobytes()
        out["cases"].append({"in": [w_in, h_in], "out": [w_out, h_out], "sha256": hashlib.sha256(hwc).hexdigest(),
                             "first_values": list(hwc[:12])})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "torchvision_bicubic_goldens.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
