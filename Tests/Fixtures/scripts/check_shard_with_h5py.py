#!/usr/bin/env python3
"""Reads vlmtune shards with h5py + hdf5plugin and checks them against DESIGN.md section 2
(run by a developer, never by CI).

    check_shard_with_h5py.py PATH [--expected expected.json] [--show N]

PATH is a shard file or a shard folder (index.json + shard-*.h5). For every file it checks
the root attributes, each dataset's dtype, shape and (for the large ones) the Zstandard filter
32015 and its level, and the offsets; prints a summary and the first N samples; and, with
`--expected` (taken from the folder by default when it holds one), compares every value with
what the Swift side wrote (tests' H5pyExportTests: token ids, labels, ids, modalities, pixel
SHA-256s, encoded bytes). For a folder it also checks index.json: keys, counts against the
files, and each file's SHA-256. Exits 1 with the reason on the first mismatch.
"""
import argparse
import base64
import hashlib
import json
import sys
from pathlib import Path

import h5py
import hdf5plugin  # noqa: F401  (registers filter 32015 with h5py's HDF5)
import numpy as np

ZSTD = "32015"
INDEX_KEYS = {"format", "version", "template", "tokenizer_sha256", "image", "shards", "skipped", "source"}


class Mismatch(Exception):
    pass


def require(condition, message):
    if not condition:
        raise Mismatch(message)


def as_str(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def check_dataset(f, name, dtype, ndim, compressed):
    require(name in f, f"{name}: missing")
    d = f[name]
    require(d.dtype == dtype, f"{name}: dtype {d.dtype}, expected {dtype}")
    require(d.ndim == ndim, f"{name}: shape {d.shape}, expected {ndim} dimensions")
    if compressed:
        require(ZSTD in d._filters, f"{name}: filters {d._filters}, expected zstd ({ZSTD})")
    return d


def check_offsets(name, offsets, total):
    require(offsets[0] == 0, f"{name}: starts at {offsets[0]}")
    require(bool(np.all(np.diff(offsets) >= 0)), f"{name}: decreases")
    require(offsets[-1] == total, f"{name}: ends at {offsets[-1]}, data has {total}")


def read_shard(path):
    """Checks the layout of one shard and returns its samples as plain Python values."""
    with h5py.File(path, "r") as f:
        require(as_str(f.attrs.get("format")) == "vlmtune-shard", f"@format is {f.attrs.get('format')!r}")
        require(int(f.attrs.get("version", -1)) == 1, f"@version is {f.attrs.get('version')!r}")
        ids = check_dataset(f, "tokens/input_ids", np.int32, 1, True)[()]
        labels = check_dataset(f, "tokens/labels", np.int32, 1, True)[()]
        token_offsets = check_dataset(f, "tokens/offsets", np.int64, 1, True)[()]
        image_offsets = check_dataset(f, "images/offsets", np.int64, 1, True)[()]
        sample_ids = check_dataset(f, "samples/id", h5py.string_dtype(), 1, False).asstr()[()]
        modality = check_dataset(f, "samples/modality", np.uint8, 1, True)[()]
        n = len(modality)
        require(len(ids) == len(labels), "tokens/labels: length differs from input_ids")
        require(len(token_offsets) == n + 1 and len(image_offsets) == n + 1 and len(sample_ids) == n, "offsets/ids: not N+1/N long")
        check_offsets("tokens/offsets", token_offsets, len(ids))
        if "images/pixels" in f:
            storage = "pixels"
            pixels = check_dataset(f, "images/pixels", np.uint8, 4, True)
            require(pixels.shape[1] == pixels.shape[2] and pixels.shape[3] == 3, f"images/pixels: shape {pixels.shape}")
            image_count = pixels.shape[0]
            level = pixels._filters[ZSTD][0]
            chunks = pixels.chunks
        else:
            storage = "encoded"
            encoded = check_dataset(f, "images/encoded", h5py.vlen_dtype(np.uint8), 1, False)
            formats = check_dataset(f, "images/format", h5py.string_dtype(), 1, False).asstr()[()]
            image_count = len(encoded)
            require(len(formats) == image_count, "images/format: length differs from images/encoded")
            level = f["tokens/input_ids"]._filters[ZSTD][0]
            chunks = encoded.chunks
        check_offsets("images/offsets", image_offsets, image_count)
        samples = []
        for i in range(n):
            images = []
            for m in range(image_offsets[i], image_offsets[i + 1]):
                if storage == "pixels":
                    images.append({"sha256": hashlib.sha256(pixels[m].tobytes()).hexdigest()})
                else:
                    require(formats[m] in ("png", "jpeg"), f"images/format[{m}] is {formats[m]!r}")
                    images.append({"base64": base64.b64encode(encoded[m].tobytes()).decode(), "format": formats[m]})
            t0, t1 = token_offsets[i], token_offsets[i + 1]
            samples.append({"id": sample_ids[i], "modality": int(modality[i]), "input_ids": ids[t0:t1].tolist(),
                            "labels": labels[t0:t1].tolist(), "images": images})
        summary = {"samples": n, "tokens": len(ids), "images": image_count, "storage": storage,
                   "zstd_level": int(level), "image_chunks": chunks,
                   "token_chunks": f["tokens/input_ids"].chunks}
        return summary, samples


def compare(name, samples, expected):
    require(expected["storage"] in ("pixels", "encoded"), f"{name}: bad expected storage")
    want = expected["samples"]
    require(len(samples) == len(want), f"{name}: {len(samples)} samples, expected {len(want)}")
    for i, (got, exp) in enumerate(zip(samples, want)):
        for key in ("id", "modality", "input_ids", "labels", "images"):
            require(got[key] == exp[key], f"{name}: sample {i} {key} differs: {str(got[key])[:80]} vs {str(exp[key])[:80]}")


def check_index(folder, summaries):
    index = json.loads((folder / "index.json").read_text())
    require(INDEX_KEYS <= set(index), f"index.json: keys {sorted(index)}")
    require(index["format"] == "vlmtune-shards" and index["version"] == 1, "index.json: format/version")
    require({"size", "mode", "storage", "mean", "std"} <= set(index["image"]), "index.json: image keys")
    for entry in index["shards"]:
        name = entry["file"]
        summary = summaries[name]
        for key in ("samples", "tokens", "images"):
            require(entry[key] == summary[key], f"index.json: {name} {key} {entry[key]} vs file {summary[key]}")
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        require(entry["sha256"] == digest, f"index.json: {name} sha256 {entry['sha256']} vs file {digest}")
        require(index["image"]["storage"] == summary["storage"], f"index.json: storage vs {name}")
    return index


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--expected", type=Path)
    parser.add_argument("--show", type=int, default=1)
    args = parser.parse_args()
    folder = args.path if args.path.is_dir() else args.path.parent
    files = sorted(folder.glob("shard-*.h5")) if args.path.is_dir() else [args.path]
    expected_path = args.expected or (folder / "expected.json" if (folder / "expected.json").exists() else None)
    expected = json.loads(expected_path.read_text())["files"] if expected_path else {}
    print(f"h5py {h5py.__version__}, HDF5 {h5py.version.hdf5_version}, hdf5plugin {hdf5plugin.version}")
    try:
        summaries = {}
        for path in files:
            summary, samples = read_shard(path)
            summaries[path.name] = summary
            print(f"{path.name}: " + ", ".join(f"{k}={v}" for k, v in summary.items()))
            for sample in samples[: args.show]:
                print(f"  sample {sample['id']!r}: modality {sample['modality']}, {len(sample['input_ids'])} tokens "
                      f"{sample['input_ids'][:6]}..., labels {sample['labels'][:6]}..., {len(sample['images'])} images")
            if path.name in expected:
                compare(path.name, samples, expected[path.name])
                print(f"  all {len(samples)} samples equal {expected_path.name}")
        if args.path.is_dir() and (folder / "index.json").exists():
            index = check_index(folder, summaries)
            print(f"index.json: {len(index['shards'])} shards, counts and sha256 agree with the files")
        require(not args.path.is_dir() or set(expected) <= set(summaries), f"expected files {sorted(expected)} not all checked")
    except Mismatch as error:
        print(f"MISMATCH: {error}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
