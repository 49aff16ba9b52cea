"""The whole ledger as one self-contained web page: `ledger report -o report.html`.

Pure: a selected ledger, its selection and (optionally) the chains graph as SVG
text in; an HTML document out. The page makes no network request: CSS is inline,
the graph is inline SVG, there are no scripts, fonts or images to fetch. The only
URLs are plain links to the sources' own pages (http and https only).

Sections: deadlines with countdowns as of the selection's day, escalation over
time (bars per period, as in `ledger chart`), the chains (the Graphviz picture
when one was made, and always as nested lists, which is also what a reader
without the picture gets), the timeline, a summary per country, and the sources.

Every piece of ledger text goes through `_e` (control characters shown as escapes, then
`html.escape`); a title is text, never markup.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape

from ..chains import build_chains, chain_stats, is_chain
from ..deadlines import upcoming_deadlines
from ..model import DEESCALATING, Ledger, LedgerDate, Measure
from ..render import terminal_text
from ..select import Selection
from ..summary import summarize
from ..timeline import timeline
from .chart import escalation_buckets

CSS = """
:root { --ink:#1b1f24; --muted:#5b6470; --rule:#d8dde3; --bg:#ffffff; --soft:#f4f6f8;
  --up:#c0392b; --down:#1f7a4d; --warn:#b35c00; --urgent:#b00020; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
header.page { border-bottom: 2px solid var(--ink); margin-bottom: 1rem; }
h1 { font-size: 1.6rem; line-height: 1.2; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--rule); padding-bottom: .25rem; }
p.meta, .muted { color: var(--muted); }
p.meta { margin: .25rem 0 .75rem; }
nav.toc { display: flex; flex-wrap: wrap; gap: .25rem 1rem; font-size: .95rem; margin-bottom: .75rem; }
a { color: #0b5cad; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--rule); }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.when { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.passed td { color: var(--muted); }
.countdown { font-weight: 600; white-space: nowrap; }
.soon .countdown { color: var(--warn); }
.urgent .countdown { color: var(--urgent); }
.tag { display: inline-block; font-size: .8rem; padding: 0 .4rem; border-radius: .6rem;
  background: var(--soft); border: 1px solid var(--rule); white-space: nowrap; }
.tag.disputed { border-color: var(--warn); color: var(--warn); }
.tag.inferred { border-style: dashed; color: var(--muted); }
.tag.calming { border-color: var(--down); color: var(--down); }
.tag.event { border-color: #6a4c93; color: #6a4c93; }
.graph { overflow-x: auto; border: 1px solid var(--rule); border-radius: .4rem; padding: .5rem; background: #fff; }
.graph svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
ul.chain, ul.chain ul { list-style: none; margin: 0; padding-left: 1.1rem; border-left: 2px solid var(--rule); }
ul.chain { padding-left: .6rem; margin: .5rem 0 1rem; }
ul.chain li { margin: .3rem 0; }
.chain-head { font-weight: 600; margin-top: 1rem; }
.bars { display: grid; grid-template-columns: minmax(5.5rem, max-content) 3rem 1fr 1fr 3rem; gap: .15rem .5rem;
  align-items: center; font-size: .9rem; font-variant-numeric: tabular-nums; }
.bars .period { font-weight: 600; }
.bars .down, .bars .up { display: flex; min-width: 0; }
.bars .down { justify-content: flex-end; }
.bars .bar { display: block; flex: none; height: .9rem; border-radius: 2px; min-width: 0; }
.bars .down .bar { background: var(--down); }
.bars .up .bar { background: var(--up); }
.bars .net { text-align: right; }
.bars .head { color: var(--muted); font-size: .8rem; }
footer { margin: 2rem 0 1rem; font-size: .85rem; color: var(--muted); border-top: 1px solid var(--rule); padding-top: .5rem; }
@media (max-width: 40rem) {
  main { padding: .6rem; }
  h1 { font-size: 1.3rem; }
  table.stack thead { display: none; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack tr { border-bottom: 1px solid var(--rule); padding: .4rem 0; }
  table.stack td { border: 0; padding: .1rem 0; }
  table.stack td.when, table.stack td.num, table.stack td.inline { display: inline-block; width: auto; margin-right: .6rem; text-align: left; }
  table.stack td[data-label]::before { content: attr(data-label) " "; color: var(--muted); }
  .bars { grid-template-columns: minmax(4.5rem, max-content) 2.2rem 1fr 1fr 2.2rem; font-size: .8rem; }
}
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav.toc { display: none; }
  h2 { break-after: avoid; }
  tr, li, .graph { break-inside: avoid; }
  .table-wrap, .graph { overflow: visible; }
  a { color: inherit; text-decoration: none; }
  a.source[href]::after { content: " (" attr(href) ")"; font-size: .85em; color: var(--muted); word-break: break-all; }
  .bars .bar { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""


def _e(text) -> str:
    """Text for the page: control characters and bidirectional overrides shown as their
    escapes (`render.terminal_text`: a NUL is not HTML, an override would reorder the
    line), then HTML-escaped."""
    return escape(terminal_text(str(text)), quote=True)


def _who(actor, target) -> str:
    actor, target = tuple(actor), tuple(target)
    if set(actor) == set(target) and len(actor) > 1:
        return " ↔ ".join(actor)
    return f"{', '.join(actor)} → {', '.join(target)}"


def _moment(moment, precision: str = "day") -> str:
    if isinstance(moment, dt.datetime):
        return moment.isoformat(sep=" ", timespec="minutes")
    if precision != "day":
        return str(LedgerDate(moment, precision))  # type: ignore[arg-type]
    return moment.isoformat()


def _safe_url(url: str | None) -> str | None:
    if url and re.match(r"https?://[^\s\"'<>]+\Z", url.strip(), re.IGNORECASE):
        return url.strip()
    return None


def clean_svg(svg: str) -> str:
    """Graphviz's SVG made fit to inline: no XML prolog, DOCTYPE or comments."""
    svg = re.sub(r"<\?xml.*?\?>", "", svg, flags=re.S)
    svg = re.sub(r"<!DOCTYPE.*?>", "", svg, flags=re.S)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return svg.strip()


# --- sections ---------------------------------------------------------------------------


def _deadlines(ledger: Ledger, as_of: dt.date) -> str:
    rows = upcoming_deadlines(ledger, as_of, include_passed=True)
    if not rows:
        return '<p class="muted">No deadlines.</p>'
    upcoming = [r for r in rows if not r.passed]
    passed = [r for r in rows if r.passed]
    out = ['<div class="table-wrap"><table class="stack"><thead><tr><th>Date</th><th>Countdown</th>'
           "<th>What</th><th>Measure or event</th><th>Countries</th></tr></thead><tbody>"]
    for r in [*upcoming, *passed]:
        d = r.deadline
        cls = "passed" if r.passed else ("urgent" if r.days_left <= 7 else "soon" if r.days_left <= 30 else "")
        tags = ""
        if d.disputed_by:
            tags = f' <span class="tag disputed">version of {_e(d.disputed_by)}; sources disagree</span>'
        elif r.disputed:
            tags = ' <span class="tag disputed">disputed: another source gives a different date</span>'
        if d.inferred:
            tags += ' <span class="tag inferred">inferred date: our reading, not a source\'s</span>'
        out.append(
            f'<tr class="{cls}"><td class="when">{_e(_moment(d.moment, d.precision))}</td>'
            f'<td class="inline"><span class="countdown">{_e(r.text)}</span></td><td class="inline">{_e(d.what)}</td>'
            f'<td>{_e(d.title)}{tags} <span class="muted">({_e(d.ref)})</span></td>'
            f'<td>{_e(", ".join(d.countries))}</td></tr>'
        )
    out.append("</tbody></table></div>")
    note = f"{len(upcoming)} to come, {len(passed)} passed (greyed) as of {as_of.isoformat()}."
    return f'<p class="muted">{_e(note)}</p>' + "".join(out)


def _bars(ledger: Ledger) -> str:
    buckets = escalation_buckets(ledger, "month")
    if not buckets:
        return '<p class="muted">No measures.</p>'
    peak = max([abs(v) for b in buckets for v in (*b.up.values(), *b.down.values())] or [1]) or 1
    out = ['<div class="bars" role="table" aria-label="Escalation weight per month and actor">',
           '<span class="head">Period</span><span class="head">Actor</span>'
           '<span class="head" style="text-align:right">de-escalation</span>'
           '<span class="head">escalation</span><span class="head" style="text-align:right">net</span>']
    for b in buckets:
        for i, c in enumerate(b.countries()):
            down, up = -b.down.get(c, 0), b.up.get(c, 0)
            out.append(
                f'<span class="period">{_e(b.period.label) if i == 0 else ""}</span><span>{_e(c)}</span>'
                f'<span class="down"><span class="bar" style="width:{100 * down / peak:.0f}%" title="{-down}"></span></span>'
                f'<span class="up"><span class="bar" style="width:{100 * up / peak:.0f}%" title="+{up}"></span></span>'
                f'<span class="net">{b.net(c):+d}</span>'
            )
    out.append("</div>")
    vague = [b.period.label for b in buckets if b.period.kind == "year"]
    note = ("Summed escalation weight of each actor's measures per month (tariffs, controls push up; "
            "talks, truces, agreements pull down).")
    if vague:
        note += f" {', '.join(vague)}: measures known only to the year."
    return f'<p class="muted">{_e(note)}</p>' + "".join(out)


def _provenance_tags(r, parent: str | None = None) -> str:
    """Tags for an inferred link to `parent`, inferred fields and disputed fields."""
    tags = []
    if parent is not None and isinstance(r, Measure) and r.links and r.basis(parent) == "inferred":
        tags.append('<span class="tag inferred">inferred link: our reading, not a source\'s</span>')
    if r.inferred:
        tags.append(f'<span class="tag inferred">inferred: {_e(", ".join(r.inferred))}</span>')
    if isinstance(r, Measure) and r.reports and r.disputed():
        tags.append(f'<span class="tag disputed">disputed: {_e(", ".join(r.disputed()))}</span>')
    return "".join(" " + t for t in tags)


def _chain_item(node, is_root: bool, parent: str | None = None) -> str:
    m = node.measure
    lag = ""
    if not is_root:
        lag = " · lag unknown" if node.lag_days is None else f" · {node.lag_days} days later"
    calm = ' <span class="tag calming">de-escalating</span>' if m.kind in DEESCALATING else ""
    more = ' <span class="muted">(answers shown above)</span>' if node.repeated else ""
    return (f'<strong>{_e(m.date)}</strong> {_e(_who(m.actor, m.target))} · {_e(m.kind)}{calm}'
            f'{_provenance_tags(m, parent)}<br>{_e(m.title)} <span class="muted">({_e(m.id)}{_e(lag)})</span>{more}')


# Levels of answers drawn as nested lists; deeper answers go on in the list at that
# level, each saying its own level. Browsers stop nesting elements at a few hundred
# levels (Chromium's parser at 512), and every level indents the text further.
NESTED_LEVELS = 16


def _chain_list(root) -> str:
    # Iterative: a chain thousands of answers long must not exhaust the recursion limit.
    out: list[str] = ['<ul class="chain">']
    stack: list = [("open", root, 0, None)]
    while stack:
        op, node, level, parent = stack.pop()
        if op == "close":
            out.append("</ul></li>" if node else "</li>")
            continue
        deep = f'<span class="muted">level {level} · </span>' if level > NESTED_LEVELS else ""
        out.append("<li>" + deep + _chain_item(node, level == 0, parent))
        answers = [("open", child, level + 1, node.measure.id) for child in reversed(node.responses)]
        if answers and level < NESTED_LEVELS:  # the answers inside this item, in a list of their own
            out.append("<ul>")
            stack.append(("close", True, level, None))
            stack += answers
        else:  # this item closes first; its answers follow it in the same list
            stack += answers
            stack.append(("close", False, level, None))
    out.append("</ul>")
    return "".join(out)


def _chains(ledger: Ledger, svg: str | None, graph_note: str | None) -> str:
    out = []
    if svg:
        out.append(f'<figure class="graph" aria-label="Escalation chains graph">{clean_svg(svg)}</figure>')
    elif graph_note:
        out.append(f'<p class="muted">{_e(graph_note)}</p>')
    roots = build_chains(ledger)
    chains = [r for r in roots if is_chain(r)]
    alone = [r for r in roots if not is_chain(r)]
    if not chains:
        out.append('<p class="muted">No measure answers another in this selection.</p>')
    for root in chains:
        st = chain_stats(root)
        moves = ", ".join(f"{c} {n}" for c, n in st.moves.items())
        out.append(f'<p class="chain-head">{st.steps} steps, depth {st.depth} · moves: {_e(moves)} · '
                   f"escalation weight {st.weight:+d}</p>")
        out.append(_chain_list(root))
    if alone:
        out.append(f'<p class="muted">{len(alone)} measure{"s" if len(alone) != 1 else ""} '
                   "neither answering nor answered in this selection: "
                   + ", ".join(_e(r.measure.id) for r in alone) + ".</p>")
    return "".join(out)


def _answers(r) -> str:
    if not isinstance(r, Measure) or not r.responds_to:
        return ""
    ids = [f"{_e(i)} (inferred)" if r.links and r.basis(i) == "inferred" else _e(i) for i in r.responds_to]
    return f'<br><span class="muted">answers {", ".join(ids)}</span>'


def _timeline(ledger: Ledger) -> str:
    records = timeline(ledger)
    if not records:
        return '<p class="muted">Nothing in this selection.</p>'
    out = ['<div class="table-wrap"><table class="stack"><thead><tr><th>Date</th><th>Who</th><th>Kind</th>'
           "<th>Title</th><th>Status</th></tr></thead><tbody>"]
    for r in records:
        if isinstance(r, Measure):
            who = _who(r.actor, r.target)
            kind = _e(r.kind) + (' <span class="tag calming">de-escalating</span>' if r.kind in DEESCALATING else "")
            when = str(r.date)
        else:
            who = ", ".join(r.countries)
            kind = f'<span class="tag event">event</span> {_e(r.kind)}'
            when = f"{r.date} – {r.end}" if r.end and r.end != r.date else str(r.date)
        out.append(f'<tr><td class="when">{_e(when)}</td><td>{_e(who)}</td><td>{kind}</td>'
                   f'<td>{_e(r.title)} <span class="muted">({_e(r.id)})</span>{_answers(r)}{_provenance_tags(r)}</td>'
                   f'<td>{_e(r.status)}</td></tr>')
    out.append("</tbody></table></div>")
    return "".join(out)


def _disputed_count(r) -> str:
    if not r.in_force_disputed:
        return ""
    return (' <span class="tag disputed">disputed: ' + _e(", ".join(r.in_force_disputed))
            + " (sources disagree whether in force)</span>")


def _summary(ledger: Ledger, selection: Selection) -> str:
    rows = summarize(ledger, selection.as_of, selection.countries)
    if not rows:
        return '<p class="muted">No countries in this selection.</p>'
    out = ['<div class="table-wrap"><table class="stack"><thead><tr><th>Country</th><th>Imposed</th><th>Received</th>'
           "<th>In force</th><th>Weight</th><th>By kind</th><th>Latest</th><th>Next deadline</th></tr></thead><tbody>"]
    for r in rows:
        name = ledger.countries.get(r.country)
        country = f"<strong>{_e(r.country)}</strong>" + (f" {_e(name)}" if name else "")
        kinds = ", ".join(f"{_e(k)} {n}" for k, n in r.kinds.items()) or "–"
        latest = f"{_e(r.latest.date)} {_e(r.latest.title)}" if r.latest else "–"
        nxt = "–"
        if r.next_deadline is not None:
            d = r.next_deadline.deadline
            nxt = (f"{_e(_moment(d.moment, d.precision))} <span class=\"countdown\">({_e(r.next_deadline.text)})</span>: "
                   f"{_e(d.what)}, {_e(d.ref)}")
        out.append(f'<tr><td>{country}</td><td class="num" data-label="imposed">{r.imposed}</td>'
                   f'<td class="num" data-label="received">{r.received}</td>'
                   f'<td class="num" data-label="in force">{r.in_force}{_disputed_count(r)}</td>'
                   f'<td class="num" data-label="weight">{r.weight:+d}</td><td>{kinds}</td>'
                   f'<td data-label="latest">{latest}</td><td data-label="next">{nxt}</td></tr>')
    out.append("</tbody></table></div>")
    return "".join(out)


def _sources(ledger: Ledger) -> str:
    cited = {s for r in (*ledger.measures, *ledger.events) for s in r.sources}
    for m in ledger.measures:
        cited.update(rep.source for rep in m.reports)
    items = []
    for sid in sorted(cited):
        s = ledger.sources.get(sid)
        if s is None:
            items.append(f"<li>{_e(sid)}</li>")
            continue
        url = _safe_url(s.url)
        title = f'<a class="source" href="{_e(url)}" rel="noopener noreferrer">{_e(s.title)}</a>' if url else _e(s.title)
        bits = [s.publisher] + ([s.author] if s.author else []) + ([str(s.published)] if s.published else [])
        items.append(f"<li>{title} <span class=\"muted\">— {_e(', '.join(bits))} ({_e(sid)})</span></li>")
    if not items:
        return '<p class="muted">No sources cited.</p>'
    return "<ul>" + "".join(items) + "</ul>"


def _filters(selection: Selection) -> str:
    return " · ".join(selection.describe())


def to_html(ledger: Ledger, selection: Selection, *, svg: str | None = None, graph_note: str | None = None,
            source_name: str | None = None, generator: str = "ledger report") -> str:
    """The report page. `svg`: the chains graph drawn by Graphviz, or None (then
    `graph_note` says why, and the chains appear as lists only)."""
    title = ledger.title or "Escalation ledger"
    sections = [
        ("deadlines", "Deadlines", _deadlines(ledger, selection.as_of)),
        ("over-time", "Escalation over time", _bars(ledger)),
        ("chains", "Escalation chains", _chains(ledger, svg, graph_note)),
        ("timeline", "Timeline", _timeline(ledger)),
        ("countries", "Countries", _summary(ledger, selection)),
        ("sources", "Sources", _sources(ledger)),
    ]
    counts = f"{len(ledger.measures)} measures, {len(ledger.events)} events"
    meta = f"{_filters(selection)} · {counts}"
    if source_name:
        meta += f" · from {source_name}"
    toc = "".join(f'<a href="#{sid}">{_e(name)}</a>' for sid, name, _ in sections)
    body = "".join(f'<section id="{sid}"><h2>{_e(name)}</h2>{html}</section>' for sid, name, html in sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="{_e(generator)}">'
        f"<title>{_e(title)} — as of {_e(selection.as_of.isoformat())}</title>"
        f"<style>{CSS}</style></head><body><main>"
        f'<header class="page"><h1>{_e(title)}</h1><p class="meta">{_e(meta)}</p>'
        f'<nav class="toc" aria-label="Sections">{toc}</nav></header>'
        f"{body}"
        f"<footer>Made by {_e(generator)}. Every entry cites its sources; see the ledger file for quotes and notes.</footer>"
        "</main></body></html>\n"
    )
