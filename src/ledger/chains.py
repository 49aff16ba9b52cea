"""Escalation chains: which measure answered which, as trees.

Pure: a (selected) ledger in, `ChainNode` trees out. A root is a measure whose
`responds_to` names nothing in the ledger it is given (so a filter can cut a chain
and make a later measure a root). The children of a node are the measures that
respond to it, in date order; a measure answering two measures appears under each.
Building is linear in the number of links: one index from id to answers, one walk.
`responds_to` cycles are a check error, but the walk guards against them anyway
(a measure is never its own descendant), and measures caught in a cycle with no
way in become roots so nothing silently disappears.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter, itemgetter, not_
from typing import NamedTuple

from .model import DEFAULT_WEIGHT, Ledger, Measure


class ChainNode(NamedTuple):
    """One measure in a chain and the measures that answered it.

    A named tuple rather than a frozen dataclass: a big ledger's chains have a
    hundred thousand nodes, and `build_chains` makes each with one C call.

    Fields:
      measure: the measure.
      lag_days: days from the measure it answers (this node's parent) to it; None
        for a root, or when either date is not known to the day.
      responses: the measures that answered it, as nodes, in date order.
      repeated: True when the measure's own answers are left out here because
        they are spelled out where it first appears (see `build_chains`).
    """

    measure: Measure
    lag_days: int | None
    responses: tuple[ChainNode, ...] = ()
    repeated: bool = False

    def walk(self):
        """This node and every node below it, depth first (a measure may recur)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.responses))


@dataclass(frozen=True, slots=True)
class ChainStats:
    """Numbers for a chain's header.

    Fields:
      steps: distinct measures in the chain (the root counts).
      depth: answers in the longest line from the root (a lone root: 0).
      moves: per country code, how many of the chain's measures it took as actor.
      weight: summed escalation weight of the distinct measures.
    """

    steps: int
    depth: int
    moves: dict[str, int] = field(default_factory=dict)
    weight: int = 0


# Date order, then id: (first day, precision, id), see timeline.DATE_ORDER.
_DATE_ID_ORDER = attrgetter("date.first", "date.precision", "id")
_ID = attrgetter("id")
_LINKS = attrgetter("responds_to")


def _answers_index(measures) -> tuple[dict[str, list[Measure]], list[Measure], int]:
    """id -> the measures answering it (date order), the roots (date order), and how
    many distinct ids there are."""
    ids = set(map(_ID, measures))
    answers: dict[str, list[Measure]] = {}
    orphans: set[str] = set()  # measures whose every link names nothing here: roots too
    # Walking the measures in date order leaves every list in date order: one sort in C.
    order = sorted(measures, key=_DATE_ID_ORDER)
    links = list(map(_LINKS, order))
    # Only the measures that answer something have links to follow (about half of a big ledger).
    for m in compress(order, links):
        ls = m.responds_to
        if len(ls) == 1:  # most answers name one measure
            p = ls[0]
            if p in ids and p != m.id:
                found = answers.get(p)
                if found is None:
                    answers[p] = [m]
                else:
                    found.append(m)
            else:
                orphans.add(m.id)
        else:
            parents = [p for p in dict.fromkeys(ls) if p in ids and p != m.id]
            if not parents:
                orphans.add(m.id)
            for p in parents:
                answers.setdefault(p, []).append(m)
    if orphans:
        roots = [m for m, ls in zip(order, links) if not ls or m.id in orphans]
    else:  # every link found (no filter cut a chain): the roots are the measures without links
        roots = list(compress(order, map(not_, links)))
    return answers, roots, len(ids)


class ChainRows(NamedTuple):
    """The chains flattened, as columns: every node in the order its tree is read (a
    measure, then its answers in date order, each followed by its own), the way people's
    text prints them. Chain i is nodes starts[i]:starts[i + 1]. `chain_rows` makes them
    in one walk; `chain_trees` turns them into `ChainNode` trees.

    Fields:
      stats: each chain's `ChainStats`.
      starts: where each chain's nodes start, then the number of nodes.
      measures, depths, lags, repeated: per node, its measure, its depth (a root: 0),
        its `ChainNode.lag_days` and its `ChainNode.repeated`.
    """

    stats: list[ChainStats]
    starts: list[int]
    measures: list[Measure]
    depths: list[int]
    lags: list[int | None]
    repeated: list[bool]


def build_chains(ledger: Ledger, singles: bool = True) -> list[ChainNode]:
    """Every chain of the ledger, one tree per root, roots in date order.

    A measure reached a second time (it answers two measures, or two roots lead
    to it) appears there too, but its own answers are spelled out only at its
    first appearance (`repeated` marks the short form). This keeps the output
    linear in the ledger's size: a web of cross-answers cannot blow it up.

    singles=False leaves out the lone measures (see `is_chain`) without making a
    node for each: most of a big ledger's roots.
    """
    return [root for root, _ in chain_trees(chain_rows(ledger, singles))]


def chain_rows(ledger: Ledger, singles: bool = True) -> ChainRows:
    """The chains of `build_chains`, flat (see `ChainRows`), with their stats: one walk
    that makes no tree. People's text is printed from these rows; a big ledger's
    hundred thousand nodes then cost a few appends each."""
    answers, roots, distinct = _answers_index(ledger.measures)
    expanded: set[str] = set()
    expand = expanded.add
    rows = ChainRows([], [], [], [], [], [])
    stats, starts, measures = rows.stats, rows.starts, rows.measures
    put_measure, put_depth, put_lag, put_repeated = measures.append, rows.depths.append, rows.lags.append, rows.repeated.append

    def grow(first: Measure) -> None:
        # Iterative, so a chain thousands of answers long cannot exhaust Python's
        # recursion limit. A stack entry is (measure, an iterator over its answers
        # still to visit); its answers are one level below the stack's length.
        expand(first.id)
        starts.append(len(measures))
        put_measure(first)
        put_depth(0)
        put_lag(None)
        put_repeated(False)
        below = answers.get(first.id, ())
        stack = [(first, iter(below))]
        # For the stats: the measures expanded here, those met again (expanded here
        # or in an earlier chain), and the deepest level that has nodes.
        members = [first]
        again: list[Measure] = []
        depth = 1 if below else 0
        while stack:
            m, rest = stack[-1]
            level = len(stack)
            parent = m.date
            by_day = parent.precision == "day"
            start = parent.first
            for child in rest:  # resumes where it stopped when a child was pushed
                # Days from parent to answer, when both dates are known to the day.
                d = child.date
                put_lag((d.first - start).days if by_day and d.precision == "day" else None)
                put_measure(child)
                put_depth(level)
                cid = child.id
                if cid in expanded:
                    put_repeated(cid in answers)
                    again.append(child)
                    continue
                put_repeated(False)
                expand(cid)
                members.append(child)
                below = answers.get(cid)
                if below is None:  # nobody answered it (most answers): done without a stack level
                    continue
                stack.append((child, iter(below)))
                if level >= depth:  # its answers are one level further down
                    depth = level + 1
                break
            else:  # every answer visited
                stack.pop()
        if again:  # a measure met again counts once, and not at all if expanded here
            ids = set(map(_ID, members))
            for m in again:
                if m.id not in ids:
                    ids.add(m.id)
                    members.append(m)
        stats.append(_stats(members, depth))

    for r in roots:
        rid = r.id
        if rid in answers:
            grow(r)
        else:  # most roots are lone measures nobody answered: nothing to walk
            expand(rid)
            if singles:
                starts.append(len(measures))
                put_measure(r)
                put_depth(0)
                put_lag(None)
                put_repeated(False)
                stats.append(_lone_stats(r))
    # A responds_to cycle has no way in: show it from its earliest measure
    # rather than let it vanish (check reports the cycle as an error).
    if len(expanded) < distinct:
        for m in sorted(ledger.measures, key=_DATE_ID_ORDER):
            if m.id not in expanded:
                grow(m)
                if not singles and len(measures) - starts[-1] == 1:  # grown alone: not a chain
                    at = starts.pop()
                    stats.pop()
                    for column in rows[2:]:
                        del column[at:]
    starts.append(len(measures))
    return rows


def rows_of(chains: list[tuple[ChainNode, ChainStats]]) -> ChainRows:
    """Trees (with their stats) flattened into `ChainRows`."""
    rows = ChainRows([], [], [], [], [], [])
    for root, stats in chains:
        rows.stats.append(stats)
        rows.starts.append(len(rows.measures))
        stack = [(root, 0)]
        while stack:
            node, depth = stack.pop()
            rows.measures.append(node.measure)
            rows.depths.append(depth)
            rows.lags.append(node.lag_days)
            rows.repeated.append(node.repeated)
            stack.extend([(child, depth + 1) for child in reversed(node.responses)])
    rows.starts.append(len(rows.measures))
    return rows


def chain_trees(rows: ChainRows) -> list[tuple[ChainNode, ChainStats]]:
    """`ChainRows` as trees, each with its stats. Read backwards, a node comes after all
    of its answers, so each node is made once, with its finished answers, in one C call."""
    new = tuple.__new__  # ChainNode(...) without its Python-level __new__
    measures, depths, lags, repeated, starts = rows.measures, rows.depths, rows.lags, rows.repeated, rows.starts
    out = []
    for i, stats in enumerate(rows.stats):
        a, b = starts[i], starts[i + 1]
        # waiting[k]: the nodes met at depth k whose parent is not made yet, last first.
        waiting: list[list[ChainNode]] = [[] for _ in range(max(depths[a:b]) + 2)]
        for k in range(b - 1, a - 1, -1):
            depth = depths[k]
            below = waiting[depth + 1]
            if below:
                below.reverse()
                answers = tuple(below)
                below.clear()
            else:
                answers = ()
            waiting[depth].append(new(ChainNode, (measures[k], lags[k], answers, repeated[k])))
        out.append((waiting[0][0], stats))
    return out


def _stats(members: list[Measure], depth: int) -> ChainStats:
    """A chain's stats from its distinct measures and its depth (see `chain_stats`)."""
    moves: dict[str, int] = {}
    weight = 0
    for m in members:
        actor = m.actor
        for c in (actor if len(actor) == 1 else dict.fromkeys(actor)):
            moves[c] = moves.get(c, 0) + 1
        weight += m.weight if m.weight is not None else DEFAULT_WEIGHT[m.kind]  # as Measure.escalation
    # Most moves first, then by code (reverse=True keeps equal counts in code order).
    return ChainStats(len(members), depth, dict(sorted(sorted(moves.items()), key=itemgetter(1), reverse=True)), weight)


def _lone_stats(m: Measure) -> ChainStats:
    """The stats of a chain that is one measure."""
    return ChainStats(steps=1, depth=0, moves=dict.fromkeys(sorted(set(m.actor)), 1),
                      weight=m.weight if m.weight is not None else DEFAULT_WEIGHT[m.kind])


def chain_stats(root: ChainNode) -> ChainStats:
    """Steps, depth, moves per actor and summed weight of one chain."""
    if not root.responses:  # a lone measure (most roots of a big ledger)
        return _lone_stats(root.measure)
    m = root.measure
    seen: dict[str, Measure] = {m.id: m}
    depth = 0
    level = root.responses
    while level:  # one level of the tree at a time
        depth += 1
        below: list[ChainNode] = []
        for m, _, responses, _ in level:
            if m.id not in seen:
                seen[m.id] = m
            if responses:
                below += responses
        level = below
    return _stats(list(seen.values()), depth)


def chains_through(ledger: Ledger, measure_id: str) -> list[ChainNode]:
    """The chains passing through one measure, cut down to the lines through it.

    Keeps the measure, everything it answers up to the roots, and everything that
    answered it (and so on); side branches are left out. Empty when the measure is
    not in the ledger.
    """
    by_id = {m.id: m for m in ledger.measures}
    if measure_id not in by_id:
        return []
    answers, _, _ = _answers_index(ledger.measures)
    keep = {measure_id}
    todo = [measure_id]
    while todo:  # ancestors
        for p in by_id[todo.pop()].responds_to:
            if p in by_id and p not in keep:
                keep.add(p)
                todo.append(p)
    todo = [measure_id]
    while todo:  # descendants
        for c in answers.get(todo.pop(), ()):
            if c.id not in keep:
                keep.add(c.id)
                todo.append(c.id)
    sub = dataclasses.replace(ledger, measures=tuple(m for m in ledger.measures if m.id in keep))
    return build_chains(sub)


def is_chain(root: ChainNode) -> bool:
    """A lone measure nobody answered is not a chain."""
    return bool(root.responses)
