#!/usr/bin/python3
"""Pillow 9.4 (Debian 12 python3-pil) as the oracle for image decoding.

    pil_oracle.py prepare OUT_DIR FIXTURE_IMAGES_DIR

writes test images into OUT_DIR/gen (made with PIL, or byte by byte where PIL
cannot write the variant), damaged and unsupported files into OUT_DIR/bad,
files where Pillow 9.4 is wrong (with repaired twins) into OUT_DIR/divergent,
and OUT_DIR/manifest.json: for every file (the fixture images included) what
PIL gives:
  Image.open(p) + load(): mode, size, palette, samples ("raw"),
  exif_transpose(Image.open(p)).convert("RGB")          ("rgb", load_image),
  Image.open(p).convert("RGBA") and .convert("L")        ("rgba", "l"),
or the error PIL raises. Sample files are raw bytes; mode "1" is stored one
byte per pixel (0/255) and mode "I" as native uint16, as smolvlm's Image
holds them.
"""
import array
import io
import json
import os
import random
import struct
import sys
import warnings
import zlib

from PIL import Image, ImageOps, PngImagePlugin

warnings.simplefilter("ignore")
RNG = random.Random(20240607)


# ---------------------------------------------------------------- pictures

def picture(w, h, mode="RGB"):
    """Gradients plus noise: smooth areas and edges for the lossy codecs."""
    noise = Image.frombytes("L", (w, h), RNG.randbytes(w * h))
    chans = [
        Image.blend(Image.linear_gradient("L").resize((w, h)), noise, 0.3),
        Image.blend(Image.radial_gradient("L").resize((w, h)), noise, 0.2),
        Image.linear_gradient("L").rotate(90).resize((w, h)),
        Image.frombytes("L", (w, h), RNG.randbytes(w * h)),
    ]
    if mode in ("L", "1", "P", "I;16"):
        im = chans[0]
        if mode == "1":
            return im.convert("1")
        if mode == "P":
            return Image.merge("RGB", chans[:3]).quantize(RNG.choice([2, 16, 200, 256]))
        if mode == "I;16":
            return Image.frombytes("I;16", (w, h), RNG.randbytes(2 * w * h))
        return im
    if mode == "LA":
        return Image.merge("LA", [chans[0], chans[3]])
    if mode == "RGBA":
        return Image.merge("RGBA", chans)
    if mode == "CMYK":
        return Image.merge("CMYK", chans)
    return Image.merge("RGB", chans[:3])


def rand_size(lo=1, hi=300):
    return RNG.randint(lo, hi), RNG.randint(lo, hi)


# ---------------------------------------------------------------- PNG by hand

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pack_row(pixels, depth):
    """pixels: list of sample tuples -> bytes at `depth` bits per sample."""
    samples = [s for p in pixels for s in p]
    if depth >= 8:
        fmt = ">" + ("B" if depth == 8 else "H") * len(samples)
        return struct.pack(fmt, *samples)
    out, acc, nbits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << depth) | s
        nbits += depth
        if nbits == 8:
            out.append(acc)
            acc, nbits = 0, 0
    if nbits:
        out.append(acc << (8 - nbits))
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def png_file(w, h, depth, ctype, rows, interlace=False, plte=None, trns=None, before=(), after=(), idat_parts=1):
    """rows: h lists of w sample tuples. Filter 0 everywhere."""
    raw = bytearray()
    if interlace:
        for xs, ys, dx, dy in ADAM7:
            sub = [rows[y][xs::dx] for y in range(ys, h, dy)]
            if not sub or not sub[0]:
                continue
            for r in sub:
                raw += b"\0" + pack_row(r, depth)
    else:
        for r in rows:
            raw += b"\0" + pack_row(r, depth)
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 1 if interlace else 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    for c in before:
        out += c
    if plte is not None:
        out += chunk(b"PLTE", plte)
    if trns is not None:
        out += chunk(b"tRNS", trns)
    data = zlib.compress(bytes(raw), 9)
    step = -(-len(data) // idat_parts)
    for i in range(0, len(data), step):
        out += chunk(b"IDAT", data[i:i + step])
    for c in after:
        out += c
    return out + chunk(b"IEND", b"")


def random_rows(w, h, channels, maxval):
    return [[tuple(RNG.randint(0, maxval) for _ in range(channels)) for _ in range(w)] for _ in range(h)]


# ---------------------------------------------------------------- GIF by hand

def lzw_literal(indices, min_code, codes=None):
    """LZW stream of literals only, with a clear code often enough that the
    code size never grows: valid for every decoder. `codes` replaces the
    stream with given codes (same code size)."""
    clear, end = 1 << min_code, (1 << min_code) + 1
    size = min_code + 1
    per_clear = max(1, (1 << min_code) - 3)
    if codes is None:
        codes = []
        for i in range(0, len(indices), per_clear):
            codes.append(clear)
            codes.extend(indices[i:i + per_clear])
        codes.append(end)
    acc, nbits, out = 0, 0, bytearray()
    for c in codes:
        acc |= c << nbits
        nbits += size
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        out.append(acc)
    blocks = bytearray()
    for i in range(0, len(out), 255):
        part = out[i:i + 255]
        blocks += bytes([len(part)]) + part
    return bytes(blocks) + b"\0"


def gif_file(screen, frame_rect, indices, global_pal=None, local_pal=None, transparency=None,
             interlace=False, min_code=8, junk=b"", codes=None):
    sw, sh = screen
    x0, y0, w, h = frame_rect
    def table_flags(pal):
        n = len(pal) // 3
        return 0x80 | (n.bit_length() - 2)
    out = b"GIF89a" + struct.pack("<HHBBB", sw, sh, table_flags(global_pal) if global_pal else 0, 0, 0)
    if global_pal:
        out += global_pal
    out += junk
    if transparency is not None:
        out += b"!\xf9\x04" + bytes([1, 0, 0, transparency]) + b"\0"
    out += b"!\xfe" + b"\x05hello\0"  # a comment extension to skip
    rows = [indices[y * w:(y + 1) * w] for y in range(h)]
    if interlace:
        order = list(range(0, h, 8)) + list(range(4, h, 8)) + list(range(2, h, 4)) + list(range(1, h, 2))
        rows = [rows[y] for y in order]
    flags = (0x40 if interlace else 0) | (table_flags(local_pal) if local_pal else 0)
    out += b"," + struct.pack("<HHHHB", x0, y0, w, h, flags)
    if local_pal:
        out += local_pal
    out += bytes([min_code]) + lzw_literal([i for r in rows for i in r], min_code, codes)
    return out + b";"


def rand_palette(n):
    return RNG.randbytes(3 * n)


# ---------------------------------------------------------------- BMP by hand

def bmp_file(w, h, bits, rows_bytes, palette=b"", header=40, compression=0, masks=None, top_down=False,
             colors=0, offset=None, raw_pixels=None):
    """rows_bytes: file-order rows, unpadded (padded here to 4 bytes)."""
    if raw_pixels is None:
        stride = ((w * bits + 31) >> 3) & ~3
        raw_pixels = b"".join(r.ljust(stride, b"\0") for r in rows_bytes)
    if header == 12:
        info = struct.pack("<IHHHH", 12, w, h, 1, bits)
    else:
        hh = (2**32 - h) if top_down else h
        info = struct.pack("<IiIHHIIiiII", header, w, hh, 1, bits, compression, len(raw_pixels), 2835, 2835, colors, 0)
        extra = b""
        if masks is not None and header >= 56:
            extra = struct.pack("<IIII", *masks)
        info = (info + extra).ljust(header, b"\0")
        if masks is not None and header == 40:
            info += struct.pack("<III", *masks[:3])
    data_offset = 14 + len(info) + len(palette) if offset is None else offset
    head = b"BM" + struct.pack("<IHHI", 14 + len(info) + len(palette) + len(raw_pixels), 0, 0, data_offset)
    return head + info + palette + raw_pixels


# ---------------------------------------------------------------- EXIF blocks

def tiff_block(entries, big_endian=False, ifd_offset=8):
    """entries: (tag, type, count, value_bytes) with value_bytes padded to 4
    or placed after the IFD."""
    e = ">" if big_endian else "<"
    head = (b"MM\0*" if big_endian else b"II*\0") + struct.pack(e + "I", ifd_offset)
    head = head.ljust(ifd_offset, b"\0")
    ifd = struct.pack(e + "H", len(entries))
    extra = b""
    extra_at = ifd_offset + 2 + 12 * len(entries) + 4
    for tag, typ, count, value in entries:
        if len(value) <= 4:
            ifd += struct.pack(e + "HHI", tag, typ, count) + value.ljust(4, b"\0")
        else:
            ifd += struct.pack(e + "HHII", tag, typ, count, extra_at + len(extra))
            extra += value
    return head + ifd + b"\0\0\0\0" + extra


def orientation_exif(value, typ=3, big_endian=False):
    e = ">" if big_endian else "<"
    fmt = {1: "B", 3: "H", 4: "I", 9: "i"}[typ]
    return b"Exif\0\0" + tiff_block([(0x0112, typ, 1, struct.pack(e + fmt, value))], big_endian)


# ---------------------------------------------------------------- generation

def generate(gen):
    files = []

    def save(name, im, **kw):
        path = os.path.join(gen, name)
        im.save(path, **kw)
        files.append(path)

    def write(name, data):
        path = os.path.join(gen, name)
        with open(path, "wb") as f:
            f.write(data)
        files.append(path)

    # JPEG: chroma subsampling, quality, progressive, grey, CMYK, odd sizes.
    for i in range(4):
        w, h = rand_size()
        for sub, tag in ((2, "420"), (1, "422"), (0, "444")):
            save(f"jpeg_{tag}_{i}_{w}x{h}.jpg", picture(w, h), quality=RNG.choice([50, 75, 90, 100]), subsampling=sub)
    for w, h in ((1, 1), (1, 17), (17, 1), (9, 7), (16, 16), (33, 65)):
        save(f"jpeg_tiny_{w}x{h}.jpg", picture(w, h), quality=85)
    for i in range(3):
        w, h = rand_size(8)
        save(f"jpeg_progressive_{i}_{w}x{h}.jpg", picture(w, h), progressive=True, quality=80)
        save(f"jpeg_gray_{i}_{w}x{h}.jpg", picture(w, h, "L"), quality=80)
        save(f"jpeg_cmyk_{i}_{w}x{h}.jpg", picture(w, h, "CMYK"), quality=90)
    save("jpeg_gray_progressive.jpg", picture(70, 50, "L"), progressive=True)
    save("jpeg_optimized.jpg", picture(120, 80), optimize=True)
    # EXIF orientation on JPEG, PNG (eXIf), WebP; odd encodings of the tag.
    for o in range(1, 9):
        w, h = rand_size(2, 60)
        save(f"exif_jpeg_o{o}_{w}x{h}.jpg", picture(w, h), exif=orientation_exif(o))
    save("exif_png_o6.png", picture(30, 20), exif=orientation_exif(6))
    save("exif_png_o3_rgba.png", picture(31, 21, "RGBA"), exif=orientation_exif(3))
    save("exif_webp_o8.webp", picture(30, 20), exif=orientation_exif(8), lossless=True)
    save("exif_jpeg_long_type.jpg", picture(25, 15), exif=orientation_exif(6, typ=4))
    save("exif_jpeg_byte_type.jpg", picture(25, 15), exif=orientation_exif(5, typ=1))
    save("exif_jpeg_big_endian.jpg", picture(25, 15), exif=orientation_exif(7, big_endian=True))
    save("exif_jpeg_out_of_range.jpg", picture(25, 15), exif=orientation_exif(9))
    save("exif_jpeg_count2.jpg", picture(25, 15),
         exif=b"Exif\0\0" + tiff_block([(0x0112, 3, 3, struct.pack("<HHH", 8, 1, 1))]))
    save("exif_jpeg_ascii.jpg", picture(25, 15), exif=b"Exif\0\0" + tiff_block([(0x0112, 2, 2, b"6\0")]))
    for typ, value in ((5, struct.pack("<II", 12, 2)), (10, struct.pack("<ii", -6, -1)), (5, struct.pack("<II", 7, 2)),
                       (11, struct.pack("<f", 6.0)), (12, struct.pack("<d", 3.0)), (8, struct.pack("<h", 4)),
                       (9, struct.pack("<i", 2)), (6, struct.pack("<b", 7)), (7, b"\x06")):
        save(f"exif_jpeg_type{typ}_{value.hex()}.jpg", picture(25, 15),
             exif=b"Exif\0\0" + tiff_block([(0x0112, typ, 1, value)]))
    save("exif_jpeg_duplicate.jpg", picture(25, 15),
         exif=b"Exif\0\0" + tiff_block([(0x0112, 3, 1, struct.pack("<H", 3)), (0x0112, 3, 1, struct.pack("<H", 6))]))
    save("exif_jpeg_bad_offset.jpg", picture(25, 15), exif=b"Exif\0\0" + tiff_block([(0x0112, 3, 3, b"")])[:-6])
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", '<x:xmpmeta><rdf:Description tiff:Orientation="6"/></x:xmpmeta>')
    save("xmp_png_o6.png", picture(22, 14), pnginfo=info)
    # eXIf after the image data (Pillow reads it when the image loads).
    rows = random_rows(13, 9, 3, 255)
    tail = chunk(b"eXIf", orientation_exif(8)[6:])
    write("exif_png_after_idat.png", png_file(13, 9, 8, 2, rows, after=[tail]))

    # PNG: every colour type and depth Pillow maps, interlaced too.
    for i in range(3):
        w, h = rand_size()
        for mode in ("RGB", "RGBA", "L", "LA", "P", "1"):
            save(f"png_{mode}_{i}_{w}x{h}.png", picture(w, h, mode))
    save("png_I16.png", picture(45, 31, "I;16"))
    pal_img = picture(40, 30, "P")
    save("png_P_trns_bytes.png", pal_img, transparency=bytes(RNG.randint(0, 255) for _ in range(7)))
    save("png_P_trns_index.png", pal_img, transparency=1)
    save("png_P_bits4.png", picture(23, 17, "P").quantize(16), bits=4)
    save("png_L_trns.png", picture(20, 10, "L"), transparency=17)
    save("png_RGB_trns.png", picture(20, 10), transparency=(1, 2, 3))
    for depth, ctype, ch in ((16, 2, 3), (16, 6, 4), (16, 4, 2), (16, 0, 1), (2, 0, 1), (4, 0, 1), (1, 0, 1)):
        for interlace in (False, True):
            w, h = rand_size(1, 40)
            rows = random_rows(w, h, ch, (1 << depth) - 1)
            write(f"png_d{depth}_c{ctype}_{'adam7' if interlace else 'flat'}_{w}x{h}.png",
                  png_file(w, h, depth, ctype, rows, interlace))
    for w, h in ((1, 1), (2, 3), (5, 9), (8, 8), (9, 1)):
        write(f"png_adam7_rgb_{w}x{h}.png", png_file(w, h, 8, 2, random_rows(w, h, 3, 255), True))
    for depth in (1, 2, 4, 8):
        w, h = rand_size(1, 40)
        n = 1 << depth
        rows = random_rows(w, h, 1, n - 1)
        write(f"png_pal_d{depth}_adam7_{w}x{h}.png",
              png_file(w, h, depth, 3, rows, True, plte=rand_palette(n), trns=bytes([0, 128])))
    # Indices past a 2-entry palette read Pillow's grey ramp.
    write("png_pal_short_palette.png", png_file(6, 2, 8, 3, [[(0,), (1,), (5,), (200,), (1,), (0,)]] * 2,
                                                plte=rand_palette(2)))
    write("png_split_idat.png", png_file(61, 47, 8, 6, random_rows(61, 47, 4, 255), idat_parts=9))
    # A bad IDAT CRC is not checked by Pillow; a bad one before IDAT is.
    good = png_file(12, 7, 8, 2, random_rows(12, 7, 3, 255))
    idat = good.index(b"IDAT")
    crc_at = idat + 4 + struct.unpack(">I", good[idat - 4:idat])[0]
    write("png_bad_idat_crc.png", good[:crc_at] + bytes([good[crc_at] ^ 0xFF]) + good[crc_at + 1:])
    text = chunk(b"tEXt", b"Comment\0hi")
    broken = text[:-1] + bytes([text[-1] ^ 0xFF])
    write("png_bad_text_crc.png", png_file(12, 7, 8, 2, random_rows(12, 7, 3, 255), before=[broken]))

    # GIF: Pillow's writer (interlaced by default) and hand-made frames.
    for i in range(3):
        w, h = rand_size(1, 200)
        im = picture(w, h, "P")
        save(f"gif_{i}_{w}x{h}.gif", im)
        save(f"gif_flat_{i}_{w}x{h}.gif", im, interlace=0)
        save(f"gif_trns_{i}_{w}x{h}.gif", im, transparency=RNG.randint(0, 1))
    save("gif_gray.gif", picture(33, 21, "L"))
    frames = [picture(40, 30, "P"), picture(40, 30, "P")]
    save("gif_animated.gif", frames[0], save_all=True, append_images=frames[1:], duration=100)
    idx = [RNG.randint(0, 15) for _ in range(8 * 6)]
    write("gifx_offset_frame.gif", gif_file((20, 10), (3, 2, 8, 6), idx, global_pal=rand_palette(16), min_code=4))
    write("gifx_frame_beyond_screen.gif",
          gif_file((5, 4), (3, 2, 8, 6), idx, global_pal=rand_palette(16), transparency=3, min_code=4))
    write("gifx_local_palette.gif", gif_file((8, 6), (0, 0, 8, 6), idx, global_pal=rand_palette(2),
                                             local_pal=rand_palette(16), min_code=4))
    write("gifx_no_palette.gif", gif_file((8, 6), (0, 0, 8, 6), idx, min_code=4))
    ramp = bytes(v for i in range(16) for v in (i, i, i))
    write("gifx_ramp_local.gif", gif_file((8, 6), (0, 0, 8, 6), idx, local_pal=ramp, min_code=4))
    idx2 = [RNG.randint(0, 255) for _ in range(37 * 19)]
    write("gifx_interlaced_8bit.gif", gif_file((37, 19), (0, 0, 37, 19), idx2, global_pal=rand_palette(256),
                                               interlace=True, transparency=200))
    write("gifx_early_end_code.gif", gif_file((8, 6), (0, 0, 8, 6), idx[:30], global_pal=rand_palette(16),
                                              min_code=4)[:-1] + b"!\xfe\x03abc\0;")
    write("gifx_code_size_9.gif", gif_file((8, 6), (0, 0, 8, 6), idx, global_pal=rand_palette(256), min_code=9))
    # A code past the next free table entry: Pillow's "broken data stream".
    write("gifx_invalid_code.gif", gif_file((8, 6), (0, 0, 8, 6), idx, global_pal=rand_palette(16), min_code=4,
                                            codes=[16, 3, 4, 30] + [3] * 44 + [17]))
    # KwKwK codes (a code equal to the next free entry) and a string code.
    write("gifx_kwkwk.gif", gif_file((6, 2), (0, 0, 6, 2), [], global_pal=rand_palette(16), min_code=4,
                                     codes=[16, 5, 18, 19, 18, 3, 21, 17]))
    write("gifx_junk_bytes.gif", gif_file((8, 6), (0, 0, 8, 6), idx, global_pal=rand_palette(16), min_code=4,
                                          junk=b"\x00\x07junk"))

    # WebP: lossy / lossless, with and without alpha, animated.
    for i in range(2):
        w, h = rand_size(1, 200)
        save(f"webp_lossy_{i}_{w}x{h}.webp", picture(w, h), quality=RNG.choice([30, 80]))
        save(f"webp_lossless_{i}_{w}x{h}.webp", picture(w, h), lossless=True)
        save(f"webp_lossy_alpha_{i}_{w}x{h}.webp", picture(w, h, "RGBA"), quality=70)
        save(f"webp_lossless_alpha_{i}_{w}x{h}.webp", picture(w, h, "RGBA"), lossless=True)
    save("webp_animated.webp", picture(30, 20, "RGBA"), save_all=True,
         append_images=[picture(30, 20, "RGBA")], duration=100)

    # BMP: Pillow's writer, then layouts it cannot write.
    for mode in ("1", "L", "P", "RGB", "RGBA"):
        w, h = rand_size(1, 120)
        save(f"bmp_{mode}_{w}x{h}.bmp", picture(w, h, mode))
    w, h = 13, 7
    pal16 = b"".join(RNG.randbytes(3) + b"\0" for _ in range(16))
    rows4 = [bytes(RNG.randint(0, 255) for _ in range((w + 1) // 2)) for _ in range(h)]
    write("bmpx_4bit.bmp", bmp_file(w, h, 4, rows4, palette=pal16))
    rows16 = [RNG.randbytes(2 * w) for _ in range(h)]
    write("bmpx_16bit_555.bmp", bmp_file(w, h, 16, rows16))
    write("bmpx_16bit_565.bmp", bmp_file(w, h, 16, rows16, compression=3, masks=(0xF800, 0x7E0, 0x1F, 0)))
    rows32 = [RNG.randbytes(4 * w) for _ in range(h)]
    write("bmpx_32bit_bgra_v4.bmp", bmp_file(w, h, 32, rows32, header=108, compression=3,
                                             masks=(0xFF0000, 0xFF00, 0xFF, 0xFF000000)))
    write("bmpx_32bit_rgba_v5.bmp", bmp_file(w, h, 32, rows32, header=124, compression=3,
                                             masks=(0xFF, 0xFF00, 0xFF0000, 0xFF000000)))
    write("bmpx_32bit_xbgr.bmp", bmp_file(w, h, 32, rows32, compression=3, masks=(0xFF000000, 0xFF0000, 0xFF00, 0)))
    rows24 = [RNG.randbytes(3 * w) for _ in range(h)]
    write("bmpx_24bit_top_down.bmp", bmp_file(w, h, 24, rows24, top_down=True))
    write("bmpx_24bit_os2.bmp", bmp_file(w, h, 24, rows24, header=12))
    pal256 = b"".join(RNG.randbytes(3) + b"\0" for _ in range(256))
    rle8 = b""
    for y in range(h):  # runs, an absolute run of 3 (padded), end of line
        rle8 += bytes([5, y * 3, 0, 3, 1, 2, 3, 0, 5, 9]) + b"\0\0"
    write("bmpx_rle8.bmp", bmp_file(w, h, 8, None, palette=pal256, compression=1, raw_pixels=rle8 + b"\0\1"))
    rle4 = b""
    for y in range(h):
        rle4 += bytes([7, 0x3C, 0, 4, 0x12, 0x34, 2, 0xF0]) + b"\0\0"
    write("bmpx_rle4.bmp", bmp_file(w, h, 4, None, palette=pal16, compression=2, raw_pixels=rle4 + b"\0\1"))
    gray_pal = b"".join(bytes([i, i, i, 0]) for i in range(256))
    write("bmpx_8bit_gray_palette.bmp", bmp_file(w, h, 8, [RNG.randbytes(w) for _ in range(h)], palette=gray_pal))
    return files


def generate_divergent(div):
    """Files where Pillow 9.4 is wrong and smolvlm deliberately differs, each
    with a repaired twin that Pillow reads correctly: (file, twin, why)."""
    out = []

    def pair(name, data, twin, why):
        path, twin_path = os.path.join(div, name), os.path.join(div, "twin_" + name)
        for p, d in ((path, data), (twin_path, twin)):
            with open(p, "wb") as f:
                f.write(d)
        out.append((path, twin_path, why))

    jpeg = io.BytesIO()
    picture(21, 13).save(jpeg, "JPEG", exif=b"Exif\0\0II*\0")
    data = jpeg.getvalue()
    app1 = data.index(b"\xff\xe1")
    end = app1 + 2 + struct.unpack(">H", data[app1 + 2:app1 + 4])[0]
    pair("jpeg_short_exif.jpg", data, data[:app1] + data[end:],
         "Pillow fails to open a JPEG whose EXIF is too short for a TIFF header; we ignore the EXIF")
    idx = [RNG.randint(0, 15) for _ in range(8 * 6)]
    ramp = bytes(v for i in range(16) for v in (i, i, i))
    pair("gif_ramp_local_with_global.gif",
         gif_file((8, 6), (0, 0, 8, 6), idx, global_pal=rand_palette(16), local_pal=ramp, min_code=4),
         gif_file((8, 6), (0, 0, 8, 6), idx, local_pal=ramp, min_code=4),
         "an 'L' GIF frame (identity-ramp local palette) keeps Pillow's global palette, which convert() applies")
    pal256 = b"".join(RNG.randbytes(3) + b"\0" for _ in range(256))
    rle = bytes([4, 5, 0, 2, 2, 1, 2, 7, 0, 0, 8, 9, 0, 1])
    rows = [bytes([5, 5, 5, 5, 0, 0, 0, 0]), bytes([0, 0, 0, 0, 0, 0, 7, 7]), bytes([9] * 8)]
    pair("bmp_rle8_delta.bmp", bmp_file(8, 3, 8, None, palette=pal256, compression=1, raw_pixels=rle),
         bmp_file(8, 3, 8, rows, palette=pal256), "Pillow 9.4 reads 4 bytes for an RLE delta (fixed in Pillow 10)")
    pal16 = b"".join(RNG.randbytes(3) + b"\0" for _ in range(16))
    rle4 = bytes([0, 3, 0x12, 0x30, 3, 0x45, 0, 1])
    pair("bmp_rle4_odd_absolute.bmp", bmp_file(6, 1, 4, None, palette=pal16, compression=2, raw_pixels=rle4),
         bmp_file(6, 1, 4, [bytes([0x12, 0x34, 0x54])], palette=pal16),
         "Pillow 9.4 drops the last pixel of an odd RLE4 absolute run (fixed in Pillow 11)")
    return out


def generate_bad(bad, gen_files, fixtures):
    """Damaged files (compared with PIL: it must fail where we fail) and
    unsupported ones (we must name the problem)."""
    damaged, unsupported = [], []

    def write(name, data, into):
        path = os.path.join(bad, name)
        with open(path, "wb") as f:
            f.write(data)
        into.append(path)

    def by_name(part):
        return next(p for p in gen_files + fixtures if part in os.path.basename(p))

    for part in ("photo_320x240.jpg", "png_split_idat", "gif_1_", "webp_lossless_0", "bmp_P_", "photo_300x220.webp"):
        data = open(by_name(part), "rb").read()
        write("trailing_" + os.path.basename(by_name(part)), data + RNG.randbytes(100), damaged)
    for part in ("photo_320x240.jpg", "png_split_idat", "jpeg_progressive_0", "jpeg_gray_0", "png_RGB_0", "png_adam7_rgb_8x8",
                 "png_d16_c6_adam7", "palette_200x120.png", "gif_0_", "gif_flat_0", "gifx_interlaced", "webp_lossy_0",
                 "webp_lossless_alpha_0", "photo_210x150.bmp", "bmpx_rle8"):
        data = open(by_name(part), "rb").read()
        n = len(data)
        cuts = sorted({k for k in (1, 2, 5, 10, 20, 30, 60, 100, n // 4, n // 2, 3 * n // 4, n - 40, n - 20,
                                  n - 16, n - 13, n - 12, n - 8, n - 4, n - 2, n - 1) if 0 < k < n})
        stem = os.path.splitext(os.path.basename(by_name(part)))[0]
        ext = os.path.splitext(by_name(part))[1]
        for k in cuts:
            write(f"cut_{stem}_{k}{ext}", data[:k], damaged)
    write("empty.png", b"", damaged)
    write("random.bin", RNG.randbytes(4096), damaged)
    write("random_after_jpeg_magic.jpg", b"\xff\xd8\xff" + RNG.randbytes(2000), damaged)
    write("random_after_png_magic.png", b"\x89PNG\r\n\x1a\n" + RNG.randbytes(2000), damaged)
    write("random_after_gif_magic.gif", b"GIF89a" + RNG.randbytes(2000), damaged)
    write("random_after_bmp_magic.bmp", b"BM" + RNG.randbytes(2000), damaged)
    write("random_after_webp_magic.webp", b"RIFF\xff\x00\x00\x00WEBPVP8 " + RNG.randbytes(2000), damaged)
    write("png_zero_width.png", png_file(0, 5, 8, 2, [[] for _ in range(5)]), damaged)
    write("png_huge_100000x100000.png", png_file(1, 1, 8, 2, [[(1, 2, 3)]]).replace(
        chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)),
        chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))), damaged)
    jpeg = open(by_name("jpeg_tiny_9x7"), "rb").read()
    sof = jpeg.index(b"\xff\xc0")
    write("jpeg_huge_60000x60000.jpg", jpeg[:sof + 5] + struct.pack(">HH", 60000, 60000) + jpeg[sof + 9:], damaged)
    write("gif_huge_screen.gif", gif_file((65535, 65535), (0, 0, 8, 6), [0] * 48, global_pal=rand_palette(16),
                                          min_code=4), damaged)
    write("gif_zero_frame.gif", gif_file((8, 6), (0, 0, 0, 6), [], global_pal=rand_palette(16), min_code=4), damaged)
    write("bmp_huge.bmp", bmp_file(100000, 100000, 24, [b""]), damaged)
    write("bmp_zero_height.bmp", bmp_file(4, 0, 24, []), damaged)
    write("bmp_unsupported_depth.bmp", bmp_file(4, 4, 2, [b"\0"] * 4), damaged)
    webp = bytearray(open(by_name("webp_lossy_alpha_0"), "rb").read())
    if webp[12:16] == b"VP8X":  # canvas width-1 / height-1 are 24-bit fields at 24 and 27
        webp[24:27] = (16383).to_bytes(3, "little")
        webp[27:30] = (16383).to_bytes(3, "little")
        write("webp_huge_canvas.webp", bytes(webp), damaged)

    write("text.txt", b"this is not an image\n", unsupported)
    tiff = io.BytesIO()
    picture(10, 10).save(tiff, "TIFF")
    write("image.tiff", tiff.getvalue(), unsupported)
    ppm = io.BytesIO()
    picture(10, 10).save(ppm, "PPM")
    write("image.ppm", ppm.getvalue(), unsupported)
    return damaged, unsupported


# ---------------------------------------------------------------- reference

def samples(im):
    if im.mode == "1":
        return im.convert("L").tobytes()
    if im.mode == "I":
        return array.array("H", array.array("i", im.tobytes())).tobytes()
    return im.tobytes()


def orientation(im):
    try:
        o = im.getexif().get(0x0112)
    except Exception:
        return 1
    return int(o) if o in (2, 3, 4, 5, 6, 7, 8) else 1


def reference(path, group, out_dir, index):
    case = {"path": path, "group": group}
    try:
        im = Image.open(path)
        im.load()
    except Exception as e:  # noqa: BLE001 - any PIL failure is the reference
        case.update(ok=False, error=f"{type(e).__name__}: {e}")
        return case
    case.update(ok=True, mode=im.mode, width=im.width, height=im.height, orientation=orientation(im))
    if im.mode == "P":
        case["palette"] = bytes(im.getpalette()).hex()
    stem = os.path.join(out_dir, f"{index:04d}")

    def dump(suffix, data):
        with open(stem + suffix, "wb") as f:
            f.write(data)
        return stem + suffix

    case["raw"] = dump(".raw", samples(im))
    try:
        rgb = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    except Exception:  # noqa: BLE001 - malformed EXIF: load_image fails; we apply no orientation
        case["exif_error"] = True
        rgb = Image.open(path).convert("RGB")
    case["rgb"] = dump(".rgb", rgb.tobytes())
    case["rgba"] = dump(".rgba", Image.open(path).convert("RGBA").tobytes())
    case["l"] = dump(".l", Image.open(path).convert("L").tobytes())
    # A tRNS colour on L/RGB/"1"/I turns into alpha in convert("RGBA"); Image
    # does not carry it (the processor never converts a PIL image that way).
    case["rgba_uses_trns_colour"] = im.mode != "P" and "transparency" in im.info
    return case


def main():
    if len(sys.argv) != 4 or sys.argv[1] != "prepare":
        sys.exit(__doc__)
    out, fixtures_dir = sys.argv[2], sys.argv[3]
    gen, bad, div, ref = (os.path.join(out, d) for d in ("gen", "bad", "divergent", "ref"))
    for d in (gen, bad, div, ref):
        os.makedirs(d, exist_ok=True)
    fixtures = sorted(os.path.join(fixtures_dir, f) for f in os.listdir(fixtures_dir))
    gen_files = generate(gen)
    damaged, unsupported = generate_bad(bad, gen_files, fixtures)
    cases = []
    for group, paths in (("fixture", fixtures), ("generated", gen_files), ("damaged", damaged)):
        for p in paths:
            cases.append(reference(p, group, ref, len(cases)))
    # Deliberate differences: Pillow's answer for the repaired twin is ours.
    for path, twin, why in generate_divergent(div):
        case = reference(twin, "divergent", ref, len(cases))
        case.update(path=path, why=why)
        cases.append(case)
    cases += [{"path": p, "group": "unsupported", "ok": False} for p in unsupported]
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"pillow": Image.__version__, "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main()
