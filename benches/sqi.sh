#!/usr/bin/env bash
# Benchmark `servgap sqi` against the fastest peers (polars, DuckDB) in one run, on
# the generated incident log of 365 days x SITES sites with its volume file: points
# per site and day, points per 1000 packages and the Pareto (what the peers compute),
# plus servgap's control limits and per-category counts. Each command is timed as a
# whole process by the peers' own measurement (../shared/bench/timeit.py: wall, cpu,
# peak RSS), the three in alternation (benches/paired.py: 1 warm-up round, then the
# median of 3 rounds, and the per-round ratios). Checks servgap against DuckDB to
# 1e-9 first.
#
#   bash benches/sqi.sh [SITES]          (default 3000; 300 for a quick run)
#
# Set-up is automatic, as for benches/survey.sh (BENCH_VENV, BENCH_DATA).
set -euo pipefail
sites=${1:-3000}
source "$(dirname "$0")/setup.sh"
inc=$data/incidents_365x$sites.csv vol=$data/volume_365x$sites.csv
[ -f "$inc" ] && [ -f "$vol" ] || "$PY" "$bench/gen.py" sqi --days 365 --sites "$sites" --outdir "$data" >/dev/null
(cd "$root" && cargo build --release -q -p servgap-cli)
sg=$root/target/release/servgap
echo "# SQI benchmark, 365 days x $sites sites, $(nproc) cores, $(date -u +%F)"
echo "## $(basename "$inc") ($(du -m "$inc" | cut -f1) MB) + $(basename "$vol") ($(du -m "$vol" | cut -f1) MB)"
"$sg" sqi "$inc" --volume "$vol" --by site --format csv | "$PY" "$root/benches/peer_format_sqi.py" > "$data/servgap.sqi.csv"
"$PY" "$bench/peer_duckdb.py" sqi "$inc" "$vol" > "$data/duckdb.sqi.csv"
"$PY" "$bench/compare.py" "$data/servgap.sqi.csv" "$data/duckdb.sqi.csv"
"$PY" "$root/benches/paired.py" -n "$runs" --warmup 1 -- \
    "$sg" sqi "$inc" --volume "$vol" --by site --format csv -- \
    "$PY" "$bench/peer_polars.py" sqi "$inc" "$vol" -- \
    "$PY" "$bench/peer_duckdb.py" sqi "$inc" "$vol" | grep -E '^(A (= |exit|wall|cpu|peak)|R )'
