# Sourced by the benchmark scripts: paths, the peers' Python venv (created
# with their pinned packages on first use) and the data folder.
#   BENCH_VENV  venv folder   (default target/bench-venv)
#   BENCH_DATA  data folder   (default target/bench-data)
#   RUNS        timed runs    (default 3)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/../shared/bench
venv=${BENCH_VENV:-$root/target/bench-venv}
data=${BENCH_DATA:-$root/target/bench-data}
runs=${RUNS:-3}
PY=$venv/bin/python3
if [ ! -x "$PY" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$bench/requirements.txt"
fi
mkdir -p "$data"
