#!/usr/bin/env bash
# The main job on the bundled synthetic scans: scan, validate (against the CAD log, the staff list and the downtime's days), review (from a committed keyed file), validate,
# export, reconcile. Output goes to ./demo/; the import batch is in demo/batches/.
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
# The bundled forms were written in a downtime of 18 July to 31 August 2023: an incident date outside it goes to a person.
step validate --job demo/job --cad fixtures/cad-incidents.csv --roster fixtures/staff-roster.csv --downtime 2023-07-18..2023-08-31
# A copy as it stands before anyone reviewed it, for npm run bench:review.
cp -a demo/job demo/job-before-review
# The review of what the machine could not prove. The values come from fixtures/demo-keyed.csv: what a person keyed
# reading the bundled forms (labelled as such), matched by serial and field and applied through the real corrections
# CSV. Round 1 is one person; round 2 another (the blind second keying of NHS numbers and dates of birth where the
# machine had no valid reading); round 3 a third, for anything sent back (a finding a correction created).
for round in 1 2 3; do
  step review export --job demo/job --out demo/corrections-$round.csv
  echo "\$ (fill demo/corrections-$round.csv from fixtures/demo-keyed.csv)"
  node --import tsx scripts/demo-fill.ts demo/corrections-$round.csv fixtures/demo-keyed.csv demo/corrections-$round-filled.csv || exit 1
  step review apply demo/corrections-$round-filled.csv --job demo/job --reviewer demo.keyer$round
done
step validate --job demo/job
step export --job demo/job --out demo/batches
step reconcile --job demo/job --cad fixtures/cad-incidents.csv --out demo/reconcile.csv
step status --job demo/job
echo
echo "Import batches: demo/batches/ (each with manifest.json). What was keyed: demo/corrections-*-filled.csv."
echo "Anything still needing a person: ./bin/prf-backload review --job demo/job --reviewer YOUR-ID"
