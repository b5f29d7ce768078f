#!/usr/bin/env bash
# Runs a Folio pipeline over CORPUS as a Slurm job array of N parts, then merges the reports:
#
#   Examples/slurm/submit.sh CORPUS N OUT -p PLUGIN...
#
# CORPUS must be on a file system every node mounts. The report is OUT/report.tsv, the same
# bytes as `folio run CORPUS -p PLUGIN...` on one machine; FOLIO_DOCS=1 also keeps the
# documents (OUT/docs/part-NNNNN.jsonl, in corpus order). When a plugin reads the corpus
# twice (entities, dedupe), a first array runs their scan pass and the second array uses it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corpus=$1 n=$2 out=$3
shift 3
mkdir -p "$out/scan" "$out/states" "$out/docs" "$out/logs"
after=()
# Does a plugin read the corpus twice? folio says, from an empty input.
if "${FOLIO:-folio}" run - "$@" --part 1/1 --save-scan-state - -q </dev/null | sed -n 2p \
  | grep -q '"reports":\[[^]]*true'; then
  scan=$(sbatch --parsable --array="1-$n" --output="$out/logs/scan-%a.log" \
    "$here/folio-part.sbatch" scan "$corpus" "$out" "$@")
  after=(--dependency="afterok:$scan")
fi
run=$(sbatch --parsable --array="1-$n" --output="$out/logs/run-%a.log" "${after[@]}" \
  "$here/folio-part.sbatch" run "$corpus" "$out" "$@")
sbatch --parsable --dependency="afterok:$run" --output="$out/logs/merge.log" \
  "$here/folio-merge.sbatch" "$out"
