#!/usr/bin/env python3
"""Eval sets made of the demo's *training* questions, in the held-out sets' format, so that
`vlmtune eval` can score a stage 2 checkpoint on what it was trained on: if it answers these
no better than the held-out ones, it is underfitting, not memorising.

Takes up to 150 questions of each short group (colour, shape, count, position; not the
multiple-choice ones, whose answer is a letter) and 300 existence questions, in a seeded
shuffle of instruct.json; the answers are the training answers. OUT_DIR/images links to the
training images.

Usage:  python scripts/research/demo_train_questions.py Checkpoints/demo/data OUT_DIR
        vlmtune eval --checkpoint <stage 2 checkpoint> --set OUT_DIR/short.jsonl --out EVAL_DIR
"""
import json
import os
import random
import sys

GROUPS = {"What color": "colour", "What shape": "shape", "How many": "count", "Where is": "position"}
PER_GROUP, EXISTENCE = 150, 300

data, out = sys.argv[1], sys.argv[2]
samples = json.load(open(f"{data}/instruct.json"))
random.Random(1).shuffle(samples)
short, yesno, taken = [], [], dict.fromkeys(GROUPS.values(), 0)
for sample in samples:
    turns = sample["conversations"]
    image = "images/" + os.path.basename(sample["image"])
    for q, a in zip(turns[0::2], turns[1::2]):
        if "\nA. " in q["value"]:
            continue  # multiple choice: its answer is a letter
        question = q["value"].replace("<image>\n", "").split("\n")[0]
        if question.startswith("Is there") and len(yesno) < EXISTENCE:
            yesno.append({"answer": a["value"], "group": "existence", "id": f"train-yesno-{len(yesno)}",
                          "image": image, "question": question, "type": "yesno"})
        for prefix, group in GROUPS.items():
            if question.startswith(prefix) and taken[group] < PER_GROUP:
                taken[group] += 1
                short.append({"answer": a["value"], "group": group, "id": f"train-short-{len(short)}",
                              "image": image, "question": question, "type": "short"})
os.makedirs(out, exist_ok=True)
if not os.path.lexists(f"{out}/images"):
    os.symlink(os.path.abspath(f"{data}/images/train"), f"{out}/images")
for name, items in (("short", short), ("yesno", yesno)):
    with open(f"{out}/{name}.jsonl", "w") as f:
        f.writelines(json.dumps(item) + "\n" for item in items)
print(f"{out}: {len(short)} short ({taken}), {len(yesno)} yes/no")
