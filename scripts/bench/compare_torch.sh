#!/bin/bash
# The same-session comparison of docs/PERFORMANCE.md: vlmtune bench and the PyTorch
# reference one after the other (needs a python with torch, transformers, peft: PYTHON=...).
set -e
cd "$(dirname "$0")/../.."
V=.build/release/vlmtune
PY=${PYTHON:-python3}
REF=../shared/bench/torch_reference.py
[ -f "$REF" ] || REF=shared/bench/torch_reference.py
for s in 1 2 eval; do $V bench train --config small --stage $s; done
$PY $REF --config small --phases stage1,stage2,eval --json torch-small-eager.json
for s in 1 2; do $V bench train --config small --stage $s; done
$PY $REF --config small --phases stage1,stage2 --compile --json torch-small-compiled.json
for d in float32 bfloat16; do $V bench train --config small --stage generate --llm-dtype $d; done
$PY scripts/bench/torch_generate_dtypes.py f32 bf16
for s in 1 2; do $V bench train --config tiny --stage $s; done
$PY $REF --config tiny --phases stage1,stage2 --json torch-tiny-eager.json
