#!/usr/bin/env python3
"""Shuffle a CSV's data rows deterministically (exports are not always sorted by respondent).

    python3 benches/shuffle.py IN.csv OUT.csv [SEED]
"""
import random
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    with open(src, "rb") as f:
        header = f.readline()
        rows = f.read().splitlines(keepends=True)
    random.Random(seed).shuffle(rows)
    with open(dst, "wb") as f:
        f.write(header)
        f.writelines(rows)


if __name__ == "__main__":
    main()
