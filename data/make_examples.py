#!/usr/bin/env python3
"""Regenerates the example datasets in data/ (standard library only, fixed seed).

    python3 data/make_examples.py

example_survey.csv      long form: 300 respondents x 22 SERVQUAL items, 1-7 scale,
                        segments and sites (Chinese site names), ~2% missing cells
example_importance.csv  SERVQUAL 100-point allocation for 280 of the respondents

The story (continued by the gap-model examples): customers expect most of
Reliability and Responsiveness; perception falls shortest on Responsiveness,
worst at the 广州 site.
"""
import os
import random

ITEMS = [f"q{i:02d}" for i in range(1, 23)]
DIMS = ["Tangibles"] * 4 + ["Reliability"] * 5 + ["Responsiveness"] * 4 + ["Assurance"] * 4 + ["Empathy"] * 5
DIM_NAMES = ["Tangibles", "Reliability", "Responsiveness", "Assurance", "Empathy"]
E_LEVEL = {"Tangibles": 5.2, "Reliability": 6.4, "Responsiveness": 6.1, "Assurance": 5.9, "Empathy": 5.6}
P_SHIFT = {"Tangibles": -0.1, "Reliability": -0.7, "Responsiveness": -1.2, "Assurance": -0.4, "Empathy": -0.5}
SITE_SHIFT = {"北京": 0.1, "上海": 0.0, "广州": -0.6}
SEGMENTS = [("consumer", 0.55), ("business", 0.35), ("vip", 0.10)]


def clip(x):
    return max(1, min(7, round(x)))


def main():
    rng = random.Random(20261123)
    here = os.path.dirname(os.path.abspath(__file__))
    survey = ["respondent_id,segment,site,item,expectation,perception"]
    importance = ["respondent_id,dimension,points"]
    for r in range(1, 301):
        rid = f"C{r:04d}"
        seg = rng.choices([s for s, _ in SEGMENTS], [w for _, w in SEGMENTS])[0]
        site = rng.choice(list(SITE_SHIFT))
        scale_use = rng.gauss(0, 0.5)
        mood = rng.gauss(0, 0.4) + (0.2 if seg == "vip" else 0.0)
        for item, dim in zip(ITEMS, DIMS):
            e = clip(E_LEVEL[dim] + scale_use + rng.gauss(0, 0.6))
            p = clip(E_LEVEL[dim] + scale_use + P_SHIFT[dim] + SITE_SHIFT[site] + mood + rng.gauss(0, 0.9))
            es, ps = str(e), str(p)
            u = rng.random()
            if u < 0.01:
                es = ""
            elif u < 0.02:
                ps = "NA"
            survey.append(f"{rid},{seg},{site},{item},{es},{ps}")
        if r <= 280:
            base = {"Tangibles": 10, "Reliability": 30, "Responsiveness": 25, "Assurance": 20, "Empathy": 15}
            pts = {d: max(0, base[d] + rng.randint(-5, 5)) for d in DIM_NAMES}
            pts["Reliability"] += 100 - sum(pts.values())
            importance.extend(f"{rid},{d},{pts[d]}" for d in DIM_NAMES)
    with open(os.path.join(here, "example_survey.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(survey) + "\n")
    with open(os.path.join(here, "example_importance.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(importance) + "\n")


if __name__ == "__main__":
    main()
