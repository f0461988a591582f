#!/usr/bin/env bash
# The main job on the bundled synthetic scans: scan, validate, export, reconcile. Output goes to ./demo/.
# Exit code 3 from a step means "finished, but something needs a person" and does not stop the demo.
set -u
cd "$(dirname "$0")/.."
cli=./bin/prf-backload
step() {
  echo
  echo "\$ prf-backload $*"
  "$cli" "$@"
  rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then echo "step failed (exit $rc)"; exit "$rc"; fi
}
rm -rf demo
step scan fixtures/scans --job demo/job --workers 2
step validate --job demo/job
step export --job demo/job --out demo/batches
step reconcile --job demo/job --cad fixtures/cad-incidents.csv --out demo/reconcile.csv
step review export --job demo/job --out demo/corrections.csv
echo
echo "Import batches (if any form was ready): demo/batches/  (each with manifest.json)"
echo "What needs a person: demo/corrections.csv, or the review page:"
echo "  ./bin/prf-backload review --job demo/job --reviewer YOUR-ID"
