#!/usr/bin/env python3
"""Regenerates the example datasets in data/ (standard library only, fixed seed).

    python3 data/make_examples.py

example_survey.csv      long form: 300 respondents x 22 SERVQUAL items, 1-7 scale,
                        segments and sites (Chinese site names), ~2% missing cells
example_importance.csv  SERVQUAL 100-point allocation for 280 of the respondents
example_incidents.csv   one row per service incident (RFC 3339 timestamps), 2026 Q1,
                        the three sites, FedEx SQI categories (fedex12)
example_volume.csv      packages handled per site and day, 2026 Q1

The story (continued by the gap-model examples): customers expect most of
Reliability and Responsiveness; perception falls shortest on Responsiveness,
worst at the 广州 site. In operations the same site shows up in the Service
Quality Index: more unanswered traces and abandoned calls every day, and a
burst of missed pickups in the last days of March that breaks the control
limit.
"""
import datetime as dt
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

    sqi(here)


# incidents per 1000 packages at an ordinary site; 广州 multiplies the
# responsiveness-related categories.
SQI_RATES = {
    "right_day_late": 2.0, "wrong_day_late": 0.4, "trace_not_answered": 0.8,
    "complaint_reopened": 0.15, "missing_pod": 0.5, "invoice_adjustment": 0.6,
    "missed_pickup": 0.06, "damaged": 0.12, "lost": 0.03, "overgoods": 0.08,
    "abandoned_call": 1.2,
}
SITE_SIZE = {"北京": 2400, "上海": 3000, "广州": 1800}
SITE_FACTOR = {"北京": {}, "上海": {}, "广州": {"trace_not_answered": 2.5, "abandoned_call": 2.2, "right_day_late": 1.4}}
DOW = [1.0, 1.0, 1.0, 1.05, 1.15, 0.6, 0.3]


def poisson(rng, lam):
    # Knuth's method; lam is small here.
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def sqi(here):
    rng = random.Random(20260331)
    incidents = ["date,site,category"]
    volume = ["date,site,volume"]
    day = dt.date(2026, 1, 1)
    while day <= dt.date(2026, 3, 31):
        for site, size in SITE_SIZE.items():
            vol = round(size * DOW[day.weekday()] * rng.uniform(0.9, 1.1))
            volume.append(f"{day.isoformat()},{site},{vol}")
            rows = []
            for cat, rate in SQI_RATES.items():
                lam = vol / 1000 * rate * SITE_FACTOR[site].get(cat, 1.0)
                if site == "广州" and cat == "missed_pickup" and day >= dt.date(2026, 3, 30):
                    lam = 6.0  # a subcontractor's vans did not turn up
                for _ in range(poisson(rng, lam)):
                    t = dt.datetime(day.year, day.month, day.day, rng.randint(8, 20), rng.randint(0, 59), rng.randint(0, 59))
                    rows.append((t, cat))
            rows.sort()
            incidents.extend(f"{t.isoformat()}+08:00,{site},{cat}" for t, cat in rows)
        day += dt.timedelta(days=1)
    with open(os.path.join(here, "example_incidents.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(incidents) + "\n")
    with open(os.path.join(here, "example_volume.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(volume) + "\n")


if __name__ == "__main__":
    main()
