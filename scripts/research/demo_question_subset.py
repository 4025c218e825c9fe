#!/usr/bin/env python3
"""A subset of the demo's stage 2 conversations, by kind of question, to train stage 2 on one
kind (or a few) at a time and see which lookups the model learns alone and which it loses
when the kinds are mixed. One-round conversations only.

Usage:  python scripts/research/demo_question_subset.py DEMO_DATA OUT.json --kinds colour_of_shape[,where...]
            [--objects N | LO-HI] [--filler]
  kinds: colour_of_shape ("What color is the circle?"), colour_at ("What color is the shape in
         the top left?"), shape_at, where ("Where is the red circle?"), exists, count, box, caption, all
  --objects: only images with this many objects (2, or 2-4)
  --filler: 0-3 short sentences before and after each question ("Look at the image."), so the
         question's words and the image sit at varying distances from the answer

Then:   vlmtune data convert --json OUT.json --images DEMO_DATA/images --tokenizer DEMO/tokenizer \
            --template vicuna_v1 --out SHARDS --image-size 64 --max-length 256
        vlmtune train DEMO/runs/stage2/recipe.yaml data.train=SHARDS train.max_steps=N train.epochs=100 \
            checkpoint.dir=RUN
        vlmtune eval --checkpoint RUN/checkpoints/step-N --set DEMO_DATA/eval/short.jsonl --out EVAL  (and yesno.jsonl)
        python scripts/research/demo_accuracy_by_question.py DEMO_DATA EVAL/step-N
"""
import argparse
import json
import random
import re

from demo_captions import objects_in  # this folder is on sys.path when run as a script

KINDS = {
    "colour_of_shape": r"^What color is the (circle|square|triangle)\?",
    "colour_at": r"^What color is the shape in the",
    "shape_at": r"^What shape is in the",
    "where": r"^Where is the",
    "exists": r"^Is there a",
    "count": r"^How many shapes",
    "box": r"^Give the bounding box",
    "caption": r"^Describe the image",
}
FILLER = ["Answer the question.", "Look at the image.", "There is a shape."]

ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("out")
ap.add_argument("--kinds", required=True)
ap.add_argument("--objects", default="1-4")
ap.add_argument("--filler", action="store_true")
args = ap.parse_args()
kinds = list(KINDS) if args.kinds == "all" else args.kinds.split(",")
unknown = [k for k in kinds if k not in KINDS]
if unknown:
    raise SystemExit(f"error: unknown kind {unknown[0]} (one of {', '.join(KINDS)}, all)")

low, _, high = args.objects.partition("-")
low, high = int(low), int(high or low)
objects = {c["image"]: len(objects_in(c["conversations"][1]["value"]))
           for c in json.load(open(f"{args.data}/captions.json"))}
rng = random.Random(0)
out = []
for conv in json.load(open(f"{args.data}/instruct.json")):
    turns = conv["conversations"]
    question = turns[0]["value"].replace("<image>", "").strip()
    if len(turns) != 2 or not low <= objects[conv["image"]] <= high:
        continue
    if not any(re.search(KINDS[k], question) for k in kinds):
        continue
    if args.filler:
        first, _, rest = question.partition("\n")
        before = " ".join(rng.choice(FILLER) for _ in range(rng.randint(0, 3)))
        after = " ".join(rng.choice(FILLER) for _ in range(rng.randint(0, 3)))
        question = " ".join(p for p in [before, first, after] if p) + ("\n" + rest if rest else "")
    out.append({**conv, "conversations": [{"from": "human", "value": "<image>\n" + question}, turns[1]]})
json.dump(out, open(args.out, "w"))
print(f"{len(out)} conversations")
