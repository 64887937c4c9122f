#!/usr/bin/python3
"""Pillow oracle for the resample and image-processor tests (tests/vision/).

Run with Debian's python3-pil (Pillow 9.4, the version behind the fixtures);
no numpy, no transformers. Writes cases into a folder for the C++ tests:

  resize-cases DIR COUNT SEED     random images (modes RGB RGBA L P LA 1) and
                                   target sizes through Image.resize with every
                                   filter; DIR/manifest.json + raw samples
  processor-cases DIR COUNT SEED  random images and processor configs through
                                   SPEC §6.3-§6.6 written here with Pillow
                                   resizes (not transformers); DIR/manifest.json
                                   + input samples + expected uint8 tiles (HWC)
                                   + the per-channel uint8 -> float32 table of
                                   §6.2 steps 7-8
  decode PATH LOADING OUT         one image as the processor receives it
                                   (LOADING: load-image or pil-open); OUT.json
                                   + OUT.raw
  process PATH LOADING CFG OUT    that image through the SPEC pipeline above with
                                   the config in the JSON file CFG (keys as in
                                   processor-cases); OUT.tiles + OUT.json

Raw samples are interleaved, one byte per sample ("1" as 0/255; 16-bit grey
as native uint16), palettes as RGB triplets.
"""
import json
import math
import os
import random
import struct
import sys
from array import array

from PIL import Image, ImageOps

FILTERS = {
    "NEAREST": Image.Resampling.NEAREST,
    "LANCZOS": Image.Resampling.LANCZOS,
    "BILINEAR": Image.Resampling.BILINEAR,
    "BICUBIC": Image.Resampling.BICUBIC,
    "BOX": Image.Resampling.BOX,
    "HAMMING": Image.Resampling.HAMMING,
}
CHANNELS = {"1": 1, "L": 1, "P": 1, "LA": 2, "RGB": 3, "RGBA": 4, "CMYK": 4}


# ---------------------------------------------------------------- images ----

def random_samples(rng, n, style):
    if style == "noise":
        return bytes(rng.getrandbits(8) for _ in range(n))
    if style == "levels":  # few distinct values: flat areas and hard edges
        levels = [rng.getrandbits(8) for _ in range(rng.randint(1, 4))] + [0, 255]
        return bytes(rng.choice(levels) for _ in range(n))
    start, step = rng.getrandbits(8), rng.randint(1, 9)  # ramps
    return bytes((start + i * step) & 255 for i in range(n))


def random_image(rng, mode, w, h):
    style = rng.choice(["noise", "noise", "levels", "ramp"])
    if mode == "1":
        grey = random_samples(rng, w * h, style)
        return Image.frombytes("L", (w, h), bytes(255 if v >= 128 else 0 for v in grey)).convert(
            "1", dither=Image.Dither.NONE)
    if mode == "P":
        entries = rng.randint(1, 256)
        # Sometimes indices past the palette: Pillow shows those as the grey ramp.
        top = 256 if rng.random() < 0.2 else entries
        im = Image.frombytes("P", (w, h), bytes(rng.randrange(top) for _ in range(w * h)))
        im.putpalette(bytes(rng.getrandbits(8) for _ in range(3 * entries)))
        return im
    data = bytearray(random_samples(rng, w * h * CHANNELS[mode], style))
    if mode in ("RGBA", "LA"):
        alpha_style = rng.choice(["noise", "binary", "opaque", "mostly-opaque"])
        c = CHANNELS[mode]
        for i in range(c - 1, len(data), c):
            if alpha_style == "binary":
                data[i] = rng.choice((0, 255))
            elif alpha_style == "opaque":
                data[i] = 255
            elif alpha_style == "mostly-opaque":
                data[i] = rng.choice((255, 255, 255, 0, rng.getrandbits(8)))
    return Image.frombytes(mode, (w, h), bytes(data))


def raw_samples(im):
    if im.mode == "1":
        return im.tobytes("raw", "L")
    if im.mode in ("I", "I;16"):
        return array("H", (min(max(v, 0), 65535) for v in im.getdata())).tobytes()
    return im.tobytes()


def palette_of(im):
    return list(im.getpalette() or []) if im.mode == "P" else []


def describe(im):
    return {"mode": "I;16" if im.mode in ("I", "I;16") else im.mode, "width": im.width, "height": im.height,
            "palette": palette_of(im)}


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- resize ----

def random_size(rng):
    r = rng.random()
    if r < 0.15:
        return rng.randint(1, 8)
    if r < 0.6:
        return rng.randint(1, 64)
    return rng.randint(1, 320)


def random_target(rng, w, h):
    kind = rng.choice(["free", "free", "free", "width-only", "height-only", "same", "one-pixel", "multiple"])
    if kind == "width-only":
        return random_size(rng), h
    if kind == "height-only":
        return w, random_size(rng)
    if kind == "same":
        return w, h
    if kind == "one-pixel":
        return rng.choice([(1, random_size(rng)), (random_size(rng), 1), (1, 1)])
    if kind == "multiple":
        f = rng.choice([2, 3, 4, 0.5, 0.25, 1 / 3])
        return max(1, min(600, int(w * f))), max(1, min(600, int(h * f)))
    return random_size(rng), random_size(rng)


def resize_cases(out_dir, count, seed):
    rng = random.Random(seed)
    modes = ["RGB", "RGBA", "L", "P", "LA", "1"]
    cases = []
    for i in range(count):
        mode = modes[i % len(modes)] if i < 2 * len(modes) else rng.choice(modes)
        w, h = random_size(rng), random_size(rng)
        im = random_image(rng, mode, w, h)
        ow, oh = random_target(rng, w, h)
        write(os.path.join(out_dir, f"r{i}.in"), raw_samples(im))
        outputs = {}
        for name, code in FILTERS.items():
            outputs[name] = f"r{i}.{name}"
            write(os.path.join(out_dir, outputs[name]), raw_samples(im.resize((ow, oh), code)))
        cases.append(dict(describe(im), input=f"r{i}.in", out_width=ow, out_height=oh, outputs=outputs))
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(cases, f)


# ------------------------------------------------------------- processor ----
# SPEC §6.3-§6.6 written from the spec with Pillow resizes. The temporary image
# of every resize has the mode of transformers' numpy-to-PIL step: 1 channel ->
# "P" (NEAREST forced), 3 -> "RGB", 4 -> "RGBA". Where transformers 4.51.3 is
# defective the engine's documented choice is used instead (LA composited like
# RGBA; 16-bit grey converted to RGB as Pillow's convert does).

def longest_edge_size(w, h, longest):
    aspect = w / h
    if w >= h:
        w, h = longest, int(longest / aspect)
        if h % 2:
            h += 1
    else:
        h, w = longest, int(longest * aspect)
        if w % 2:
            w += 1
    w, h = max(w, 1), max(h, 1)
    aspect = w / h
    if w >= h and w > 4096:
        w, h = 4096, int(4096 / aspect)
    elif h > w and h > 4096:
        h, w = 4096, int(4096 * aspect)
    return max(w, 1), max(h, 1)


def vision_encoder_size(w, h, m):
    aspect = w / h
    if w >= h:
        w = math.ceil(w / m) * m
        h = math.ceil(int(w / aspect) / m) * m
    else:
        h = math.ceil(h / m) * m
        w = math.ceil(int(h * aspect) / m) * m
    return w, h


def working_image(im):
    """The PIL image behind transformers' numpy array, plus the saved palette."""
    if im.mode in ("L", "P", "1"):
        values = im.tobytes()
        if im.mode == "1":  # np.array gives bool; astype(uint8) gives 0/1 (fixture proc_bw1bit_* agrees)
            values = bytes(1 if v else 0 for v in im.tobytes("raw", "L"))
        return Image.frombytes("P", im.size, values), (im.getpalette() if im.mode == "P" else None)
    if im.mode == "CMYK":  # a 4-channel array goes back to PIL as "RGBA"
        return Image.frombytes("RGBA", im.size, im.tobytes()), None
    if im.mode == "LA":
        return im.convert("RGBA"), None
    if im.mode in ("I", "I;16"):
        return im.convert("RGB"), None
    return im, None


def convert_to_rgb(tile, palette):
    if tile.mode == "P":
        tile = Image.frombytes("L", tile.size, tile.tobytes()) if palette is None else tile.copy()
        if palette is not None:
            tile.putpalette(palette)
    rgba = tile.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def process(im, cfg):
    work, palette = working_image(im)
    resample = FILTERS[cfg["resample"]]
    m = cfg["tile_size"]
    if cfg["do_resize"]:
        work = work.resize(longest_edge_size(work.width, work.height, cfg["longest_edge"]), resample)
    tiles, rows, cols = [], 0, 0
    if cfg["do_image_splitting"]:
        work = work.resize(vision_encoder_size(work.width, work.height, m), resample)
        w, h = work.size
        if h > m or w > m:
            rows, cols = math.ceil(h / m), math.ceil(w / m)
            th, tw = math.ceil(h / rows), math.ceil(w / cols)
            for r in range(rows):
                for c in range(cols):
                    tiles.append(work.crop((c * tw, r * th, min((c + 1) * tw, w), min((r + 1) * th, h))))
            work = work.resize((m, m), Image.Resampling.LANCZOS)  # 4.51.3: global view always LANCZOS
        tiles.append(work)
    else:
        tiles.append(work.resize((m, m), resample))
    return [convert_to_rgb(t, palette) for t in tiles], rows, cols


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def float_table(cfg):
    """uint8 -> float32 per channel, §6.2 steps 7-8 (double rescale, float32 normalise)."""
    table = []
    for c in range(3):
        mean, std = f32(cfg["image_mean"][c]), f32(cfg["image_std"][c])
        row = []
        for u in range(256):
            v = f32(u * cfg["rescale_factor"]) if cfg["do_rescale"] else float(u)
            if cfg["do_normalize"]:
                v = f32(f32(v - mean) / std)  # exact: double holds float32 +,-,/ before rounding
            row.append(v)
        table.append(row)
    return table


def random_config(rng, i):
    if i % 25 == 0:  # the shipped configs, on small images (kept rare: 17 tiles of 512)
        longest, m = rng.choice([(2048, 512), (1536, 384)])
    else:
        m = rng.choice([8, 16, 24, 32, 48, 64, 96, 128])
        longest = rng.choice([m, 2 * m, 3 * m, 4 * m, rng.randint(max(1, m // 2), 4 * m)])
    std = [rng.choice([0.5, 0.229, 0.26862954, 1.0]) for _ in range(3)]
    mean = [rng.choice([0.5, 0.485, 0.48145466, 0.0]) for _ in range(3)]
    return {
        "longest_edge": longest, "tile_size": m,
        "do_resize": rng.random() < 0.9, "do_image_splitting": rng.random() < 0.75,
        "resample": rng.choice(["LANCZOS"] * 4 + ["BICUBIC", "BILINEAR", "NEAREST", "BOX", "HAMMING"]),
        "do_rescale": rng.random() < 0.9, "do_normalize": rng.random() < 0.9,
        "rescale_factor": rng.choice([1 / 255, 0.00392156862745098, 0.5]),
        "image_mean": mean, "image_std": std,
    }


def processor_cases(out_dir, count, seed):
    rng = random.Random(seed)
    modes = ["RGB", "RGBA", "L", "P", "LA", "1", "CMYK", "I;16"]
    cases = []
    for i in range(count):
        mode = modes[i % len(modes)] if i < 2 * len(modes) else rng.choice(modes)
        shape = rng.random()
        if shape < 0.15:  # 1-4 pixels wide: transformers misreads some of these (channels-first); we must not
            w, h = rng.randint(1, 4), rng.randint(1, 200)
        elif shape < 0.3:  # 1-4 pixels high
            w, h = rng.randint(1, 200), rng.randint(1, 4)
        else:
            w, h = random_size(rng), random_size(rng)
        if mode == "I;16":
            im = Image.frombytes("I;16", (w, h), bytes(rng.getrandbits(8) if j % 2 == 0 else rng.choice((0, 0, 1, 7))
                                                         for j in range(2 * w * h)))
        else:
            im = random_image(rng, mode, w, h)
        cfg = random_config(rng, i)
        tiles, rows, cols = process(im, cfg)
        write(os.path.join(out_dir, f"p{i}.in"), raw_samples(im))
        write(os.path.join(out_dir, f"p{i}.tiles"), b"".join(t.tobytes() for t in tiles))
        cases.append(dict(describe(im), input=f"p{i}.in", expected_tiles=f"p{i}.tiles", config=cfg,
                          rows=rows, cols=cols, tiles=len(tiles), float_table=float_table(cfg)))
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(cases, f)


# ---------------------------------------------------------------- decode ----

def open_as_processor_input(path, loading):
    im = Image.open(path)
    if loading == "load-image":  # transformers.image_utils.load_image
        im = ImageOps.exif_transpose(im).convert("RGB")
    elif loading != "pil-open":
        raise SystemExit(f"unknown loading {loading}")
    im.load()
    return im


def decode(path, loading, out):
    im = open_as_processor_input(path, loading)
    write(out + ".raw", raw_samples(im))
    with open(out + ".json", "w") as f:
        json.dump(describe(im), f)


def process_file(path, loading, config_json, out):
    with open(config_json) as f:
        cfg = json.load(f)
    tiles, rows, cols = process(open_as_processor_input(path, loading), cfg)
    write(out + ".tiles", b"".join(t.tobytes() for t in tiles))
    with open(out + ".json", "w") as f:
        json.dump({"rows": rows, "cols": cols, "tiles": len(tiles), "float_table": float_table(cfg)}, f)


def main(argv):
    if len(argv) == 5 and argv[1] in ("resize-cases", "processor-cases"):
        os.makedirs(argv[2], exist_ok=True)
        (resize_cases if argv[1] == "resize-cases" else processor_cases)(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 5 and argv[1] == "decode":
        decode(argv[2], argv[3], argv[4])
    elif len(argv) == 6 and argv[1] == "process":
        process_file(argv[2], argv[3], argv[4], argv[5])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
