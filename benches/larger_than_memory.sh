#!/usr/bin/env bash
# A survey file at least three times the memory the process may use: the
# 1M-respondent long survey (625 MB), sorted and shuffled, read as a file
# and from standard input, under an address-space limit (`prlimit --as`).
# Prints file size, limit, wall time, peak RSS and the exit code.
#
#   bash benches/larger_than_memory.sh [servgap] [limit MiB]
set -u
S=${1:-target/release/servgap}
LIMIT_MIB=${2:-208}
root=$(cd "$(dirname "$0")/.." && pwd)
B=${BENCH_DATA:-$root/target/bench-data}
limit=$((LIMIT_MIB << 20))
printf '%-36s %-6s %10s %9s %8s %12s %5s\n' file input bytes limit wall "peak RSS" exit
for f in survey_long_1000000.csv survey_long_1000000_shuffled.csv; do
  size=$(stat -c %s "$B/$f")
  for mode in file stdin; do
    if [ "$mode" = file ]; then
      /usr/bin/time -f "%e %M" -o /tmp/ltm.time prlimit --as=$limit "$S" survey "$B/$f" --format json >/dev/null 2>/tmp/ltm.err
    else
      /usr/bin/time -f "%e %M" -o /tmp/ltm.time prlimit --as=$limit "$S" survey - --format json <"$B/$f" >/dev/null 2>/tmp/ltm.err
    fi
    code=$?
    read -r wall rss < <(tail -1 /tmp/ltm.time)
    printf '%-36s %-6s %10s %6s MiB %7ss %8s MiB %5s\n' "$f" "$mode" "$size" "$LIMIT_MIB" "$wall" "$((rss / 1024))" "$code"
  done
done
