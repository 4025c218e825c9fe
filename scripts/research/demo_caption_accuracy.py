#!/usr/bin/env python3
"""Per-object accuracy of the demo's generated captions (answers.jsonl of the caption set):
the fraction of reference objects named exactly (colour, shape, quadrant), and the colour and
shape named at each reference object's quadrant. CIDEr rewards the fixed wording; this
shows whether the image content got through.

Usage:  python scripts/research/demo_caption_accuracy.py Checkpoints/demo/eval/stage2/caption/answers.jsonl
"""
import json
import sys

from demo_captions import objects_in  # this folder is on sys.path when run as a script

n = exact = total = recalled = colour = shape = 0
for line in open(sys.argv[1]):
    a = json.loads(line)
    ref, got = set(objects_in(a["reference"])), set(objects_in(a["text"]))
    n += 1
    exact += ref == got
    total += len(ref)
    recalled += len(ref & got)
    at = {q: (c, s) for c, s, q in got}
    for c, s, q in ref:
        if q in at:
            colour += at[q][0] == c
            shape += at[q][1] == s
print(f"captions {n}: exact {exact / n:.3f}, objects recalled {recalled / total:.3f}, "
      f"colour at quadrant {colour / total:.3f}, shape at quadrant {shape / total:.3f}")
