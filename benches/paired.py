#!/usr/bin/env python3
"""Times several commands in alternation, with the peers' own measurement.

    python3 benches/paired.py [-n RUNS] [--warmup W] [--timeout S] -- CMD1 ARG... -- CMD2 ARG... ...

Each round runs every command once, in the order given; after W warm-up rounds,
RUNS rounds are timed. A command is timed by `run` of ../shared/bench/timeit.py
(a whole process, output to /dev/null: wall time, user+sys CPU, peak RSS from
wait4), and the rows printed are timeit.py's (min / median / max per command).

Why alternation: on this shared machine the host's speed drifts by tens of per
cent within minutes. timeit.py runs one command's repetitions back to back, so
a ratio of two commands timed one after the other also measures the drift.
Alternating puts every command under the same conditions in each round. The
`R` rows give, per round and as a median, each other command's wall time over
the first's, and the fastest other's over the first's.
"""
import argparse
import importlib.util
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "peer_timeit", os.path.join(HERE, "..", "..", "shared", "bench", "timeit.py")
)
peer_timeit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer_timeit)


def split_commands(words):
    cmds, cur = [], []
    for w in words:
        if w == "--":
            if cur:
                cmds.append(cur)
            cur = []
        else:
            cur.append(w)
    if cur:
        cmds.append(cur)
    return cmds


def main():
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument("-n", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("cmds", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmds = split_commands(a.cmds)
    if not cmds:
        ap.error("no command")
    start = time.monotonic()
    for _ in range(a.warmup):
        for c in cmds:
            peer_timeit.run(c)
    res = [[] for _ in cmds]
    rounds = 0
    while rounds < a.n and time.monotonic() - start < a.timeout:
        for i, c in enumerate(cmds):
            res[i].append(peer_timeit.run(c))
        rounds += 1
    for c, r in zip(cmds, res):
        print("A = " + " ".join(c))
        ok = sum(x[0] == 0 for x in r)
        print(f"A exit {0 if ok == len(r) else 'nonzero'} ({ok} of {len(r)})")
        for k, label in ((1, "wall s"), (2, "cpu s"), (3, "peak MiB")):
            v = [x[k] for x in r]
            print(f"A {label:<13}{min(v):>12.3f}{statistics.median(v):>12.3f}{max(v):>12.3f}")

    def ratio_row(label, ratios):
        if ratios:
            print(
                f"R {label}, per round: "
                + " ".join(f"{x:.2f}" for x in ratios)
                + f"; median {statistics.median(ratios):.2f}"
            )

    for i in range(1, len(cmds)):
        ratio_row(
            f"command {i + 1} / command 1",
            [o[1] / f[1] for f, o in zip(res[0], res[i]) if f[1] > 0],
        )
    if len(cmds) > 2:
        ratio_row(
            "fastest of the others / command 1",
            [
                min(res[i][j][1] for i in range(1, len(cmds))) / res[0][j][1]
                for j in range(rounds)
                if res[0][j][1] > 0
            ],
        )


if __name__ == "__main__":
    sys.exit(main())
