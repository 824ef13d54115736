#!/usr/bin/env bash
# Runs fuzz targets for a while each and prints one line per run for the
# table in fuzz/README.md.
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS defaults to 600; no TARGET means every target. JOBS (default 2)
# targets run at a time, at the lowest priority. New inputs go to
# fuzz/corpus/TARGET (not committed), crashes to fuzz/artifacts/TARGET,
# each run's log to fuzz/logs/TARGET.log. Needs nightly Rust and
# `cargo install cargo-fuzz`.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  # the multi-threaded readers first: they have the most paths
  mapfile -t targets < <(cargo +nightly fuzz list | sort -t_ -k1,1r -s |
    awk '/^(survey|sqi|incidents|volume|events)/ {print; next} {rest[n++] = $0} END {for (i = 0; i < n; i++) print rest[i]}')
fi
cargo +nightly fuzz build -O
mkdir -p logs
run_one() {
  local t=$1 secs=$2
  mkdir -p "corpus/$t"
  local start=$SECONDS status=0
  nice -n 19 cargo +nightly fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -print_final_stats=1 -rss_limit_mb=2048 \
    >"logs/$t.log" 2>&1 || status=$?
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | grep -o '[0-9]*$' || echo "?")
  local finding="none"
  if [ "$status" -ne 0 ]; then
    finding="crash: $(ls -t "artifacts/$t" 2>/dev/null | head -1)"
  fi
  printf '%s\t%ss\t%s execs\t%s\t%s files in corpus\n' "$t" "$((SECONDS - start))" "$execs" "$finding" \
    "$(find "corpus/$t" -type f | wc -l)"
}
export -f run_one
printf '%s\n' "${targets[@]}" | xargs -P "${JOBS:-2}" -I{} bash -c "run_one {} $secs"
