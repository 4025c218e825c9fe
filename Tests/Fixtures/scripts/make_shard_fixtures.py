#!/usr/bin/env python3
"""Makes the Shards module's fixtures in Tests/Fixtures/shards (run by a developer, never by CI).

Needs numpy, h5py, hdf5plugin and Pillow. Everything is seeded, so running it again gives the
same contents (the HDF5 bytes may differ between h5py/HDF5 versions; the tests only compare
contents).

The point: these files are written by h5py with `hdf5plugin.Zstd(clevel=...)`, not by
vlmtune, so reading them proves that our in-process zstd filter (HDF5 filter 32015) decodes
what hdf5plugin encodes, and that our reader follows the layout of DESIGN.md section 2 as
another implementation writes it. Chunk shapes deliberately differ from the Swift writer's
(several images per chunk, small token chunks), and the vlen datasets are stored the way h5py
stores them by default (contiguous, uncompressed).

What it writes:
  h5py-pixels.h5    12 samples, storage `pixels` (20x20 images), zstd level 7
  h5py-encoded.h5   12 samples, storage `encoded` (small PNG and JPEG files), zstd level 1
  errors/*.h5       tiny files that break the layout one way each (no compression)
  expected.json     every value of the two good files (pixels by SHA-256 of their bytes,
                    encoded images in base64), and for each error file the ShardError kind
                    and message fragments the Swift reader must report
"""
import base64
import hashlib
import io
import json
import sys
from pathlib import Path

import h5py
import hdf5plugin
import numpy as np
from PIL import Image

OUT = Path(__file__).resolve().parent.parent / "shards"
IMAGE_SIZE = 20
# HDF5 1.10 (Debian's, which vlmtune links) must read these: keep the file format within it.
LIBVER = ("earliest", "v110")
# The error files use the 1.10 format throughout: its compact groups keep each file at a few KiB.
SMALL_LIBVER = ("v110", "v110")


def make_samples(rng, storage):
    """A dozen samples: text, image (one or two images), video (three frames)."""
    samples = []
    for number in range(12):
        modality = 0 if number % 4 == 3 else (2 if number == 6 else 1)
        image_count = {0: 0, 1: 2 if number % 5 == 0 else 1, 2: 3}[modality]
        length = int(rng.integers(8, 90))
        ids = rng.integers(1, 32000, size=length).astype(np.int32)
        placeholders = image_count if modality == 1 else (1 if modality == 2 else 0)
        for k in range(placeholders):
            ids[1 + k] = -200 if modality == 1 else -201
        labels = ids.copy()
        labels[: length // 3] = -100
        labels[ids < 0] = -100
        images = [make_image(rng, storage, number, k) for k in range(image_count)]
        samples.append({"id": f"h5py-{number:02d}-é", "modality": modality, "input_ids": ids, "labels": labels, "images": images})
    return samples


def make_image(rng, storage, number, k):
    y, x = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE]
    pixels = np.stack([x * 12, y * 12, np.full_like(x, (number * 40 + k * 17) % 256)], axis=-1)
    pixels = (pixels + rng.integers(0, 6, size=pixels.shape)).clip(0, 255).astype(np.uint8)
    if storage == "pixels":
        return pixels
    small = Image.fromarray(pixels[:12, :12])
    buffer = io.BytesIO()
    fmt = "png" if (number + k) % 2 == 0 else "jpeg"
    small.save(buffer, format="PNG" if fmt == "png" else "JPEG", quality=80)
    return (buffer.getvalue(), fmt)


def write_shard(path, samples, storage, clevel):
    zstd = hdf5plugin.Zstd(clevel=clevel)
    ids = np.concatenate([s["input_ids"] for s in samples]).astype(np.int32)
    labels = np.concatenate([s["labels"] for s in samples]).astype(np.int32)
    token_offsets = np.cumsum([0] + [len(s["input_ids"]) for s in samples]).astype(np.int64)
    image_offsets = np.cumsum([0] + [len(s["images"]) for s in samples]).astype(np.int64)
    with h5py.File(path, "w", libver=LIBVER) as f:
        f.attrs["format"] = "vlmtune-shard"
        f.attrs["version"] = 1
        f.create_dataset("tokens/input_ids", data=ids, chunks=(256,), **zstd)
        f.create_dataset("tokens/labels", data=labels, chunks=(256,), **zstd)
        f.create_dataset("tokens/offsets", data=token_offsets, chunks=(8,), **zstd)
        f.create_dataset("images/offsets", data=image_offsets, chunks=(8,), **zstd)
        images = [image for s in samples for image in s["images"]]
        if storage == "pixels":
            f.create_dataset("images/pixels", data=np.stack(images), chunks=(2, IMAGE_SIZE, IMAGE_SIZE, 3), **zstd)
        else:
            encoded = f.create_dataset("images/encoded", (len(images),), dtype=h5py.vlen_dtype(np.uint8))
            for index, (data, _) in enumerate(images):
                encoded[index] = np.frombuffer(data, dtype=np.uint8)
            f.create_dataset("images/format", data=[fmt for _, fmt in images], dtype=h5py.string_dtype())
        f.create_dataset("samples/id", data=[s["id"] for s in samples], dtype=h5py.string_dtype())
        f.create_dataset("samples/modality", data=np.array([s["modality"] for s in samples], dtype=np.uint8), **zstd)
        # Prove the filter really is on: the test would pass vacuously on uncompressed data.
        assert f["tokens/input_ids"]._filters.get("32015") == (clevel,), f["tokens/input_ids"]._filters


def expected_contents(samples, storage):
    out = []
    for s in samples:
        if storage == "pixels":
            images = [{"sha256": hashlib.sha256(image.tobytes()).hexdigest()} for image in s["images"]]
        else:
            images = [{"base64": base64.b64encode(data).decode(), "format": fmt} for data, fmt in s["images"]]
        out.append({"id": s["id"], "modality": s["modality"], "input_ids": s["input_ids"].tolist(),
                    "labels": s["labels"].tolist(), "images": images})
    return out


def write_minimal(path, edit=None):
    """A tiny valid-looking pixel shard of two samples (one 2x2 image), with `edit(f)`
    applied before closing to break one thing."""
    with h5py.File(path, "w", libver=SMALL_LIBVER) as f:
        f.attrs["format"] = "vlmtune-shard"
        f.attrs["version"] = 1
        f["tokens/input_ids"] = np.array([5, -200, 6, 7], dtype=np.int32)
        f["tokens/labels"] = np.array([-100, -100, 6, 7], dtype=np.int32)
        f["tokens/offsets"] = np.array([0, 3, 4], dtype=np.int64)
        f["images/offsets"] = np.array([0, 1, 1], dtype=np.int64)
        f["images/pixels"] = np.zeros((1, 2, 2, 3), dtype=np.uint8)
        f.create_dataset("samples/id", data=["a", "b"], dtype=h5py.string_dtype())
        f["samples/modality"] = np.array([1, 0], dtype=np.uint8)
        if edit:
            edit(f)


def replace(name, value):
    def edit(f):
        del f[name]
        f[name] = value
    return edit


ERRORS = [
    # (file, edit, kind, message fragments)
    ("minimal-valid.h5", None, None, []),
    ("no-format.h5", lambda f: f.attrs.__delitem__("format"), "foreignFile", ["@format", "missing"]),
    ("other-format.h5", lambda f: f.attrs.__setitem__("format", "something-else"), "foreignFile", ["@format", "something-else"]),
    ("version-2.h5", lambda f: f.attrs.__setitem__("version", 2), "unsupportedVersion", ["@version", "is 2"]),
    ("labels-float32.h5", replace("tokens/labels", np.zeros(4, dtype=np.float32)), "wrongType", ["/tokens/labels", "float32", "expected int32"]),
    ("labels-short.h5", replace("tokens/labels", np.zeros(3, dtype=np.int32)), "wrongShape", ["/tokens/labels", "[3]", "expected [4]"]),
    ("pixels-4-channels.h5", replace("images/pixels", np.zeros((1, 2, 2, 4), dtype=np.uint8)), "wrongShape", ["/images/pixels", "[1, 2, 2, 4]"]),
    ("no-labels.h5", lambda f: f.__delitem__("tokens/labels"), "missingDataset", ["/tokens/labels"]),
    ("offsets-decreasing.h5", replace("tokens/offsets", np.array([0, 5, 4], dtype=np.int64)), "inconsistentOffsets", ["/tokens/offsets", "decreases"]),
    ("offsets-short-of-end.h5", replace("images/offsets", np.array([0, 0, 0], dtype=np.int64)), "inconsistentOffsets", ["/images/offsets", "ends at 0", "1 rows"]),
    ("offsets-not-from-zero.h5", replace("tokens/offsets", np.array([1, 3, 4], dtype=np.int64)), "inconsistentOffsets", ["/tokens/offsets", "starts at 1"]),
    ("modality-7.h5", replace("samples/modality", np.array([1, 7], dtype=np.uint8)), "invalidValue", ["/samples/modality", "modality 7"]),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "errors").mkdir(exist_ok=True)
    rng = np.random.default_rng(20240611)
    expected = {"image_size": IMAGE_SIZE, "files": {}, "errors": []}
    for storage, name, clevel in [("pixels", "h5py-pixels.h5", 7), ("encoded", "h5py-encoded.h5", 1)]:
        samples = make_samples(rng, storage)
        write_shard(OUT / name, samples, storage, clevel)
        expected["files"][name] = {"storage": storage, "compression_level": clevel, "samples": expected_contents(samples, storage)}
    for name, edit, kind, fragments in ERRORS:
        write_minimal(OUT / "errors" / name, edit)
        expected["errors"].append({"file": "errors/" + name, "kind": kind, "fragments": fragments})
    (OUT / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, separators=(",", ":")) + "\n")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {OUT} ({total / 1024:.0f} KiB) with h5py {h5py.__version__}, HDF5 {h5py.version.hdf5_version}, hdf5plugin {hdf5plugin.version}")


if __name__ == "__main__":
    sys.exit(main())
