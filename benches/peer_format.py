#!/usr/bin/env python3
"""Print servgap's survey JSON in the peers' CSV block format (../shared/bench/README.md),
so that ../shared/bench/compare.py can check servgap against pandas, polars, DuckDB and
plain Python to 1e-9.

    servgap survey FILE --by segment --format json | python3 benches/peer_format.py > out.csv
    python3 ../shared/bench/compare.py out.csv peer_out.csv
"""
import csv
import json
import sys


def main():
    doc = json.load(sys.stdin)
    sets = [("ALL", doc)] + [(g["segment"], g) for g in sorted(doc["groups"], key=lambda g: g["segment"])]
    w = csv.writer(sys.stdout, lineterminator="\n")

    def num(x):
        return "" if x is None else repr(float(x))

    w.writerow(["segment", "item", "dimension", "mean_e", "mean_p", "gap", "sd_gap", "n"])
    for seg, t in sets:
        for i in t["items"]:
            w.writerow([seg, i["item"], i["dimension"], num(i["mean_e"]), num(i["mean_p"]), num(i["gap"]), num(i["sd"]), i["n"]])
    sys.stdout.write("\n")
    w.writerow(["segment", "dimension", "mean_e", "mean_p", "gap", "sd_gap", "n"])
    for seg, t in sets:
        for d in t["dimensions"]:
            w.writerow([seg, d["dimension"], num(d["mean_e"]), num(d["mean_p"]), num(d["gap"]), num(d["sd"]), d["n"]])
    sys.stdout.write("\n")
    w.writerow(["segment", "mean_e", "mean_p", "servqual", "n_respondents"])
    for seg, t in sets:
        dims = t["dimensions"]
        me = sum(d["mean_e"] for d in dims) / len(dims)
        mp = sum(d["mean_p"] for d in dims) / len(dims)
        w.writerow([seg, num(me), num(mp), num(t["servqual"]["unweighted"]), t["respondents"]])


if __name__ == "__main__":
    main()
