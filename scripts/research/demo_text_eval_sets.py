#!/usr/bin/env python3
"""Text-only versions of the demo's held-out sets: each question gets its image's caption
(from eval/caption.jsonl) in place of the image, so the demo's pretrained LLM alone can be
scored on them with `vlmtune eval --checkpoint <lm-pretrain run> --set text-short.jsonl`.

Usage:  python scripts/research/demo_text_eval_sets.py Checkpoints/demo/data OUT_DIR
Writes OUT_DIR/text-yesno.jsonl, text-short.jsonl and text-caption.jsonl (repeat the caption).
"""
import json
import sys


def write_text_sets(data, out, names, stand_in=lambda caption: caption):
    """Writes OUT/text-NAME.jsonl for each eval set NAME, the image of every item replaced by
    stand_in(its caption): where the question has an <image> tag, else on a line before it."""
    captions = {}
    for line in open(f"{data}/eval/caption.jsonl"):
        item = json.loads(line)
        captions[item["image"]] = item["answer"]
    for name in names:
        with open(f"{out}/text-{name}.jsonl", "w") as f:
            for line in open(f"{data}/eval/{name}.jsonl"):
                item = json.loads(line)
                text = stand_in(captions[item.pop("image")])
                q = item["question"]
                item["question"] = q.replace("<image>", text) if "<image>" in q else text + "\n" + q
                f.write(json.dumps(item) + "\n")


if __name__ == "__main__":
    write_text_sets(sys.argv[1], sys.argv[2], ["yesno", "short", "caption"])
