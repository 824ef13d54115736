#!/usr/bin/env bash
# Benchmark `servgap survey` against the fastest peers (polars, DuckDB) in one run,
# on the generated 1M-respondent survey: long form as generated, wide form, and the
# long rows shuffled. Each command is timed as a whole process by the peers' own
# measurement (../shared/bench/timeit.py: wall, cpu, peak RSS), the three in
# alternation (benches/paired.py: 1 warm-up round, then the median of 3 rounds,
# and the per-round ratios).
# Also checks that servgap's figures agree with DuckDB's to 1e-9.
#
#   bash benches/survey.sh [RESPONDENTS]          (default 1000000; 100000 for a quick run)
#
# Set-up is automatic: a Python venv with the peers' pinned packages in
# target/bench-venv, generated data in target/bench-data (about 1.5 GB for 1M).
set -euo pipefail
n=${1:-1000000}
source "$(dirname "$0")/setup.sh"
long=$data/survey_long_$n.csv wide=$data/survey_wide_$n.csv shuf=$data/survey_long_${n}_shuffled.csv
[ -f "$long" ] && [ -f "$wide" ] || "$PY" "$bench/gen.py" survey --respondents "$n" --outdir "$data" >/dev/null
[ -f "$shuf" ] || "$PY" "$root/benches/shuffle.py" "$long" "$shuf"
(cd "$root" && cargo build --release -q -p servgap-cli)
sg=$root/target/release/servgap
echo "# survey benchmark, $n respondents, $(nproc) cores, $(date -u +%F)"
for f in "$long" "$wide" "$shuf"; do
    echo "## $(basename "$f") ($(du -m "$f" | cut -f1) MB)"
    "$sg" survey "$f" --by segment --format json | "$PY" "$root/benches/peer_format.py" > "$data/servgap.out.csv"
    "$PY" "$bench/peer_duckdb.py" survey "$f" > "$data/duckdb.out.csv"
    "$PY" "$bench/compare.py" "$data/servgap.out.csv" "$data/duckdb.out.csv"
    "$PY" "$root/benches/paired.py" -n "$runs" --warmup 1 -- \
        "$sg" survey "$f" --by segment --format json -- \
        "$PY" "$bench/peer_polars.py" survey "$f" -- \
        "$PY" "$bench/peer_duckdb.py" survey "$f" | grep -E '^(A (= |exit|wall|cpu|peak)|R )'
done
