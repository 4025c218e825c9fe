#!/usr/bin/env python3
"""The demo's short and yes/no answers scored per question template and per number of
objects in the image: which kinds of lookup the model gets, and whether more objects (more
wrong places to look) cost more. Colours, shapes and quadrants in a question are masked
(C, S, P), so "What color is the S?" is one row.

Usage:  python scripts/research/demo_accuracy_by_question.py DEMO_DATA EVAL_DIR
  DEMO_DATA: a demo's data folder (eval/short.jsonl, eval/yesno.jsonl, eval/caption.jsonl)
  EVAL_DIR:  `vlmtune eval --out` of those sets (Checkpoints/demo/eval/stage2 in a demo)
"""
import collections
import json
import re
import sys

from demo_captions import objects_in  # this folder is on sys.path when run as a script

data, evals = sys.argv[1], sys.argv[2]


def template(question):
    q = question.replace("<image>", "").strip().split("\n")[0]
    q = re.sub(r"\b(top|bottom) (left|right)\b", "P", q)
    q = re.sub(r"\b(red|green|blue|yellow)\b", "C", q)
    return re.sub(r"\b(circle|square|triangle)\b", "S", q)


objects = {}  # image -> number of objects, from its reference caption
for line in open(f"{data}/eval/caption.jsonl"):
    item = json.loads(line)
    objects[item["image"]] = len(objects_in(item["answer"]))
image_of = {}
for name in ["short", "yesno"]:
    for line in open(f"{data}/eval/{name}.jsonl"):
        item = json.loads(line)
        image_of[item["id"]] = item["image"]

right, seen = collections.Counter(), collections.Counter()
for name in ["short", "yesno"]:
    for line in open(f"{evals}/{name}/answers.jsonl"):
        a = json.loads(line)
        ok = a["text"].strip().lower().rstrip(".") == a["reference"].strip().lower()
        for key in [(template(a["prompt"]), "all"), (template(a["prompt"]), objects[image_of[a["question_id"]]])]:
            seen[key] += 1
            right[key] += ok
print("| question | all | 1 object | 2 | 3 | 4 |")
print("|---|---|---|---|---|---|")
for q in sorted({q for q, _ in seen}):
    cells = [f"{right[q, k] / seen[q, k]:.2f} ({seen[q, k]})" if seen[q, k] else "-" for k in ["all", 1, 2, 3, 4]]
    print(f"| {q} | " + " | ".join(cells) + " |")
