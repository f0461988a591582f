#!/bin/sh
# npm run train:icr: the whole training, reproducible (fixed seeds). Builds the data set in Node (the reader's own
# cutCell and cellTensor), trains and exports ONNX in Python, evaluates the exported model in Node through
# onnxruntime-node, and writes the held-out fixture and docs/model-card-icr.md.
#   training/run.sh [--quick]    (--quick: a few minutes, no scanned cells; for trying changes, not for shipping)
set -eu
cd "$(dirname "$0")/.."
QUICK=""
# 6 epochs a member (about 19 min of CPU each, the two members on one core each).
EPOCHS=6
[ "${1:-}" = "--quick" ] && QUICK="--quick" && EPOCHS=4
OUT=training/data
rm -rf "$OUT"
build() { node --import tsx training/build-dataset.ts --out "$OUT" $QUICK --part "$1"; }
start=$(date +%s)
# Two cores: the parts run two at a time (the train-pool scans, the longest part, on one core alone).
( build scans-train ) &
A=$!
( build mnist && build strokes && build fonts-train && build fonts-validation && build scans-validation && build fonts-test && build scans-test ) &
B=$!
wait $A
wait $B
node --import tsx training/build-dataset.ts --out "$OUT" --combine
# Two members, one a core, from different seeds; then one ONNX graph that averages them.
member() { /usr/bin/python3 training/train.py --data "$OUT" --epochs "$EPOCHS" --seed "$1" --threads 1; }
member 12 &
M12=$!
member 13 &
M13=$!
wait $M12
wait $M13
/usr/bin/python3 training/train.py --data "$OUT" --out models --members 12,13
node --import tsx training/evaluate.ts --data "$OUT" --models models --card docs/model-card-icr.md --fixture fixtures/icr-heldout
echo "train:icr done in $(( $(date +%s) - start )) s"
