#!/usr/bin/env python3
"""Regenerates the example datasets in data/ (standard library only, fixed seed).

    python3 data/make_examples.py

example_survey.csv      long form: 300 respondents x 22 SERVQUAL items, 1-7 scale,
                        segments and sites (Chinese site names), ~2% missing cells
example_importance.csv  SERVQUAL 100-point allocation for 280 of the respondents
example_incidents.csv   one row per service incident (RFC 3339 timestamps), 2026 Q1,
                        the three sites, FedEx SQI categories (fedex12)
example_volume.csv      packages handled per site and day, 2026 Q1
example_management.csv  management survey: 4 managers per site estimate what customers
                        expect (M) for each item
example_standards.csv   service standards (S) and promises (C) per dimension, one item row
example_delivery.csv    delivery assessment: 3 mystery shoppers per site rate the service
                        as delivered (D)
example_hard_standards.csv  hard standards (greeting within 4 minutes, phone answered
                        within 60 seconds, complaints resolved within 24 hours)
example_events.csv      service events, 2026 Q1, with the metrics of the hard standards
monthly/                the incidents, volume and events split by month (one file per
                        month and input, as a daily or monthly export arrives), for
                        `--emit-partial` and `servgap merge`

The story (continued by the gap-model examples): customers expect most of
Reliability and Responsiveness; perception falls shortest on Responsiveness,
worst at the 广州 site. In operations the same site shows up in the Service
Quality Index: more unanswered traces and abandoned calls every day, and a
burst of missed pickups in the last days of March that breaks the control
limit.

The gap model says why: managers underestimate what customers expect of
Responsiveness (gap 1), the standards follow the managers' view (gap 2 small),
delivery at 广州 falls short of the standards (gap 3), and the promise made in
advertising ("we answer within a minute") is higher than anything delivered
(gap 4). In the event log, 广州 misses the 4-minute greeting standard.
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
    gap_model(here)
    value_and_chain(here)
    monthly(here)


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


# What managers think customers expect, relative to the customers' real E level.
M_SHIFT = {"Tangibles": 0.2, "Reliability": -0.1, "Responsiveness": -1.1, "Assurance": 0.0, "Empathy": -0.2}
STANDARD = {"Tangibles": 5.4, "Reliability": 6.0, "Responsiveness": 5.0, "Assurance": 5.8, "Empathy": 5.2}
PROMISE = {"Tangibles": 5.4, "Reliability": 6.2, "Responsiveness": 5.6, "Assurance": 5.8, "Empathy": 5.2}
D_SHIFT = {"北京": 0.0, "上海": 0.0, "广州": -0.8}


def gap_model(here):
    rng = random.Random(20260401)
    manage = ["respondent_id,site,item,score"]
    for s_i, site in enumerate(SITE_SHIFT):
        for m in range(1, 5):
            mid = f"M{s_i + 1}{m}"
            for item, dim in zip(ITEMS, DIMS):
                manage.append(f"{mid},{site},{item},{clip(E_LEVEL[dim] + M_SHIFT[dim] + rng.gauss(0, 0.5))}")
    standards = ["dimension,item,standard,promise"]
    for dim in DIM_NAMES:
        standards.append(f"{dim},,{STANDARD[dim]},{PROMISE[dim]}")
    standards.append("Responsiveness,q11,5.5,6.5")  # "prompt service": the advertised one-minute promise
    delivery = ["respondent_id,site,item,score"]
    for s_i, site in enumerate(SITE_SHIFT):
        for k in range(1, 4):
            sid = f"S{s_i + 1}{k}"
            for item, dim in zip(ITEMS, DIMS):
                shift = D_SHIFT[site] if dim == "Responsiveness" else D_SHIFT[site] / 4
                delivery.append(f"{sid},{site},{item},{clip(STANDARD[dim] + shift + rng.gauss(0, 0.5))}")
    hard = [
        "standard_id,description,metric,op,threshold,target,item",
        "greet_4min,Greeted within 4 minutes,wait_minutes,<=,4,0.95,q11",
        "answer_60s,Phone answered within 60 seconds,answer_seconds,<=,60,0.9,q13",
        "resolve_24h,Complaint resolved within 24 hours,resolved_hours,<=,24,0.85,q06",
    ]
    events = ["date,site,channel,wait_minutes,answer_seconds,resolved_hours"]
    day = dt.date(2026, 1, 1)
    slow = {"北京": 1.0, "上海": 1.0, "广州": 2.6}
    while day <= dt.date(2026, 3, 31):
        for site in SITE_SHIFT:
            for _ in range(rng.randint(6, 12)):
                channel = rng.choice(["store", "store", "phone"])
                wait = f"{rng.expovariate(1 / slow[site]):.1f}" if channel == "store" else ""
                answer = f"{round(rng.expovariate(1 / (20 if site != '广州' else 35)))}" if channel == "phone" else ""
                resolved = f"{rng.expovariate(1 / 10):.1f}" if rng.random() < 0.2 else "NA"
                events.append(f"{day.isoformat()},{site},{channel},{wait},{answer},{resolved}")
        day += dt.timedelta(days=1)
    for name, rows in [
        ("example_management.csv", manage),
        ("example_standards.csv", standards),
        ("example_delivery.csv", delivery),
        ("example_hard_standards.csv", hard),
        ("example_events.csv", events),
    ]:
        with open(os.path.join(here, name), "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(rows) + "\n")


def value_and_chain(here):
    """The survey's customers with what they bring and cost (seeds 001,
    002: a few bring most of the profit, a few cause most of the
    trouble), 20 customers who did not answer, and a four-link chain."""
    rng = random.Random(20261207)
    site_of = {}
    with open(os.path.join(here, "example_survey.csv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            rid, _, site = line.split(",")[:3]
            site_of[rid] = site
    rows = ["customer_id,site,profit,service_cost,tickets,products"]
    for r in range(1, 321):
        rid = f"C{r:04d}"
        site = site_of.get(rid, rng.choice(list(SITE_SHIFT)))
        profit = round(rng.paretovariate(1.4) * 180 - 120, 2)
        tickets = min(40, int(rng.paretovariate(1.6)) - 1 + (2 if site == "广州" else 0))
        cost = round(25 + 18 * tickets + rng.expovariate(1 / 20), 2)
        products = rng.choice([1, 1, 1, 2, 2, 3, 4])
        rows.append(f"{rid},{site},{profit},{cost},{tickets},{products}")
    chain = ["link,loss", "factory,0.05", "warehouse,0.08", "courier,0.1", "store,0.12"]
    for name, lines in [("example_customers.csv", rows), ("example_chain.csv", chain)]:
        with open(os.path.join(here, name), "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(lines) + "\n")


def monthly(here):
    """Splits the incident log, the volume and the events by month into monthly/."""
    out = os.path.join(here, "monthly")
    os.makedirs(out, exist_ok=True)
    for name in ["incidents", "volume", "events"]:
        with open(os.path.join(here, f"example_{name}.csv"), encoding="utf-8") as f:
            header, *rows = f.read().splitlines()
        months = {}
        for row in rows:
            months.setdefault(row[:7], []).append(row)
        for month, part in sorted(months.items()):
            with open(os.path.join(out, f"{name}_{month}.csv"), "w", encoding="utf-8", newline="") as f:
                f.write("\n".join([header] + part) + "\n")


if __name__ == "__main__":
    main()
