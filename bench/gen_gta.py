"""A deterministic Global Trade Alert API dump, for timing `ledger import gta`.

    python bench/gen_gta.py 100000 -o /tmp/gta100k        # 100 pages of 1,000, v2 shape
    python bench/gen_gta.py 100000 -o /tmp/gta100k --v1   # the v1 shape

Pages are what GTA's data endpoint returns (`{"count", "next", "previous", "results"}`,
at most 1,000 interventions a page), in the documented shapes: v2's descriptions and
sources are lists of entries, v1's are strings. The interventions look like GTA's:
HTML descriptions with entities, EU measures with their member states and the
`European Union` group, `World` among the affected, every intervention type, red /
amber / green evaluations, missing announcement and removal dates. The same size and
seed always give the same bytes. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random

JURISDICTIONS = [  # (UN id, name, ISO alpha-3)
    (840, "United States of America", "USA"), (156, "China", "CHN"), (276, "Germany", "DEU"),
    (251, "France", "FRA"), (381, "Italy", "ITA"), (392, "Japan", "JPN"), (410, "Republic of Korea", "KOR"),
    (699, "India", "IND"), (76, "Brazil", "BRA"), (484, "Mexico", "MEX"), (124, "Canada", "CAN"),
    (826, "United Kingdom", "GBR"), (643, "Russia", "RUS"), (792, "Turkiye", "TUR"), (36, "Australia", "AUS"),
    (360, "Indonesia", "IDN"), (704, "Vietnam", "VNM"), (764, "Thailand", "THA"), (458, "Malaysia", "MYS"),
    (710, "South Africa", "ZAF"), (32, "Argentina", "ARG"), (682, "Saudi Arabia", "SAU"), (784, "United Arab Emirates", "ARE"),
    (702, "Singapore", "SGP"), (158, "Chinese Taipei", "TWN"), (344, "Hong Kong", "HKG"), (528, "Netherlands", "NLD"),
    (56, "Belgium", "BEL"), (724, "Spain", "ESP"), (616, "Poland", "POL"), (752, "Sweden", "SWE"), (40, "Austria", "AUT"),
    (532, "Netherlands Antilles", "ANT"), (999, "Republic of Kosovo", "XKX"),
]
EU_MEMBERS = [j for j in JURISDICTIONS if j[2] in ("DEU", "FRA", "ITA", "NLD", "BEL", "ESP", "POL", "SWE", "AUT")]
WORLD = (1, "World", "WLD")
TYPES = [  # a sample of GTA's types, weighted as the database is (tariffs and subsidies most)
    ("Import tariff", "Tariff measures", 20), ("Anti-dumping", "D: Contingent trade-protective measures", 10),
    ("Financial grant", "L: Subsidies (excl. export subsidies)", 12), ("State loan", "L: Subsidies (excl. export subsidies)", 8),
    ("Export ban", "P: Export-related measures (incl. subsidies)", 4), ("Export licensing requirement", "P: Export-related measures (incl. subsidies)", 4),
    ("Import ban", "E: Non-automatic licensing, quotas etc.", 4), ("Import licensing requirement", "E: Non-automatic licensing, quotas etc.", 3),
    ("Local content requirement", "I: Trade-related investment measures", 3), ("Public procurement access", "M: Government procurement restrictions", 3),
    ("FDI: Entry and ownership rule", "FDI measures", 3), ("Sanitary and phytosanitary measure", "A: Sanitary and phytosanitary measure", 3),
    ("Controls on commercial transactions and investment instruments", "Capital control measures", 1),
    ("Export tax", "P: Export-related measures (incl. subsidies)", 2), ("Safeguard", "D: Contingent trade-protective measures", 2),
    ("Tax-based export incentive", "P: Export-related measures (incl. subsidies)", 3), ("Other import charges", "F: Price-control measures, including additional taxes and charges", 1),
    ("Corporate control order", "FDI measures", 1), ("Import monitoring", "E: Non-automatic licensing, quotas etc.", 1),
]
PRODUCTS = ("steel", "aluminium", "soybeans", "semiconductors", "rare earths", "solar panels", "electric vehicles",
            "batteries", "pork", "wine", "textiles", "footwear", "fertiliser", "pharmaceuticals", "gallium")
WORDS = ("the", "government", "announced", "measure", "imports", "exports", "duty", "regulation", "products",
         "ministry", "decree", "percent", "tariff", "licence", "firms", "support", "programme", "sector")
START = dt.date(2008, 11, 1)
DAYS = (dt.date(2025, 10, 31) - START).days


def _pick(rng: random.Random, table):
    total = sum(w for *_, w in table)
    x = rng.random() * total
    for row in table:
        x -= row[-1]
        if x < 0:
            return row
    return table[-1]


def _jur(j) -> dict:
    return {"id": j[0], "name": j[1], "iso": j[2]}


def _description(rng: random.Random, day: dt.date, product: str) -> str:
    paras = []
    for _ in range(rng.randrange(1, 4)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(25, 70)))
        paras.append(f"<p>On {day:%-d %B %Y}, the {words} on&nbsp;<b>{product}</b> &amp; related goods "
                     f"(&quot;HS {rng.randrange(1000, 9999)}&quot;).&nbsp;</p>")
    return "\r\n".join(paras)


def intervention(rng: random.Random, i: int, v1: bool) -> dict:
    day = START + dt.timedelta(days=int(DAYS * i / max(1, N)))
    gta_type, mast, _ = _pick(rng, TYPES)
    product = rng.choice(PRODUCTS)
    eu = rng.random() < 0.12
    implementers = EU_MEMBERS if eu else [rng.choice(JURISDICTIONS)]
    affected = [] if rng.random() < 0.02 else sorted(rng.sample(JURISDICTIONS, rng.randrange(1, 6)), key=lambda j: j[0])
    if rng.random() < 0.05:
        affected.append(WORLD)
    announced = day if rng.random() < 0.92 else None
    implemented = day + dt.timedelta(days=rng.randrange(-20, 120)) if rng.random() < 0.85 else None
    removed = implemented + dt.timedelta(days=rng.randrange(30, 900)) if implemented and rng.random() < 0.25 else None
    in_force = 1 if implemented and (removed is None or removed > dt.date(2025, 11, 1)) else 0
    act = 10_000 + i // 2
    actor = "European Union" if eu else implementers[0][1]
    title = f"{actor}: {gta_type} on {product} ({day:%B %Y})"
    description = _description(rng, day, product)
    source = (f"Official gazette ({day:%-d %B %Y}). Decree no. {rng.randrange(1, 999)}:\r\n"
              f"https://gazette.example.org/{day.year}/{i}")
    item = {
        "intervention_id": 1_000 + i,
        "state_act_id": act,
        "state_act_title": title,
        "intervention_description": description if v1 else [
            {"id": i, "status": "static", "description": description, "datetime_modified": f"{day} 00:00", "order_nr": 1}],
        "intervention_url": f"https://globaltradealert.org/intervention/{1_000 + i}",
        "state_act_url": f"https://www.globaltradealert.org/state-act/{act}",
        "state_act_source": source if v1 else [{"id": act, "status": "static", "source": source, "order_nr": 1}],
        "is_official_source": rng.random() < 0.7,
        "gta_evaluation": _pick(rng, (("Red", 60), ("Amber", 25), ("Green", 15)))[0],
        "implementing_jurisdictions": [_jur(j) for j in implementers],
        "implementing_jurisdiction_groups": [{"name": "European Union"}] if eu else [],
        "affected_jurisdictions": [_jur(j) for j in affected],
        "implementation_level": "Supranational" if eu else "National",
        "eligible_firm": "all",
        "intervention_type": gta_type,
        "mast_chapter": mast,
        "mast_subchapter": mast,
        "affected_sectors": [rng.randrange(100, 500)],
        "affected_products": [rng.randrange(100000, 999999)],
        "date_announced": announced.isoformat() if announced else None,
        "date_published": (day + dt.timedelta(days=rng.randrange(0, 30))).isoformat(),
        "date_implemented": implemented.isoformat() if implemented else None,
        "date_removed": removed.isoformat() if removed else None,
        "is_in_force": in_force,
        "last_updated": (day + dt.timedelta(days=rng.randrange(0, 400))).isoformat(),
    }
    return item


N = 0


def main() -> None:
    global N
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n", type=int, help="how many interventions")
    ap.add_argument("-o", "--output", required=True, help="folder for the pages (made if missing)")
    ap.add_argument("--v1", action="store_true", help="the v1 shape (descriptions and sources as strings)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--page", type=int, default=1000, help="interventions a page (GTA's maximum: 1,000)")
    args = ap.parse_args()
    N = args.n
    rng = random.Random(args.seed * 1_000_003 + args.n)
    os.makedirs(args.output, exist_ok=True)
    pages = (args.n + args.page - 1) // args.page
    for p in range(pages):
        items = [intervention(rng, i, args.v1) for i in range(p * args.page, min(args.n, (p + 1) * args.page))]
        body = {"count": args.n, "next": None if p + 1 == pages else f"offset={(p + 1) * args.page}",
                "previous": None if p == 0 else f"offset={(p - 1) * args.page}", "results": items if args.v1 else [items]}
        with open(os.path.join(args.output, f"page-{p + 1:04d}.json"), "w", encoding="utf-8") as f:
            json.dump(body, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
