"""How well `ledger links --suggest` finds the links that sources state (issue 15).

    .venv/bin/python bench/suggest_eval.py                 # every examples/*.yaml; writes bench/SUGGEST.md
    .venv/bin/python bench/suggest_eval.py --check         # CI: runs, checks the numbers are well-formed, writes nothing
    .venv/bin/python bench/suggest_eval.py --json FILE...  # the numbers as JSON

For each example ledger: the links its sources state (a plain id under `responds_to`,
or a link item or top-level `links:` entry whose basis is `stated`) are the truth. A
copy with every link removed (every `responds_to`, and the top-level `links:`) is
written to a temporary file, and `ledger links --suggest --json --within 120d
--min-score 0` is run on it (falling back to `--within 120d` alone where `--min-score`
is refused, and to `--window 120` where `--within` is: the interface before the
suggester was rewritten). The suggested (from, to) pairs are compared with
the stated ones: precision, recall and F1 per file and over all files (pooled:
micro-averaged), and a sweep over minimum scores 0.0, 0.1, ..., 0.9 (a suggestion with
no `score` counts as score 1). Every stated link the suggester misses is listed with
the reason found in the data (the lag beyond the window, countries that do not meet,
an imprecise date, or outranked by other suggestions), and every suggestion that is
not a stated link is listed too. The full run also measures at other windows (60 and
365 days by default, `--also-within`), to show what the window alone costs.

Links written as inferred in an example are neither truth nor error: a suggestion
of one is left out of the counts (the examples have none today).

Only PyYAML (a dependency of the test extras) and the standard library are used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
OUT = ROOT / "bench" / "SUGGEST.md"
THRESHOLDS = [round(i / 10, 1) for i in range(10)]
TARGET_RECALL, TARGET_PRECISION = 0.8, 0.6


# --- reading and stripping a ledger (every scalar as text, written back as typed) -------

class _TextLoader(yaml.SafeLoader):
    """Every scalar is read as the text written: `NO` stays Norway, `2018-10` stays text."""


_TextLoader.yaml_implicit_resolvers = {}


class _PlainDumper(yaml.SafeDumper):
    """Writes text plain wherever YAML allows it, so the ledger reads each value as it
    was written (a date as a date, a weight as a number); never writes an alias."""

    def ignore_aliases(self, data):
        return True


_PlainDumper.yaml_implicit_resolvers = {}


def read_ledger(path: Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=_TextLoader)


def link_items(doc: dict):
    """(from, to, basis) of every link written in the ledger."""
    for m in doc.get("measures") or []:
        for item in m.get("responds_to") or []:
            if isinstance(item, dict):
                yield m["id"], item["id"], item.get("basis", "stated")
            else:
                yield m["id"], item, "stated"
    for k in doc.get("links") or []:
        yield k["from"], k["to"], k.get("basis", "stated")


def stripped(doc: dict, base: Path) -> dict:
    """The ledger with every link removed; include paths made absolute."""
    out = dict(doc)
    out.pop("links", None)
    out["measures"] = [{k: v for k, v in m.items() if k != "responds_to"} for m in doc.get("measures") or []]
    inc = doc.get("include")
    if inc:
        items = [inc] if isinstance(inc, str) else inc
        out["include"] = [str((base / i).resolve()) for i in items]
    return out


# --- dates, for the reasons of misses -----------------------------------------------------

def span(text: str) -> tuple[dt.date, dt.date, str]:
    """First day, last day and precision of a ledger date (YYYY-MM-DD, YYYY-MM, YYYY)."""
    text = str(text)[:10]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        d = dt.date.fromisoformat(text)
        return d, d, "day"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        y, m = map(int, text.split("-"))
        last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
        return dt.date(y, m, 1), last, "month"
    y = int(text[:4])
    return dt.date(y, 1, 1), dt.date(y, 12, 31), "year"


def codes(value) -> set[str]:
    return {str(v).upper() for v in ([value] if isinstance(value, str) else value or [])}


# --- running the suggester ------------------------------------------------------------------

def ledger_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("ledger")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ledger"]


def suggest(path: Path, days: int) -> tuple[list[dict], str]:
    """The suggestions for the ledger at `path`, and the option that was used."""
    env = dict(os.environ, NO_COLOR="1")
    env.pop("ESCALATION_LEDGER_FILE", None)
    # --min-score 0: every suggestion, so the sweep below starts at 0 (the CLI's default is higher)
    attempts = [["--within", f"{days}d", "--min-score", "0"], ["--within", f"{days}d"], ["--window", str(days)]]
    last = None
    for opt in attempts:
        r = subprocess.run([*ledger_cmd(), "links", "--suggest", "--json", *opt, "--file", str(path)],
                           capture_output=True, text=True, env=env, timeout=120)
        last = r
        if r.returncode == 2 and any(o in r.stderr for o in opt if o.startswith("--")):  # no such option here
            continue
        if r.returncode != 0:
            raise RuntimeError(f"ledger links --suggest failed on {path} (exit {r.returncode}): {r.stderr.strip()}")
        data = json.loads(r.stdout) if r.stdout.strip() else []
        if isinstance(data, dict):  # tolerate a wrapped list
            data = data.get("suggestions", [])
        return data, " ".join(opt)
    raise RuntimeError(f"ledger links --suggest refused --within and --window: {last.stderr.strip()}")


def suggest_in_process(path: Path, days: int) -> tuple[list[dict], str]:
    """The suggestions of the installed `ledger.links.suggest_links`, called in this
    process: its scores even where the CLI does not print them yet (`--in-process`)."""
    from ledger.links import suggest_links
    from ledger.read import load_checked

    ledger, problems = load_checked(str(path))
    if ledger is None:
        raise RuntimeError(f"{path}: {problems[:3]}")
    found = suggest_links(ledger, days)
    return ([{"from": s.measure, "to": s.responds_to, "score": getattr(s, "score", None),
              "note": getattr(s, "note", "")} for s in found], "in process")


def score_of(s: dict) -> float:
    v = s.get("score")
    return 1.0 if v is None else float(v)


# --- measuring ------------------------------------------------------------------------------

def prf(tp: int, n_suggested: int, n_stated: int) -> dict:
    p = tp / n_suggested if n_suggested else None
    r = tp / n_stated if n_stated else None
    f = 2 * p * r / (p + r) if p and r else (0.0 if p is not None and r is not None else None)
    return {"tp": tp, "suggested": n_suggested, "stated": n_stated, "precision": p, "recall": r, "f1": f}


def evaluate_file(path: Path, days: int, run=None) -> dict:
    doc = read_ledger(path)
    measures = {m["id"]: m for m in doc.get("measures") or []}
    links = list(link_items(doc))
    stated = {(a, b) for a, b, basis in links if basis == "stated"}
    inferred = {(a, b) for a, b, basis in links if basis == "inferred"}
    with tempfile.TemporaryDirectory(prefix="suggest-eval-") as tmp:
        copy = Path(tmp) / path.name
        copy.write_text(yaml.dump(stripped(doc, path.parent), Dumper=_PlainDumper, sort_keys=False,
                                  allow_unicode=True, width=100000), encoding="utf-8")
        t0 = time.perf_counter()
        found, option = (run or suggest)(copy, days)
        seconds = time.perf_counter() - t0
    pairs: dict[tuple[str, str], dict] = {}
    for s in found:
        key = (s["from"], s["to"])
        if key not in pairs or score_of(s) > score_of(pairs[key]):
            pairs[key] = s
    scored = {k: score_of(s) for k, s in pairs.items() if k not in inferred}
    sweep = {}
    for t in THRESHOLDS:
        kept = {k for k, v in scored.items() if v >= t - 1e-9}
        sweep[t] = prf(len(kept & stated), len(kept), len(stated))
    misses = [miss_reason(a, b, measures, pairs, days) for a, b in sorted(stated) if (a, b) not in pairs]
    wrong = [{"from": a, "to": b, "score": scored[(a, b)], "reversed": (b, a) in stated,
              "note": pairs[(a, b)].get("note") or "", "reasons": pairs[(a, b)].get("reasons")}
             for a, b in sorted(scored) if (a, b) not in stated]
    return {"file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
            "title": doc.get("title") or "", "measures": len(measures), "stated": len(stated),
            "inferred": len(inferred), "option": option, "seconds": seconds, "has_score": any("score" in s for s in found),
            "scores": {f"{a} -> {b}": v for (a, b), v in sorted(scored.items())},
            "stated_pairs": sorted(f"{a} -> {b}" for a, b in stated),
            "all": sweep[0.0], "sweep": sweep, "misses": misses, "false_positives": wrong}


def miss_reason(a: str, b: str, measures: dict, pairs: dict, days: int) -> dict:
    """Why the stated link a -> b (a answers b) was not suggested, from the data alone."""
    ma, mb = measures[a], measures[b]
    fa, la, pa = span(ma["date"])
    fb, lb, pb = span(mb["date"])
    gap = (fa - lb).days
    lag = (fa - fb).days
    reasons = []
    if "year" in (pa, pb):
        reasons.append("a date known only to the year")
    if gap > days:
        reasons.append(f"lag {lag} days > window {days}")
    act_a, tgt_a, act_b, tgt_b = codes(ma["actor"]), codes(ma["target"]), codes(mb["actor"]), codes(mb["target"])
    if act_a.isdisjoint(tgt_b):
        reasons.append(f"answering actor {'/'.join(sorted(act_a))} not among the answered measure's targets "
                       f"{'/'.join(sorted(tgt_b))}")
    if act_b.isdisjoint(tgt_a):
        reasons.append(f"answered actor {'/'.join(sorted(act_b))} not among the answering measure's targets "
                       f"{'/'.join(sorted(tgt_a))}")
    if not reasons and (b, a) in pairs:
        reasons.append(f"suggested the other way round ({b} answers {a}); lag {lag} days"
                       + (" (the same day: the direction is a coin toss for dates alone)" if lag == 0 else ""))
    if not reasons:
        instead = [f"{t}" for (f, t) in pairs if f == a]
        reasons.append("within the window and the countries meet: outranked"
                       + (f" (suggested for it instead: {', '.join(instead)})" if instead else " (nothing suggested for it)"))
    return {"from": a, "to": b, "lag_days": lag if pa == pb == "day" else None,
            "kinds": f"{ma['kind']} <- {mb['kind']}", "reason": "; ".join(reasons)}


def evaluate(paths: list[Path], days: int = 120, run=None) -> dict:
    files = [evaluate_file(p, days, run) for p in paths]
    sweep = {}
    for t in THRESHOLDS:
        tp = sum(f["sweep"][t]["tp"] for f in files)
        ns = sum(f["sweep"][t]["suggested"] for f in files)
        nt = sum(f["stated"] for f in files)
        sweep[t] = prf(tp, ns, nt)
    meeting = [t for t in THRESHOLDS if (sweep[t]["recall"] or 0) >= TARGET_RECALL - 1e-9]
    best = max(meeting, key=lambda t: (sweep[t]["precision"] or 0, t)) if meeting else None
    best_f1 = max(THRESHOLDS, key=lambda t: (sweep[t]["f1"] or 0, t))
    return {"within_days": days, "files": files, "overall": sweep[0.0], "sweep": sweep,
            "best_threshold_at_recall": best, "best_f1_threshold": best_f1,
            "target": {"recall": TARGET_RECALL, "precision": TARGET_PRECISION},
            "target_met": best is not None and (sweep[best]["precision"] or 0) >= TARGET_PRECISION - 1e-9}


def well_formed(result: dict) -> list[str]:
    """Problems with the numbers (empty when every rate is None or in [0, 1] and counts add up)."""
    problems = []

    def rates(where, d):
        for k in ("precision", "recall", "f1"):
            v = d[k]
            if v is not None and not (isinstance(v, float) and 0.0 <= v <= 1.0):
                problems.append(f"{where}: {k} = {v!r}")
        if not 0 <= d["tp"] <= min(d["suggested"], d["stated"]):
            problems.append(f"{where}: tp {d['tp']} > suggested {d['suggested']} or stated {d['stated']}")

    for f in result["files"]:
        for t, d in f["sweep"].items():
            rates(f"{f['file']} at {t}", d)
        if len(f["misses"]) != f["stated"] - f["sweep"][0.0]["tp"]:
            problems.append(f"{f['file']}: {len(f['misses'])} misses for {f['stated']} stated and "
                            f"{f['sweep'][0.0]['tp']} found")
        for k, v in f["scores"].items():
            if not 0.0 <= v <= 1.0:
                problems.append(f"{f['file']}: score of {k} = {v!r}")
    for t, d in result["sweep"].items():
        rates(f"overall at {t}", d)
    return problems


# --- writing ------------------------------------------------------------------------------

def fmt(v) -> str:
    return "—" if v is None else f"{v:.2f}"


def sweep_lines(result: dict) -> list[str]:
    """The minimum-score sweep table and the verdict on the target."""
    files = result["files"]
    L = []
    scored = any(f["has_score"] for f in files)
    L.append("Minimum score sweep (all files)" + ("" if scored else
             " — this suggester gives no `score`, so every threshold keeps every suggestion") + ":")
    L.append("")
    L += ["| min score | suggested | correct | precision | recall | F1 |", "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    for t in THRESHOLDS:
        d = result["sweep"][t]
        L.append(f"| {t:.1f} | {d['suggested']} | {d['tp']} | {fmt(d['precision'])} | {fmt(d['recall'])} | {fmt(d['f1'])} |")
    L.append("")
    best = result["best_threshold_at_recall"]
    tgt = result["target"]
    if best is None:
        b = result["best_f1_threshold"]
        d = result["sweep"][b]
        L.append(f"**Target (recall ≥ {tgt['recall']} at precision ≥ {tgt['precision']}): not met.** No threshold "
                 f"reaches recall {tgt['recall']}; the best F1 is at min score {b:.1f}: precision {fmt(d['precision'])}, "
                 f"recall {fmt(d['recall'])}.")
    else:
        d = result["sweep"][best]
        met = "met" if result["target_met"] else "not met"
        L.append(f"**Target (recall ≥ {tgt['recall']} at precision ≥ {tgt['precision']}): {met}.** Best threshold with "
                 f"recall ≥ {tgt['recall']}: min score {best:.1f}, precision {fmt(d['precision'])}, recall {fmt(d['recall'])}.")
    L.append("")
    return L


def markdown(result: dict, full: bool) -> str:
    days = result["within_days"]
    files = result["files"]
    opts = sorted({f["option"] for f in files})
    L = ["## `ledger links --suggest` against the links sources state", ""]
    L.append(f"Run: `ledger links --suggest --json {' / '.join(opts)}` on each example with every link removed "
             f"(`bench/suggest_eval.py`, {dt.date.today().isoformat()}). Truth: the links the cited pages state "
             f"(`responds_to` with basis stated). Pooled over all files.")
    L.append("")
    L += ["| ledger | measures | stated links | suggested | correct | precision | recall | F1 |",
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for f in files:
        a = f["all"]
        L.append(f"| `{f['file']}` | {f['measures']} | {f['stated']} | {a['suggested']} | {a['tp']} | "
                 f"{fmt(a['precision'])} | {fmt(a['recall'])} | {fmt(a['f1'])} |")
    o = result["overall"]
    L.append(f"| **all** | {sum(f['measures'] for f in files)} | {o['stated']} | {o['suggested']} | {o['tp']} | "
             f"**{fmt(o['precision'])}** | **{fmt(o['recall'])}** | **{fmt(o['f1'])}** |")
    L.append("")
    L += sweep_lines(result)
    n_miss = sum(len(f["misses"]) for f in files)
    n_fp = sum(len(f["false_positives"]) for f in files)
    window = sum(1 for f in files for m in f["misses"] if "> window" in m["reason"])
    countries = sum(1 for f in files for m in f["misses"] if "not among" in m["reason"])
    outranked = sum(1 for f in files for m in f["misses"] if "outranked" in m["reason"])
    reversed_ = sum(1 for f in files for m in f["misses"] if "other way round" in m["reason"])
    L.append(f"Misses at min score 0: {n_miss} stated links not suggested ({window} beyond the {days}-day window, "
             f"{countries} whose countries do not meet, {reversed_} suggested the other way round, {outranked} "
             f"outranked by other suggestions); {n_fp} suggestions that no page states.")
    o = result["overall"]
    if result["best_threshold_at_recall"] is None and o["stated"]:
        L.append("")
        L.append(f"Why: even keeping every suggestion (min score 0) the suggester finds {o['tp']} of the "
                 f"{o['stated']} stated links (recall {fmt(o['recall'])}): the ones it misses are listed below with "
                 f"the reason, so no threshold can reach recall {result['target']['recall']}; raising the threshold "
                 f"trades recall for precision (see the sweep).")
    if not full:
        return "\n".join(L) + "\n"
    L += ["", "### Stated links not suggested", "",
          "| ledger | answering measure | answered measure | lag (days) | kinds | why (from the data) |",
          "| --- | --- | --- | ---: | --- | --- |"]
    for f in files:
        for m in f["misses"]:
            lag = "—" if m["lag_days"] is None else str(m["lag_days"])
            L.append(f"| `{Path(f['file']).name}` | `{m['from']}` | `{m['to']}` | {lag} | {m['kinds']} | {m['reason']} |")
    L += ["", "### Suggestions no page states", "",
          "| ledger | suggested: measure | answers | score | note |", "| --- | --- | --- | ---: | --- |"]
    for f in files:
        for w in f["false_positives"]:
            note = (w["note"] or "").replace("|", "\\|")
            if w["reversed"]:
                note = "(the stated link runs the other way) " + note
            L.append(f"| `{Path(f['file']).name}` | `{w['from']}` | `{w['to']}` | {w['score']:.2f} | {note} |")
    L += ["", "### Every suggestion with its score", ""]
    for f in files:
        L.append(f"- `{f['file']}` ({f['option']}, {f['seconds']:.2f} s): "
                 + (", ".join(f"{k} ({v:.2f}{', stated' if k in f['stated_pairs'] else ''})"
                              for k, v in f["scores"].items()) or "none"))
    return "\n".join(L) + "\n"


def suggester_version() -> str:
    """Which suggester was measured: the last commit of src/ledger/links.py, and whether
    the working tree changes it (several people work in one tree)."""
    try:
        git = ["git", "-C", str(ROOT)]
        commit = subprocess.run([*git, "log", "-1", "--format=%h %cs", "--", "src/ledger/links.py"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run([*git, "diff", "--quiet", "HEAD", "--", "src/ledger/links.py", "src/ledger/cli"],
                               capture_output=True, timeout=10).returncode == 1
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    return f"`src/ledger/links.py` of commit {commit or '?'}" + (
        ", with uncommitted changes to it or to `src/ledger/cli/` in the working tree" if dirty else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, help="example ledgers (default: examples/*.yaml)")
    ap.add_argument("--within", type=int, default=120, metavar="DAYS", help="how far back to look (default 120)")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write the full tables (default bench/SUGGEST.md)")
    ap.add_argument("--check", action="store_true", help="run and check the numbers are well-formed; write nothing")
    ap.add_argument("--json", action="store_true", help="print the numbers as JSON instead of markdown")
    ap.add_argument("--also-within", type=int, action="append", metavar="DAYS",
                    help="with the default run: also measure at this window, for the table of windows "
                         "(repeatable; default 60 and 365)")
    ap.add_argument("--in-process", action="store_true",
                    help="call ledger.links.suggest_links in this process instead of the CLI (its scores, fast)")
    args = ap.parse_args(argv)
    paths = [p.resolve() for p in args.files] or sorted(EXAMPLES.glob("*.yaml"))
    if not paths:
        print("suggest_eval: no example ledgers", file=sys.stderr)
        return 1
    result = evaluate(paths, args.within, suggest_in_process if args.in_process else None)
    problems = well_formed(result)
    if args.json:
        print(json.dumps(result, indent=1, sort_keys=True, default=str))
    else:
        print(markdown(result, full=False), end="")
    if problems:
        print("suggest_eval: numbers not well-formed:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    if not args.check:
        header = ("# Link suggestions against stated links\n\n"
                  "Written by `.venv/bin/python bench/suggest_eval.py` from the example ledgers in `examples/`"
                  " (issue 15). Do not edit by hand: run it again.\n\n"
                  f"Suggester measured: {suggester_version()}.\n\n")
        text = header + markdown(result, full=True)
        windows = sorted({args.within, *(args.also_within or [60, 365])})
        runner = suggest_in_process if args.in_process else None
        rows = [(w, result if w == args.within else evaluate(paths, w, runner)) for w in windows]
        text += ("\n### Other windows\n\nThe same run at other `--within` spans (all files; the best "
                 "min score is the one with the highest precision at recall ≥ 0.8, else the best F1):\n\n"
                 "| within | stated links found at min score 0 | precision at 0 | best min score | precision | recall |\n"
                 "| ---: | ---: | ---: | ---: | ---: | ---: |\n")
        for w, r in rows:
            b = r["best_threshold_at_recall"]
            b = r["best_f1_threshold"] if b is None else b
            d = r["sweep"][b]
            text += (f"| {w} days | {r['overall']['tp']} of {r['overall']['stated']} | {fmt(r['overall']['precision'])} | "
                     f"{b:.1f}{'' if r['best_threshold_at_recall'] is not None else ' (best F1)'} | "
                     f"{fmt(d['precision'])} | {fmt(d['recall'])} |\n")
        if not any(f["has_score"] for f in result["files"]) and not args.in_process:
            try:  # the CLI prints no score yet: show what the installed suggester scores, in process
                preview = evaluate(paths, args.within, suggest_in_process)
            except Exception as e:  # noqa: BLE001 - a preview only; the CLI run above is the measurement
                text += f"\n(No in-process preview: {type(e).__name__}: {e})\n"
            else:
                if any(f["has_score"] for f in preview["files"]):
                    text += ("\n### Scores of the suggester in process\n\n"
                             "The CLI above prints no `score` yet; the installed `ledger.links.suggest_links`, "
                             "called in process on the same copies (`--in-process`), scores its suggestions:\n\n"
                             + "\n".join(sweep_lines(preview)) + "\n")
        args.out.write_text(text, encoding="utf-8")
        print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
