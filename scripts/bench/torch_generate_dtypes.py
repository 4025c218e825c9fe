#!/usr/bin/env python3
"""transformers' generate on the `small` benchmark shape with the LLM's weights in f32 and in
bf16: the same model, prompt (BOS + image + 16 text tokens) and 32 greedy tokens as
shared/bench/torch_reference.py's gen phase, whose builders it reuses. Prints decode
tokens/s (excluding prefill) per dtype. For docs/PERFORMANCE.md; needs torch + transformers.

Usage:  python scripts/bench/torch_generate_dtypes.py [f32] [bf16]
"""
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
for shared in (os.path.join(HERE, "..", "..", "shared", "bench"), os.path.join(HERE, "..", "..", "..", "shared", "bench")):
    if os.path.exists(os.path.join(shared, "torch_reference.py")):
        sys.path.insert(0, shared)
        break
import torch  # noqa: E402
import torch_reference as R  # noqa: E402

torch.set_num_threads(2)
cfg = json.load(open(os.path.join(sys.path[0], "configs.json")))["small"]
for dtype in sys.argv[1:] or ["f32", "bf16"]:
    model, config, image_token_id = R.build_model(cfg)
    model.eval()
    if dtype == "bf16":  # the LLM only, as vlmtune's model.llm.dtype / --llm-dtype
        model.model.language_model.to(torch.bfloat16)
        model.lm_head.to(torch.bfloat16)
    ids, _, pix, am = R.make_batch(cfg, image_token_id, batch=1, text_tokens=16, seed=2)
    kw = dict(do_sample=False, use_cache=True, pad_token_id=0, eos_token_id=2, num_beams=1)

    def run(n):
        t0 = time.perf_counter()
        with torch.inference_mode():
            model.generate(input_ids=ids, pixel_values=pix, attention_mask=am, max_new_tokens=n, min_new_tokens=n, **kw)
        return time.perf_counter() - t0

    run(2)
    prefill = statistics.median(run(1) for _ in range(3))
    full = statistics.median(run(32) for _ in range(3))
    print(f"{dtype} decode tokens/s {31 / (full - prefill):.2f} (prefill + 1 token {prefill:.3f} s)", flush=True)
