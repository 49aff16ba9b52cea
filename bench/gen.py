"""Deterministic synthetic ledgers for the benchmark.

    python bench/gen.py 10000 -o /tmp/l10k.yaml            # the ledger (YAML)
    python bench/gen.py 10000 -o /tmp/l10k.json --json      # the same data as JSON (the json.loads floor)
    python bench/gen.py 10000 -o /tmp/l10k.journal --hledger  # an equivalent hledger journal

The same seed and size always give the same bytes. The ledger looks like a
Global Trade Alert-sized record of trade interventions since 2008: many
countries and a bloc, every kind and status, most measures answering zero to two
earlier ones (retaliation mostly aimed back at the actor answered), effective /
expiry / not-before dates, events, sources with some disagreeing reports, tags,
quotes and notes. It passes `ledger check` with no errors (warnings are
allowed: disagreeing sources are reported as warnings by design).

Only the standard library is used, so the generator runs anywhere.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys

# ISO 3166-1 alpha-2 codes of active trading economies, plus one declared bloc.
COUNTRIES = (
    "US CN EU JP KR IN BR MX CA GB DE FR IT ES NL BE SE PL AT CH NO DK FI IE PT CZ HU RO GR TR "
    "RU UA ZA NG EG SA AE IL IR PK BD VN TH MY SG ID PH AU NZ AR CL CO PE VE KZ TW HK MA KE ET"
).split()
BLOCS = {"EU": "European Union"}
MAJOR = ("US", "CN", "EU", "JP", "IN", "KR", "BR", "MX", "CA", "GB", "RU", "TR")

KINDS = (  # (kind, relative frequency)
    ("tariff", 30), ("export-control", 14), ("import-restriction", 12), ("investigation", 12),
    ("sanction", 9), ("fee", 5), ("acquisition-block", 3), ("truce", 3), ("agreement", 5), ("talks", 7),
)
STATUSES = (("in-force", 45), ("announced", 18), ("lifted", 12), ("expired", 9), ("suspended", 8), ("threatened", 8))
EVENT_KINDS = ("summit", "meeting", "call", "talks", "visit", "other")
EVENT_STATUSES = ("held", "held", "held", "scheduled", "expected", "cancelled")
PRODUCTS = (
    "steel", "aluminium", "soybeans", "semiconductors", "rare earths", "solar panels", "electric vehicles",
    "lithium-ion batteries", "pork", "wine", "whisky", "aircraft parts", "textiles", "footwear", "lumber",
    "fertiliser", "machine tools", "pharmaceuticals", "gallium", "germanium", "graphite", "fishing vessels",
    "shrimp", "rice", "wheat", "dairy", "beef", "critical software", "drones", "telecom equipment",
)
VERBS = {
    "tariff": ("Additional {r}% tariff on {p}", "Duty of {r}% on imports of {p}", "Safeguard tariff on {p}"),
    "export-control": ("Licence requirement for exports of {p}", "Export ban on {p}", "Export quota on {p}"),
    "import-restriction": ("Import ban on {p}", "Import licensing for {p}", "Quota on imports of {p}"),
    "investigation": ("Anti-dumping investigation into {p}", "Countervailing duty probe of {p}", "Security review of {p} imports"),
    "sanction": ("Entity-list designations in the {p} sector", "Asset freeze on {p} producers", "Sanctions on {p} traders"),
    "fee": ("Port fee on vessels carrying {p}", "Inspection fee on {p}", "Levy of {r} per tonne of {p}"),
    "acquisition-block": ("Acquisition of a {p} maker blocked", "Takeover in {p} refused on security grounds"),
    "truce": ("Truce suspending duties on {p}", "Standstill on new measures on {p}"),
    "agreement": ("Agreement on purchases of {p}", "Accord lifting restrictions on {p}"),
    "talks": ("Talks on {p} opened", "Working group on {p} convened"),
}
PUBLISHERS = ("Global Trade Desk", "Reuters-like Wire", "Official Gazette", "Ministry of Commerce", "Trade Bulletin",
              "Customs Notice", "Financial Daily", "Policy Monitor")
WORDS = ("measure", "tariff", "retaliation", "announced", "ministry", "statement", "imports", "exports",
         "duties", "review", "licence", "sector", "security", "negotiations", "effective", "suspended",
         "response", "industry", "producers", "quota", "market", "officials", "said", "would")

START = dt.date(2008, 11, 1)
DAYS = (dt.date(2025, 12, 31) - START).days


def _weighted(rng: random.Random, table):
    total = sum(w for _, w in table)
    x = rng.random() * total
    for value, w in table:
        x -= w
        if x < 0:
            return value
    return table[-1][0]


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return (" ".join(words)).capitalize() + "."


def _country(rng: random.Random) -> str:
    return rng.choice(MAJOR) if rng.random() < 0.6 else rng.choice(COUNTRIES)


def generate(n: int, seed: int = 2025) -> dict:
    """The ledger as plain data: only str, list and dict, exactly as the YAML file writes it."""
    rng = random.Random(seed * 1_000_003 + n)
    n_sources = max(3, n // 5)
    sources = {}
    for i in range(n_sources):
        day = START + dt.timedelta(days=int(DAYS * i / n_sources))
        s = {"title": f"{rng.choice(PUBLISHERS)} report no. {i + 1}", "publisher": rng.choice(PUBLISHERS),
             "published": day.isoformat()}
        if rng.random() < 0.5:
            s["url"] = f"https://example.org/trade/{day.year}/{i + 1}"
        if rng.random() < 0.2:
            s["author"] = f"Author {rng.randrange(1, 400)}"
        if rng.random() < 0.1:
            s["notes"] = _sentence(rng, 12)
        sources[f"src-{i + 1:06d}"] = s
    source_ids = list(sources)

    measures = []
    # measures by actor, to answer a measure aimed at you with one aimed back
    by_actor: dict[str, list[int]] = {}
    recent: list[int] = []
    for i in range(n):
        day = START + dt.timedelta(days=int(DAYS * i / n))
        kind = _weighted(rng, KINDS)
        actor = _country(rng)
        target = _country(rng)
        while target == actor:
            target = _country(rng)
        m: dict = {"id": f"{actor.lower()}-{kind}-{i + 1:06d}"}
        p = rng.random()
        date = day.isoformat() if p < 0.85 else (day.isoformat()[:7] if p < 0.97 else str(day.year))
        m["date"] = date
        first = dt.date.fromisoformat(day.isoformat()[:7] + "-01") if p < 0.97 else dt.date(day.year, 1, 1)
        if kind in ("truce", "agreement", "talks"):
            m["actor"] = [actor, target]
            m["target"] = [actor, target]
        else:
            m["actor"] = actor if rng.random() < 0.9 else [actor, _country(rng)]
            m["target"] = target
            if isinstance(m["actor"], list) and m["actor"][0] == m["actor"][1]:
                m["actor"] = actor
        m["kind"] = kind
        m["title"] = rng.choice(VERBS[kind]).format(r=rng.choice((5, 10, 15, 25, 50, 100)), p=rng.choice(PRODUCTS))
        m["status"] = _weighted(rng, STATUSES)
        # when it takes effect: never before its date (that is a warning), expiry after effect
        if rng.random() < 0.45:
            eff = max(day, first) + dt.timedelta(days=rng.randrange(0, 120))
            m["effective"] = eff.isoformat()
            if rng.random() < 0.35:
                m["expires"] = (eff + dt.timedelta(days=rng.randrange(30, 720))).isoformat()
        elif rng.random() < 0.1:
            nb = max(day, first) + dt.timedelta(days=rng.randrange(1, 90))
            m["not_before"] = nb.isoformat() if rng.random() < 0.7 else f"{nb.isoformat()}T00:01:00-05:00"
        # answers: most measures answer nothing, some one, a few two; mostly a recent move against the actor
        r = rng.random()
        answers = 0 if r < 0.55 else (1 if r < 0.88 else 2)
        responds: list[str] = []
        for _ in range(answers):
            aimed = by_actor.get(target)
            pool = aimed if aimed and rng.random() < 0.8 else recent
            if not pool:
                break
            j = pool[-1 - min(len(pool) - 1, int(rng.expovariate(0.2)))]
            mid = measures[j]["id"]
            if mid not in responds:
                responds.append(mid)
        if responds:
            m["responds_to"] = responds
        k = 1 if rng.random() < 0.8 else 2
        near = min(n_sources - 1, int(n_sources * i / n))
        m["sources"] = sorted({source_ids[max(0, near - rng.randrange(0, 5))] for _ in range(k)})
        if rng.random() < 0.05:
            m["weight"] = str(rng.choice((-3, -1, 1, 2, 4, 5)))
        if rng.random() < 0.3:
            m["tags"] = sorted({rng.choice(PRODUCTS).replace(" ", "-") for _ in range(rng.randrange(1, 4))})
        if rng.random() < 0.5:
            m["quote"] = _sentence(rng, rng.randrange(8, 28))
        if rng.random() < 0.25:
            m["notes"] = _sentence(rng, rng.randrange(6, 30))
        if rng.random() < 0.02 and "effective" in m:
            other = source_ids[rng.randrange(n_sources)]
            m["reports"] = [{"source": other, "quote": _sentence(rng, 10),
                             "effective": (dt.date.fromisoformat(m["effective"]) + dt.timedelta(days=7)).isoformat()}]
        measures.append(m)
        by_actor.setdefault(actor, []).append(i)
        recent.append(i)

    events = []
    for i in range(max(1, n // 20)):
        day = START + dt.timedelta(days=int(DAYS * i / max(1, n // 20)))
        a, b = _country(rng), _country(rng)
        e = {"id": f"event-{i + 1:06d}", "date": day.isoformat(),
             "title": f"{rng.choice(('Leaders', 'Ministers', 'Negotiators', 'Envoys'))} of {a} and {b} meet",
             "kind": rng.choice(EVENT_KINDS), "status": rng.choice(EVENT_STATUSES),
             "countries": sorted({a, b})}
        if rng.random() < 0.3:
            e["end"] = (day + dt.timedelta(days=rng.randrange(1, 4))).isoformat()
        if rng.random() < 0.5:
            e["place"] = rng.choice(("Geneva", "Beijing", "Washington", "Brussels", "Tokyo", "Delhi", "Lima"))
        if rng.random() < 0.4:
            e["agenda"] = sorted({rng.choice(PRODUCTS) for _ in range(2)})
        e["sources"] = [source_ids[min(n_sources - 1, int(n_sources * i / max(1, n // 20)))]]
        events.append(e)

    return {"version": "1", "title": f"Synthetic trade interventions, {n:,} measures (seed {seed})",
            "countries": dict(BLOCS), "sources": sources, "measures": measures, "events": events}


# --- Writers ------------------------------------------------------------------------------


def _q(text: str) -> str:
    # A JSON string is a YAML double-quoted scalar (json never writes '\/').
    return json.dumps(text, ensure_ascii=False)


def _scalar(value: str) -> str:
    return value if value.replace("-", "").replace(":", "").replace("T", "").isalnum() else _q(value)


def _val(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return _scalar(value)


TEXT = {"title", "quote", "notes", "place"}


def _fields(d: dict, indent: str, first_prefix: str) -> list[str]:
    out = []
    prefix = first_prefix
    for k, v in d.items():
        if k == "reports":
            out.append(f"{prefix}reports:")
            for rep in v:
                out.extend(_fields(rep, indent + "    ", indent + "  - "))
        elif k == "date" and len(v) == 4:
            out.append(f'{prefix}{k}: "{v}"')  # a bare year reads fine, but the bundled ledger quotes it
        else:
            out.append(f"{prefix}{k}: {_q(v) if k in TEXT else _val(v)}")
        prefix = indent
    return out


def to_yaml(data: dict) -> str:
    lines = ["# Synthetic ledger written by bench/gen.py; regenerate rather than edit.",
             f"version: {data['version']}", f"title: {_q(data['title'])}", "", "countries:"]
    lines += [f"  {k}: {_q(v)}" for k, v in data["countries"].items()]
    lines += ["", "sources:"]
    for sid, s in data["sources"].items():
        lines.append(f"  {sid}:")
        lines += [f"    {k}: {_q(v) if k in ('title', 'publisher', 'notes', 'author') else _val(v)}" for k, v in s.items()]
    lines += ["", "measures:"]
    for m in data["measures"]:
        lines += _fields(m, "    ", "  - ")
    lines += ["", "events:"]
    for e in data["events"]:
        lines += _fields(e, "    ", "  - ")
    return "\n".join(lines) + "\n"


def to_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def to_hledger(data: dict) -> str:
    """One transaction per measure: the actor books the measure's weight against the target."""
    weights = {"tariff": 3, "export-control": 3, "sanction": 3, "import-restriction": 2, "fee": 2,
               "acquisition-block": 2, "investigation": 1, "talks": -1, "truce": -2, "agreement": -2}
    lines = ["; Synthetic journal written by bench/gen.py: one transaction per ledger measure", ""]
    for m in data["measures"]:
        date = m["date"]
        date = date if len(date) == 10 else (date + "-01" if len(date) == 7 else date + "-01-01")
        actor = m["actor"] if isinstance(m["actor"], str) else m["actor"][0]
        target = m["target"] if isinstance(m["target"], str) else m["target"][-1]
        w = int(m.get("weight", weights[m["kind"]]))
        status = "*" if m["status"] == "in-force" else "!"
        lines.append(f"{date} {status} ({m['id']}) {m['title']}  ; kind:{m['kind']}")
        lines.append(f"    escalation:{actor}:{m['kind']}    {w} ESC")
        lines.append(f"    received:{target}:{m['kind']}    {-w} ESC")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("size", type=int, help="number of measures")
    ap.add_argument("-o", "--output", default="-", help="file to write (default: stdout)")
    ap.add_argument("--seed", type=int, default=2025)
    fmt = ap.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="write the same data as JSON")
    fmt.add_argument("--hledger", action="store_true", help="write an equivalent hledger journal")
    args = ap.parse_args(argv)
    data = generate(args.size, args.seed)
    text = to_json(data) if args.json else to_hledger(data) if args.hledger else to_yaml(data)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
