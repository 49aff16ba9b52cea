"""The escalation chains as a directed graph: Graphviz DOT and Mermaid text.

One node per measure, labelled with its date, actor -> target and title; an edge
from each measure to every measure that responds to it (`responds_to` read the
other way). Nodes are filled by actor from a fixed palette; de-escalating kinds
(truces, agreements, talks) are drawn rounded and dashed.

Node ids are never the ledger's ids: Mermaid treats `end` as a keyword and
Graphviz reads `a:b` as a node and a port, so each node is `n_` plus its id with
every character outside [A-Za-z0-9_] replaced, made unique when that collides.
Labels are escaped for each language, so a title is always text: `dot_string` for
DOT (a control character never reaches Graphviz: a NUL made it fail, an ESC made its
SVG unreadable as XML), `mermaid_text` for Mermaid labels (no `%%{init}%%` directive,
no closing quote) and `mermaid_title` for the diagram's title in the front matter.
Control characters are shown as their escapes (`render.terminal_text`).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass

from ..model import DEESCALATING, Ledger, Measure
from ..render import terminal_text

# Colour-blind-friendly fills (Okabe-Ito, lightened) with a darker stroke each.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#cfe3f4", "#0072b2"),  # blue
    ("#fbe0c3", "#d55e00"),  # vermilion
    ("#d3efe5", "#009e73"),  # green
    ("#f7e8b0", "#b38f00"),  # yellow
    ("#ead7e6", "#cc79a7"),  # purple
    ("#d9eef9", "#56b4e9"),  # sky
    ("#f5d9b0", "#e69f00"),  # orange
    ("#e3e3e3", "#555555"),  # grey
)

GRAPHVIZ_MISSING = "Graphviz's dot is not installed; apt-get install graphviz (or brew install graphviz)"


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A measure as drawn.

    Fields:
      key: the node id in the graph language (sanitised, unique).
      measure: the measure it draws.
      lines: the label's lines: date, actor -> target, title.
      fill, stroke: colours of its actor.
      calming: True for de-escalating kinds (drawn rounded and dashed).
    """

    key: str
    measure: Measure
    lines: tuple[str, ...]
    fill: str
    stroke: str
    calming: bool


@dataclass(frozen=True, slots=True)
class Graph:
    """Nodes in ledger order (by date), edges (from key, to key), and actor -> colours."""

    title: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[tuple[str, str], ...]
    legend: tuple[tuple[str, str, str], ...]
    inferred: frozenset[tuple[str, str]] = frozenset()  # the edges that are our reading: drawn dashed


def actor_key(measure: Measure) -> str:
    """The actor a node is coloured by: its countries, joined (`US`, `CN+US`)."""
    return "+".join(sorted(measure.actor))


def node_key(ref: str, taken: set[str]) -> str:
    base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", ref)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def build_graph(ledger: Ledger) -> Graph:
    """The measures of a (selected) ledger as nodes and response edges."""
    measures = sorted(ledger.measures, key=lambda m: (m.date.first, m.date.last, m.id))
    actors = sorted({actor_key(m) for m in measures})
    colours = {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(actors)}
    taken: set[str] = set()
    keys: dict[str, str] = {}
    nodes = []
    for m in measures:
        keys[m.id] = node_key(m.id, taken)
        fill, stroke = colours[actor_key(m)]
        lines = (str(m.date), f"{', '.join(m.actor)} → {', '.join(m.target)}", m.title)
        nodes.append(GraphNode(keys[m.id], m, lines, fill, stroke, m.kind in DEESCALATING))
    edges = tuple(
        (keys[ref], keys[m.id]) for m in measures for ref in m.responds_to if ref in keys
    )
    legend = tuple((a, *colours[a]) for a in actors)
    inferred = frozenset((keys[ref], keys[m.id]) for m in measures if m.links
                         for ref in m.responds_to if ref in keys and m.basis(ref) == "inferred")
    return Graph(ledger.title or "Escalation chains", tuple(nodes), edges, legend, inferred)


# --- DOT --------------------------------------------------------------------------------


def dot_string(text: str) -> str:
    """A DOT double-quoted string whose content Graphviz shows as is: the one way
    ledger text enters a DOT file.

    Control characters are shown as escapes (`\\x1b`); backslash starts Graphviz's
    escapes (`\\N`, `\\l`), so it is doubled; a newline becomes `\\n` (a centred
    line break); `&` is written `&amp;`, since Graphviz passes an entity such as
    `&#27;` through to SVG, where it is not XML.
    """
    text = terminal_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("&", "&amp;").replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def _wrap(text: str, width: int = 36) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return lines or [""]


def to_dot(ledger: Ledger) -> str:
    """The chains as a Graphviz digraph (left to right)."""
    g = build_graph(ledger)
    out = [
        "digraph escalation {",
        f"  label={dot_string(g.title)};",
        "  labelloc=t; fontname=\"Helvetica,Arial,sans-serif\"; fontsize=16;",
        "  rankdir=LR; nodesep=0.25; ranksep=0.5;",
        '  node [shape=box, style="filled", fontname="Helvetica,Arial,sans-serif", fontsize=11, penwidth=1.4];',
        '  edge [color="#555555", arrowsize=0.7];',
    ]
    # rankdir=LR lays a rank out bottom to top in declaration order: declare the
    # latest first so the picture reads in date order from the top.
    for n in sorted(g.nodes, key=lambda n: (n.measure.date.first, n.measure.date.last), reverse=True):
        label = "\n".join([n.lines[0], n.lines[1], *_wrap(n.lines[2])])
        style = '"filled,rounded,dashed"' if n.calming else '"filled"'
        out.append(
            f"  {n.key} [label={dot_string(label)}, fillcolor=\"{n.fill}\", color=\"{n.stroke}\", "
            f"style={style}, tooltip={dot_string(n.measure.id)}];"
        )
    for a, b in g.edges:
        out.append(f"  {a} -> {b} [style=dashed];" if (a, b) in g.inferred else f"  {a} -> {b};")
    if g.legend:
        out.append('  subgraph cluster_legend {')
        out.append('    label="Actors"; fontsize=11; style="dashed"; color="#999999"; margin=8;')
        keys = []
        for i, (actor, fill, stroke) in enumerate(g.legend):
            keys.append(f"legend_{i}")
            out.append(f"    legend_{i} [label={dot_string(actor.replace('+', ' + '))}, fillcolor=\"{fill}\", color=\"{stroke}\"];")
        keys.append("legend_calming")
        out.append('    legend_calming [label="de-escalating\\n(truce, talks, agreement)", style="rounded,dashed", color="#555555"];')
        out.append("    {rank=same; " + "; ".join(keys) + ";}")
        if g.inferred:
            out.append('    legend_stated [label="stated: a source says it answered", shape=plaintext, style=""];')
            out.append('    legend_inferred [label="inferred: our reading (dashed)", shape=plaintext, style=""];')
            out.append('    legend_stated_to [label="", shape=point, style=""];')
            out.append('    legend_inferred_to [label="", shape=point, style=""];')
            out.append("    legend_stated -> legend_stated_to;")
            out.append("    legend_inferred -> legend_inferred_to [style=dashed];")
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


# --- Mermaid ----------------------------------------------------------------------------

# Mermaid reads `#...;` as an entity code inside quoted labels: numeric codes are the
# one escape every Mermaid version understands. `%` because Mermaid looks for
# `%%{init: ...}%%` directives anywhere in the text, labels included (a title could set
# the theme, or `themeCSS` with a `url(...)`); `ﬂ` and `¶` because Mermaid stands them
# in for `&#` and `;` while it parses, and would read them back as an entity.
_MERMAID_ESCAPES = {"#": "#35;", '"': "#34;", "<": "#60;", ">": "#62;", "&": "#38;", "`": "#96;",
                    "%": "#37;", "\ufb02": "#64258;", "\u00b6": "#182;"}


def mermaid_text(text: str) -> str:
    """Ledger text inside a quoted Mermaid label: always text, one line."""
    text = terminal_text(re.sub(r"\r\n|\r|\n", " ", text))
    return "".join(_MERMAID_ESCAPES.get(c, c) for c in text)


def mermaid_title(text: str) -> str:
    """The diagram's title in the front matter: one YAML double-quoted string (JSON's
    string syntax is YAML's), so `Phase 2: tariffs` or `[Draft]` stay a title, and
    front matter is read before directives are looked for."""
    return json.dumps(terminal_text(re.sub(r"\r\n|\r|\n", " ", text)), ensure_ascii=False)


def to_mermaid(ledger: Ledger) -> str:
    """The chains as a Mermaid flowchart (for Markdown on GitHub, GitLab, Notion...)."""
    g = build_graph(ledger)
    out = [
        "---",
        f"title: {mermaid_title(g.title)}",
        "---",
        "flowchart LR",
    ]
    for n in g.nodes:
        label = "<br/>".join(mermaid_text(line) for line in n.lines)
        opening, closing = ('(["', '"])') if n.calming else ('["', '"]')
        out.append(f"  {n.key}{opening}{label}{closing}")
    for a, b in g.edges:
        out.append(f"  {a} -.-> {b}" if (a, b) in g.inferred else f"  {a} --> {b}")
    if g.inferred:  # Mermaid has no legend: a small one of its own
        out.append('  subgraph legend ["Links"]')
        out.append('    legend_a["A"] -->|"stated: a source says B answered A"| legend_b["B"]')
        out.append('    legend_c["A"] -.->|"inferred: our reading"| legend_d["B"]')
        out.append("  end")
    for n in g.nodes:
        dash = ",stroke-dasharray:5 4" if n.calming else ""
        out.append(f"  style {n.key} fill:{n.fill},stroke:{n.stroke},color:#111111{dash}")
    return "\n".join(out) + "\n"


# --- Rendering through Graphviz -------------------------------------------------------


class GraphvizMissing(Exception):
    """`dot` is not on PATH."""


class GraphvizFailed(Exception):
    """`dot` ran and failed; the message is its stderr."""


class GraphvizTimedOut(GraphvizFailed):
    """`dot` did not finish laying out the graph in time (it was stopped)."""


# Seconds `dot` may take. Its layout grows faster than the graph: a chain of 3,000
# measures took 0.9 s, of 20,000 measures 34 s, of 50,000 more than 100 s.
DOT_TIMEOUT = 30


def render_dot(dot_text: str, fmt: str, timeout: float | None = None) -> bytes:
    """Run Graphviz's `dot -T<fmt>` on DOT text; raises GraphvizMissing, GraphvizTimedOut
    (after `timeout` seconds, default DOT_TIMEOUT, the process stopped) or GraphvizFailed."""
    import shutil

    timeout = DOT_TIMEOUT if timeout is None else timeout

    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizMissing(GRAPHVIZ_MISSING)
    try:
        proc = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:  # subprocess.run has killed and reaped it
        raise GraphvizTimedOut(f"Graphviz's dot did not lay the graph out in {timeout:g} s") from None
    if proc.returncode != 0:
        raise GraphvizFailed(proc.stderr.decode("utf-8", "replace").strip() or f"dot exited with {proc.returncode}")
    return proc.stdout
