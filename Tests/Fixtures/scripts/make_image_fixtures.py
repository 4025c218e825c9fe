#!/usr/bin/env python3
"""Makes the Imaging module's fixtures in Tests/Fixtures/images (run by a developer, never by CI).

Needs numpy, Pillow and transformers 5 (the PIL image processors, `use_fast=False`). Everything
is seeded, so running it again gives the same files (for the same Pillow/libjpeg-turbo).

What it writes:
  decode/       PNG and JPEG files of every variant the decoders handle, odd sizes.
                PNGs are written by the small encoder below (Pillow cannot write 16-bit RGB,
                grey+alpha 16, interlaced or sub-byte greyscale PNGs); JPEGs by Pillow.
  decoded/      Pillow's `Image.open(f).convert("RGB")` of each, raw uint8 [H, W, 3].
  inputs/       RGB PNGs fed to the image processors.
  towers/       preprocessor_config.json folders, in the shapes real towers ship.
  preprocessed/ each processor's output, un-normalised back to uint8 [S, S, 3] (the script
                checks the round trip is exact), plus a few raw float32 [3, S, S] outputs.
  resized/      Image.resize with every filter, in Pillow 13's pass order and, where it
                differs, in the older horizontal-first order.
  errors/       truncated, corrupt, random and empty files.
  manifest.json what each file is and what it should decode or process to.
"""
import io
import json
import struct
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np
import PIL
from PIL import Image
import transformers
from transformers import AutoImageProcessor

OUT = Path(__file__).resolve().parent.parent / "images"


# --- a small PNG encoder covering every colour type, bit depth, filter and Adam7 ----------

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pack_row(samples: np.ndarray, depth: int) -> bytes:
    """One row of samples (already flattened across channels) as PNG stores them."""
    if depth == 16:
        return samples.astype(">u2").tobytes()
    if depth == 8:
        return samples.astype(np.uint8).tobytes()
    per_byte = 8 // depth
    padded = np.zeros(-(-len(samples) // per_byte) * per_byte, dtype=np.uint8)
    padded[: len(samples)] = samples
    groups = padded.reshape(-1, per_byte)
    shifts = np.array([8 - depth * (i + 1) for i in range(per_byte)], dtype=np.uint8)
    return (groups << shifts).sum(axis=1).astype(np.uint8).tobytes()


def paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_rows(rows: list, bytes_per_pixel: int, first_filter: int) -> bytes:
    """Filters rows with types cycling 0..4 so the decoder meets all five."""
    out = bytearray()
    previous = bytes(len(rows[0])) if rows else b""
    for index, row in enumerate(rows):
        kind = (first_filter + index) % 5
        filtered = bytearray(len(row))
        for i, x in enumerate(row):
            a = row[i - bytes_per_pixel] if i >= bytes_per_pixel else 0
            b = previous[i]
            c = previous[i - bytes_per_pixel] if i >= bytes_per_pixel else 0
            predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
            filtered[i] = (x - predictor) & 0xFF
        out += bytes([kind]) + filtered
        previous = row
    return bytes(out)


def encode_png(samples: np.ndarray, depth: int, color_type: int, palette=None, trns=None,
               interlace=False, idat_pieces=1) -> bytes:
    """samples: [H, W, C] integers (palette indices for colour type 3)."""
    height, width = samples.shape[:2]
    channels = CHANNELS[color_type]
    samples = samples.reshape(height, width, channels)
    bytes_per_pixel = max(1, depth * channels // 8)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    raw = b""
    for number, (x0, y0, dx, dy) in enumerate(passes):
        sub = samples[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        rows = [pack_row(r.reshape(-1), depth) for r in sub]
        raw += filter_rows(rows, bytes_per_pixel, number)
    data = zlib.compress(raw, 9)
    png = b"\x89PNG\r\n\x1a\n"
    png += png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, int(interlace)))
    if palette is not None:
        png += png_chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).reshape(-1)))
    if trns is not None:
        png += png_chunk(b"tRNS", trns)
    piece = -(-len(data) // idat_pieces)
    for start in range(0, len(data), piece):
        png += png_chunk(b"IDAT", data[start : start + piece])
    return png + png_chunk(b"IEND", b"")


# --- deterministic picture content -------------------------------------------------------

def picture(rng: np.random.Generator, width: int, height: int, channels: int = 3,
            noise: float = 0.03) -> np.ndarray:
    """Smooth waves, a sharp-edged block and some noise, in [0, 1]: gives the resampling
    filters both gradients and edges to get right."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    phases = rng.uniform(0, 2 * np.pi, size=channels)
    frequency = rng.uniform(0.05, 0.4, size=(2, channels))
    image = 0.5 + 0.35 * np.sin(x[..., None] * frequency[0] + y[..., None] * frequency[1] + phases)
    top, left = rng.integers(0, max(1, height // 2)), rng.integers(0, max(1, width // 2))
    image[top : top + max(1, height // 3), left : left + max(1, width // 3)] = rng.uniform(0, 1, size=channels)
    image += rng.normal(0, noise, size=image.shape)
    return np.clip(image, 0, 1)


def to_depth(values: np.ndarray, depth: int, rng: np.random.Generator) -> np.ndarray:
    top = (1 << depth) - 1
    scaled = np.round(values * top).astype(np.int64)
    if depth == 16:  # random low bytes, so taking the high byte is tested, not rounding
        scaled = (scaled & 0xFF00) | rng.integers(0, 256, size=scaled.shape)
    return scaled


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# --- decode fixtures -------------------------------------------------------------------

def png_variants(rng: np.random.Generator) -> dict:
    variants = {}
    for depth in (8, 16):
        variants[f"rgb{depth}.png"] = encode_png(to_depth(picture(rng, 37, 23), depth, rng), depth, 2)
        variants[f"rgba{depth}.png"] = encode_png(to_depth(picture(rng, 29, 31, 4), depth, rng), depth, 6)
        variants[f"grey_alpha{depth}.png"] = encode_png(to_depth(picture(rng, 19, 11, 2), depth, rng), depth, 4)
    for depth in (1, 2, 4, 8):
        variants[f"grey{depth}.png"] = encode_png(to_depth(picture(rng, 13, 7, 1), depth, rng), depth, 0)
    # Pillow reads 16-bit greyscale as "I;16" and clips it to 255 when converting to RGB:
    # half the samples stay below 256 so both sides of that rule are tested.
    grey16 = rng.integers(0, 65536, size=(9, 21))
    grey16[::2] = rng.integers(0, 256, size=grey16[::2].shape)
    variants["grey16.png"] = encode_png(grey16, 16, 0)
    variants["grey8_trns.png"] = encode_png(to_depth(picture(rng, 15, 9, 1), 8, rng), 8, 0, trns=struct.pack(">H", 128))
    variants["rgb8_trns.png"] = encode_png(to_depth(picture(rng, 15, 9), 8, rng), 8, 2, trns=struct.pack(">HHH", 10, 20, 30))

    palette = rng.integers(0, 256, size=(200, 3))
    indices = rng.integers(0, 200, size=(23, 41))
    alphas = bytes(rng.integers(0, 256, size=150).tolist())  # tRNS shorter than PLTE, as allowed
    variants["palette8_trns.png"] = encode_png(indices, 8, 3, palette=palette, trns=alphas)
    variants["palette4_single_trns.png"] = encode_png(rng.integers(0, 16, size=(11, 17)), 4, 3,
                                                      palette=rng.integers(0, 256, size=(16, 3)), trns=b"\xff\x00")
    # 2-bit indices reaching past a 3-entry palette: Pillow shows those pixels black.
    variants["palette2_short.png"] = encode_png(rng.integers(0, 4, size=(5, 9)), 2, 3,
                                                palette=rng.integers(0, 256, size=(3, 3)))
    variants["palette1.png"] = encode_png(rng.integers(0, 2, size=(6, 19)), 1, 3, palette=[[255, 0, 0], [0, 0, 255]])

    variants["rgb8_interlaced.png"] = encode_png(to_depth(picture(rng, 37, 23), 8, rng), 8, 2, interlace=True)
    variants["rgba16_interlaced.png"] = encode_png(to_depth(picture(rng, 11, 13, 4), 16, rng), 16, 6, interlace=True)
    variants["palette4_interlaced.png"] = encode_png(rng.integers(0, 16, size=(10, 13)), 4, 3,
                                                     palette=rng.integers(0, 256, size=(16, 3)), interlace=True)
    variants["grey1_interlaced_3x2.png"] = encode_png(rng.integers(0, 2, size=(2, 3)), 1, 0, interlace=True)
    variants["rgb8_1x1.png"] = encode_png(np.array([[[200, 100, 50]]]), 8, 2)
    variants["rgb8_many_idat.png"] = encode_png(to_depth(picture(rng, 33, 17), 8, rng), 8, 2, idat_pieces=7)
    return {"png_" + name: data for name, data in variants.items()}


def jpeg_variants(rng: np.random.Generator) -> dict:
    def encoded(image: Image.Image, **options) -> bytes:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", **options)
        return buffer.getvalue()

    rgb = Image.fromarray((picture(rng, 45, 31) * 255).round().astype(np.uint8), "RGB")
    wide = Image.fromarray((picture(rng, 123, 77) * 255).round().astype(np.uint8), "RGB")
    grey = Image.fromarray((picture(rng, 37, 23, 1)[..., 0] * 255).round().astype(np.uint8), "L")
    cmyk = Image.fromarray((picture(rng, 33, 21, 4) * 255).round().astype(np.uint8), "CMYK")
    variants = {
        "baseline_420.jpg": encoded(rgb, quality=90),
        "baseline_422.jpg": encoded(rgb, quality=85, subsampling=1),
        "baseline_444.jpg": encoded(rgb, quality=95, subsampling=0),
        "progressive_420.jpg": encoded(wide, quality=80, progressive=True),
        "optimized_420_123x77.jpg": encoded(wide, quality=70, optimize=True),
        "grey.jpg": encoded(grey, quality=90),
        "cmyk_adobe.jpg": encoded(cmyk, quality=90),
        "restart_markers.jpg": encoded(rgb, quality=90, restart_marker_blocks=2),
    }
    return {"jpeg_" + name: data for name, data in variants.items()}


# --- preprocessing fixtures --------------------------------------------------------------

TOWERS = {
    # openai/clip-vit-large-patch14-336 style: integer size (a shortest edge) and crop.
    "clip_32": {"crop_size": 32, "do_center_crop": True, "do_normalize": True, "do_resize": True,
                "feature_extractor_type": "CLIPFeatureExtractor",
                "image_mean": [0.48145466, 0.4578275, 0.40821073],
                "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": 32},
    # Newer CLIP style, with a shortest edge larger than the crop.
    "clip_48_crop_40": {"crop_size": {"height": 40, "width": 40}, "do_center_crop": True,
                        "do_convert_rgb": True, "do_normalize": True, "do_rescale": True,
                        "do_resize": True, "image_mean": [0.48145466, 0.4578275, 0.40821073],
                        "image_processor_type": "CLIPImageProcessor",
                        "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3,
                        "rescale_factor": 0.00392156862745098, "size": {"shortest_edge": 48}},
    # google/siglip-so400m-patch14-384 style.
    "siglip_32": {"do_normalize": True, "do_rescale": True, "do_resize": True,
                  "image_mean": [0.5, 0.5, 0.5], "image_processor_type": "SiglipImageProcessor",
                  "image_std": [0.5, 0.5, 0.5], "processor_class": "SiglipProcessor", "resample": 3,
                  "rescale_factor": 0.00392156862745098, "size": {"height": 32, "width": 32}},
    "siglip_48": {"image_mean": [0.5, 0.5, 0.5], "image_processor_type": "SiglipImageProcessor",
                  "image_std": [0.5, 0.5, 0.5], "resample": 3, "size": {"height": 48, "width": 48}},
}
# Which towers each mode is checked with (pad and crop follow LLaVA with CLIP towers).
MODE_TOWERS = {"pad": ["clip_32", "clip_48_crop_40"], "crop": ["clip_32", "clip_48_crop_40"],
               "resize": ["siglip_32", "siglip_48"]}
INPUT_SIZES = [(37, 23), (23, 37), (300, 97), (97, 301), (1, 5), (5, 1), (64, 64), (120, 90), (31, 32)]
# Plain Image.resize checks for every Pillow filter: (input, output width, output height).
# Pillow 13 runs the vertical pass first when the height shrinks by more than twice as many
# pixels as the width (37x23 -> 53x11, 97x301 -> 32x40); Pillow 12 and older always ran the
# horizontal pass first. Both orders are recorded: the second by two one-axis resizes, which
# is exactly what the older Pillow computed.
RESIZES = [("input_37x23", 17, 29), ("input_37x23", 53, 11), ("input_300x97", 64, 20), ("input_1x5", 3, 2),
           ("input_97x301", 32, 40)]
FILTERS = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming", 6: "mks2013",
           7: "mks2021"}


def expand2square(image: Image.Image, background) -> Image.Image:
    """LLaVA-1.5's expand2square (llava/mm_utils.py), written out again here."""
    width, height = image.size
    if width == height:
        return image
    side = max(width, height)
    result = Image.new(image.mode, (side, side), background)
    result.paste(image, ((side - width) // 2, (side - height) // 2))
    return result


def processor_for(tower_dir: Path):
    # backend="pil" is transformers 5's spelling of use_fast=False: the PIL/NumPy processors
    # LLaVA-1.5 used, not the torchvision ones transformers 5 picks by default.
    processor = AutoImageProcessor.from_pretrained(tower_dir, backend="pil")
    assert type(processor).__name__.endswith("Pil"), f"expected the PIL processor, got {type(processor)}"
    return processor


def unnormalise(values: np.ndarray, processor) -> np.ndarray:
    """[3, S, S] float32 pixel values back to uint8 [S, S, 3], insisting the round trip is exact."""
    mean = np.asarray(processor.image_mean, dtype=np.float64)[:, None, None]
    std = np.asarray(processor.image_std, dtype=np.float64)[:, None, None]
    samples = (values.astype(np.float64) * std + mean) * 255
    rounded = np.round(samples)
    assert np.abs(samples - rounded).max() < 1e-3, "processor output is not a uint8 image"
    assert rounded.min() >= 0 and rounded.max() <= 255
    return rounded.astype(np.uint8).transpose(1, 2, 0)


def main() -> None:
    rng = np.random.default_rng(20240611)
    manifest = {"generator": {"pillow": PIL.__version__, "transformers": transformers.__version__,
                              "numpy": np.__version__},
                "decode": [], "preprocess": [], "errors": []}

    decodable = {**png_variants(rng), **jpeg_variants(rng)}
    # A PNG with a .jpg name: formats are told apart by signature, not by name.
    decodable["png_named_as.jpg"] = decodable["png_rgb8.png"]
    for name, data in sorted(decodable.items()):
        write(OUT / "decode" / name, data)
        with Image.open(io.BytesIO(data)) as opened, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow suggests RGBA for palette+tRNS files
            mode = opened.mode
            rgb = np.asarray(opened.convert("RGB"))
        reference = f"decoded/{Path(name).stem}.rgb"
        write(OUT / reference, rgb.tobytes())
        manifest["decode"].append({"file": f"decode/{name}", "pillow_mode": mode,
                                   "width": rgb.shape[1], "height": rgb.shape[0], "reference": reference})

    processors = {}
    for tower, config in TOWERS.items():
        folder = OUT / "towers" / tower
        write(folder / "preprocessor_config.json", (json.dumps(config, indent=2) + "\n").encode())
        processors[tower] = processor_for(folder)

    inputs = {}
    for index, (width, height) in enumerate(INPUT_SIZES):
        # Light noise: these are stored as PNG, and noise does not compress.
        pixels = (picture(rng, width, height, noise=0.008) * 255).round().astype(np.uint8)
        name = f"input_{width}x{height}"
        write(OUT / "inputs" / f"{name}.png", encode_png(pixels, 8, 2))
        image = inputs[name] = Image.fromarray(pixels, "RGB")
        for mode, towers in MODE_TOWERS.items():
            for tower in towers:
                processor = processors[tower]
                source = image
                if mode == "pad":
                    background = tuple(int(x * 255) for x in processor.image_mean)
                    source = expand2square(image, background)
                values = processor(images=source, return_tensors="np")["pixel_values"][0]
                output = unnormalise(values, processor)
                reference = f"preprocessed/{name}_{mode}_{tower}.rgb"
                write(OUT / reference, output.tobytes())
                entry = {"input": f"inputs/{name}.png", "mode": mode, "tower": f"towers/{tower}",
                         "side": output.shape[0], "reference": reference}
                if index == 0 and tower.endswith("_32"):  # the float32 values too, for the normaliser
                    entry["pixel_values"] = f"preprocessed/{name}_{mode}_{tower}.f32"
                    write(OUT / entry["pixel_values"], values.astype("<f4").tobytes())
                manifest["preprocess"].append(entry)

    manifest["resize"] = []
    for name, width, height in RESIZES:
        image = inputs[name]
        for number, filter_name in FILTERS.items():
            resized = np.asarray(image.resize((width, height), resample=number))
            reference = f"resized/{name}_{filter_name}_{width}x{height}.rgb"
            write(OUT / reference, resized.tobytes())
            manifest["resize"].append({"input": f"inputs/{name}.png", "filter": number, "order": "pillow13",
                                       "width": width, "height": height, "reference": reference})
            if number == 0:
                continue
            two_pass = np.asarray(image.resize((width, image.height), resample=number)
                                  .resize((width, height), resample=number))
            if not np.array_equal(two_pass, resized):
                reference = f"resized/{name}_{filter_name}_{width}x{height}_horizontal_first.rgb"
                write(OUT / reference, two_pass.tobytes())
                manifest["resize"].append({"input": f"inputs/{name}.png", "filter": number,
                                           "order": "horizontalFirst", "width": width, "height": height,
                                           "reference": reference})

    png = decodable["png_rgb8.png"]
    jpeg = decodable["jpeg_baseline_420.jpg"]
    progressive = decodable["jpeg_progressive_420.jpg"]
    bad_crc = bytearray(png)
    bad_crc[29] ^= 0xFF  # the IHDR chunk's CRC
    bad_dht = bytearray(jpeg)
    bad_dht[jpeg.index(b"\xff\xc4") + 4] = 0x1F  # a Huffman table number past the four allowed
    bad_dht = bytes(bad_dht)
    errors = {
        "truncated.png": (png[: len(png) // 2], "truncated"),
        "truncated.jpg": (jpeg[: len(jpeg) * 2 // 3], "truncated"),
        "truncated_progressive.jpg": (progressive[: len(progressive) // 2], "truncated"),
        "png_header_only.png": (png[:33], "truncated"),
        "bad_crc.png": (bytes(bad_crc), "corrupt"),
        "bad_huffman_table.jpg": (bad_dht, "corrupt"),
        "random.bin": (bytes(rng.integers(0, 256, size=512).tolist()), "unknownFormat"),
        "random_named.png": (b"GIF89a" + bytes(rng.integers(0, 256, size=64).tolist()), "unknownFormat"),
        "empty.jpg": (b"", "unknownFormat"),
    }
    for name, (data, kind) in errors.items():
        write(OUT / "errors" / name, data)
        manifest["errors"].append({"file": f"errors/{name}", "kind": kind})

    write(OUT / "manifest.json", (json.dumps(manifest, indent=1) + "\n").encode())
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {len(list(OUT.rglob('*')))} entries, {total / 1024:.0f} KiB, to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
