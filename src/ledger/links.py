"""Links: which measure answered which, each with its basis, and links worth checking.

Pure: a (selected) ledger in, rows out. `ledger_links` lists every link with its basis
(a plain `responds_to` id is stated by its measure's sources; see `Measure.links`).
`suggest_links` proposes links the ledger does not have, for a person to check against
the sources: a suggestion is never a link until someone writes it down, as inferred
(with the suggestion's reason as its note) or, if a source says so, as stated.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from .model import Ledger, Measure


class LinkRow(NamedTuple):
    """One link of the ledger.

    Fields:
      measure: id of the measure that answers.
      responds_to: id of the measure it answers.
      basis: "stated" or "inferred".
      sources: the sources that state it (the link's own, else its measure's).
      quote: the sentence that states it, if the link gives one.
      note: why it is inferred, or a caveat.
    """

    measure: str
    responds_to: str
    basis: str
    sources: tuple[str, ...]
    quote: str | None
    note: str | None


def ledger_links(ledger: Ledger) -> list[LinkRow]:
    """Every link, in the order of the measures and of their `responds_to`."""
    out = []
    for m in ledger.measures:
        written = {k.responds_to: k for k in m.links}
        for answered in m.responds_to:
            k = written.get(answered)
            if k is None:
                out.append(LinkRow(m.id, answered, "stated", m.sources, None, None))
            else:
                out.append(LinkRow(m.id, answered, k.basis, k.sources or m.sources, k.quote, k.note))
    return out


_RANK = {"day": 0, "month": 1, "year": 2}


def _key(m: Measure) -> tuple:
    """Measures in order of their first day, then their last (on the same first day a
    day ends before a month, a month before a year); a sort by it is stable, so measures
    dated alike stay in the ledger's order, as in the timeline: the order its author
    wrote them in (a file's own measures, then each file it includes, in turn)."""
    return (m.date.first, _RANK[m.date.precision])


class Suggestion(NamedTuple):
    """A link the ledger does not have that may be worth checking.

    Fields:
      id: a short, stable name for the pair (`suggestion_id`): ten hexadecimal digits,
        the same for the same two measures whatever else the ledger holds, so that
        `ledger links --apply ID` can name it.
      measure: id of the measure that may answer.
      responds_to: id of the earlier measure it may answer.
      score: how likely, from 0 to 1 (rounded to two decimals): higher when each takes
        its measure against the other alone, when the answer follows closely (on a
        slower clock when either is a step at law), when the kinds are the same or
        related (a step at law contesting a measure of trade counts as related), when
        both escalate (or both de-escalate), and when they share tags or words of their
        titles.
      reasons: each thing that counted, in a few words ("US targets CN, CN targets
        US", "17 days after", "same kind: tariff", ...), in that order.
      lag_days: days between their first days (None when either is known only to a
        month).
      note: the reasons in one sentence: a ready `note:` for an inferred link.
    """

    id: str
    measure: str
    responds_to: str
    score: float
    reasons: tuple[str, ...]
    lag_days: int | None
    note: str


def suggestion_id(measure: str, responds_to: str) -> str:
    """The id of the suggestion that `measure` answers `responds_to`: ten hexadecimal
    digits of a BLAKE2b hash of the pair (40 bits: two of a million suggestions share one
    about once in two thousand ledgers; `--apply` also takes `FROM:TO`)."""
    import hashlib

    return hashlib.blake2b(f"{measure}<-{responds_to}".encode(), digest_size=5).hexdigest()


# Kinds that answer one another in kind, though not the same kind: a tariff answered by a
# fee or an anti-dumping probe, an export control by sanctions or a security review, a
# truce by talks. GTA's own kinds (see docs/gta.md) too: a subsidy by a countervailing
# probe, an investment screen by a blocked acquisition.
RELATED_KINDS = frozenset(frozenset(pair) for pair in (
    ("tariff", "import-restriction"), ("tariff", "fee"), ("tariff", "investigation"),
    ("import-restriction", "fee"), ("import-restriction", "investigation"),
    ("export-control", "sanction"), ("export-control", "investigation"),
    ("export-control", "acquisition-block"), ("export-control", "import-restriction"),
    ("sanction", "acquisition-block"), ("sanction", "investigation"),
    ("acquisition-block", "investigation"), ("acquisition-block", "investment-screening"),
    ("investment-screening", "investigation"), ("subsidy", "investigation"), ("subsidy", "tariff"),
    ("subsidy", "procurement"), ("truce", "agreement"), ("truce", "talks"), ("agreement", "talks"),
))

# Measures of trade, which a step at law (`is_legal`) may contest: a WTO dispute over a
# tariff answers it in kind, one over a suspended dialogue does not.
CONTESTABLE = frozenset(("tariff", "export-control", "import-restriction", "investigation", "sanction", "fee",
                         "acquisition-block", "subsidy", "procurement", "investment-screening"))

# How much each thing counts; they add up to 1.
W_TIME, W_KIND, W_TOPIC, W_BILATERAL, W_WAY = 0.35, 0.2, 0.2, 0.15, 0.1
W_RELATED = W_KIND * 0.6  # a related kind counts this much of the same kind
HALF_LIFE_DAYS = 60  # an answer 60 days after counts half as near as one the same day: retaliation
# usually comes one to three months after what it answers (lists drawn up, hearings held)
IMPRECISE = 0.75  # nearness counts this much when a date is known only to the month
# A measure's suggestions after its best are its best's contenders: each scores at most
# this much below the best (a link the measure has counting as its best when it ranks
# first). A measure mostly answers one thing; a far weaker alternative beside a strong
# one is a thing to wade through, not a choice to make.
CONTENDER = 0.1

# A step at law (a WTO dispute, a complaint, a court ruling) moves at the pace of law:
# a dispute is filed after consultations, months after the measure it contests, and a
# ruling is answered when its enforcement comes near. A pair where either measure is
# such a step is measured on a clock LEGAL_PACE times slower: it may start up to that
# many windows after the other ends, and its nearness halves every LEGAL_PACE half-lives.
# No built-in kind is one; a declared kind is one when a word of its name says so.
LEGAL_PACE = 4
LEGAL_WORDS = frozenset("""
wto dispute disputes court courts ruling rulings lawsuit lawsuits litigation arbitration tribunal
complaint complaints appeal appeals judgment judgement verdict legal
""".split())


def is_legal(kind: str) -> bool:
    """Whether a kind is a step at law: a word of its name (split at `-` and `_`) is one
    of `LEGAL_WORDS` (`wto-dispute`, `court-ruling`; never a built-in kind)."""
    import re

    return not LEGAL_WORDS.isdisjoint(re.split(r"[-_\s]+", str(kind).lower()))

# Words of a title that say nothing about what a measure is about: every trade measure
# has them. The rest (steel, soybeans, rare earth, lithium) is what two moves share.
_STOP = frozenset("""
a an and the of on in to for from with by at as or into onto over under against after before
about its their this that these those than then which who new other more most all any some
certain further additional higher lower tighter extra existing rate rates percent per cent
tariff tariffs duty duties customs import imports importation export exports exportation
control controls measure measures restriction restrictions restricted ban bans banned
quota quotas licence licences license licenses licensing requirement requirements
investigation investigations probe probes review reviews inquiry fee fees levy levies
charge charges sanction sanctions designation designations entity entities list listing
trade goods product products origin originating country countries foreign domestic
government ministry state states united national federal republic people
china chinese usa american america european union japan japanese korea korean india
indian canada canadian mexico mexican russia russian germany german france french
billion million thousand usd eur cny tonne tonnes worth value section
suspended suspension suspend lifted lifting imposed impose announced extended extension
effect effective until ends ending end
january february march april june july august september october november december
year years month months week weeks
""".split())
@cache
def _reading() -> tuple:
    """(the pattern of a word of a title, the words that say nothing of what it is about:
    `_STOP` and the words of every country's name, `Indonesia: State loan ...`)."""
    import re

    import iso3166

    word = re.compile(r"[^\W\d_]{4,}")
    names = {w for c in iso3166.countries for name in (c.name, c.apolitical_name) for w in word.findall(name.lower())}
    return word, _STOP | names


def title_words(title: str) -> tuple[str, ...]:
    """The words of a title that may say what it is about, in order, lowercased, a plural
    `s` dropped (rare earths -> rare earth): letters only, at least four of them, none of
    the words every trade measure has nor a country's name (`_reading`)."""
    word, stop = _reading()
    out = []
    for w in word.findall(title.lower()):
        if w.endswith("s") and not w.endswith("ss") and len(w) > 4 and w not in stop:
            w = w[:-1]
        if w not in stop and w not in out:
            out.append(w)
    return tuple(out)


def _topic_tags(m: Measure) -> frozenset:
    """Tags that say what a measure is about (GTA's evaluation and removal say nothing of it)."""
    return frozenset(t for t in m.tags if not t.startswith("gta-eval:") and t != "gta-removed")


def _way(m: Measure) -> int:
    e = m.escalation
    return (e > 0) - (e < 0)


def _reaches(by_id: dict, start: str, goal: str, limit: int = 10_000) -> bool:
    """Whether `start` answers `goal` through a line of existing links (a suggestion that
    `goal` answers `start` would then close a circle). Gives up, saying yes, after
    `limit` measures: a suggestion is never worth a circle."""
    stack, seen = [start], {start}
    while stack:
        m = by_id.get(stack.pop())
        if m is None:
            continue
        for a in m.responds_to:
            if a == goal:
                return True
            if a not in seen:
                if len(seen) >= limit:
                    return True
                seen.add(a)
                stack.append(a)
    return False


def _furthest(answering: dict, position: dict) -> dict[str, int]:
    """For each measure that answers, the latest position (in `_key` order) it reaches
    through a line of answers: only a measure that reaches as far as B can be on a
    circle a suggestion that B answers it would close. A circle already there (a ledger
    with errors) reaches everything."""
    everything = len(position)
    out: dict[str, int] = {}
    for start in answering:
        if start in out:
            continue
        stack = [start]
        while stack:
            node = stack[-1]
            state = out.get(node)
            if state is None:
                out[node] = -2  # on the way: its answers first
                stack.extend(a for a in answering[node].responds_to if a in answering and a not in out)
            elif state == -2:
                far = -1
                for a in answering[node].responds_to:
                    beyond = out.get(a, -1)
                    far = max(far, position.get(a, -1), everything if beyond == -2 and a != node else beyond)
                out[node] = far
                stack.pop()
            else:
                stack.pop()
    return out


def suggest_links(ledger: Ledger, window_days: int = 120, per_measure: int = 3,
                  min_score: float = 0.0, contender: float = CONTENDER) -> list[Suggestion]:
    """For each measure B, up to `per_measure` earlier measures A it may answer, best first:
    A is taken by a country B targets against a country taking B (each of the two
    countries targets the other), A comes before B (by first day, then last, then the
    ledger's order, as in the timeline: so no two suggestions go both ways or round in a
    circle, and of two measures of the same day the one written first is answered) and
    ends at most `window_days` before B starts (`LEGAL_PACE` times that when either is a
    step at law, `is_legal`; a step at law answering a measure that is not one must share
    a word of the titles or a tag with it), the two are not linked already either way
    (nor would the link close a circle with the links there are), and neither is known
    only to a year (too vague to suggest anything). Each is scored (see
    `Suggestion.score`); after B's best, only its contenders are kept (scoring at most
    `contender` below the best, see `CONTENDER`), and only those of at least `min_score`.
    The list: highest score first.

    Measures are indexed by (actor, target) pair, each pair's measures sorted by first
    day, so each measure looks only at the few taken against it in its window (bisect):
    linear in the ledger's size, not quadratic. What a measure is scored on is worked out
    once per measure, in lists, and the reasons in words only for what is kept."""
    from bisect import bisect_left
    from heapq import nlargest

    in_order = sorted(ledger.measures, key=_key)
    measures = [m for m in in_order if m.date.precision != "year"]
    first = [m.date.first.toordinal() for m in measures]
    last = [m.date.last.toordinal() for m in measures]
    day = [m.date.precision == "day" for m in measures]
    kinds = [str(m.kind.value) for m in measures]
    way = list(map(_way, measures))
    size = [len(m.actor) + len(m.target) for m in measures]
    titles: dict[str, frozenset] = {}
    words = [titles.get(m.title) or titles.setdefault(m.title, frozenset(title_words(m.title))) for m in measures]
    tags = [_topic_tags(m) if m.tags else frozenset() for m in measures]
    answers = [m.responds_to for m in measures]
    ids = [m.id for m in measures]
    related = {(a, b) for pair in RELATED_KINDS for a in pair for b in pair if a != b}
    # A circle through the links there are needs one that answers a later measure (in
    # this order): with none (the usual ledger), no suggestion can close one.
    position = {m.id: i for i, m in enumerate(in_order)}
    backwards = any(position.get(a, -1) > position[m.id] for m in ledger.measures for a in m.responds_to)
    answering = {m.id: m for m in ledger.measures if m.responds_to} if backwards else {}
    furthest = _furthest(answering, position) if answering else {}
    far = [furthest.get(i, -1) for i in ids] if furthest else [-1] * len(ids)
    index: dict[tuple[str, str], list[int]] = {}
    for i, m in enumerate(measures):
        if len(m.actor) == len(m.target) == 1:  # most measures: one pair
            if m.actor[0] != m.target[0]:
                index.setdefault((m.actor[0], m.target[0]), []).append(i)
            continue
        for x in dict.fromkeys(m.actor):
            for y in dict.fromkeys(m.target):
                if x != y:
                    index.setdefault((x, y), []).append(i)
    firsts = {pair: [first[i] for i in at] for pair, at in index.items()}
    reach = window_days + 31  # a month-dated measure ends up to 30 days after its first day
    # The score's parts as tables, so that a pair costs a few list lookups: nearness by gap
    # (a gap below 0, periods that overlap, is 0), offset by `reach`; kind and direction by
    # the pair's (kind, way) codes; bilateral by the two measures' numbers of countries.
    halving = [0.5 ** (max(gap, 0) / HALF_LIFE_DAYS) for gap in range(-reach, window_days + 1)]
    near_day = [W_TIME * h for h in halving]
    near_month = [W_TIME * IMPRECISE * h for h in halving]
    # Steps at law (`is_legal`), on their slower clock; `legal` is None in a ledger with none
    # (GTA's), which then costs nothing more. Each (actor, target) pair's steps at law are
    # indexed apart too, so a measure looks beyond its window only at those.
    legal_kinds = frozenset(k for k in set(kinds) if is_legal(k))
    legal = [k in legal_kinds for k in kinds] if legal_kinds else None
    slow_window = window_days * LEGAL_PACE
    slow_reach = slow_window + 31
    if legal:
        slow = [0.5 ** (max(gap, 0) / (HALF_LIFE_DAYS * LEGAL_PACE)) for gap in range(-slow_reach, slow_window + 1)]
        slow_day = [W_TIME * h for h in slow]
        slow_month = [W_TIME * IMPRECISE * h for h in slow]
        legal_index = {pair: [i for i in at if legal[i]] for pair, at in index.items()}
        legal_index = {pair: at for pair, at in legal_index.items() if at}
        legal_firsts = {pair: [first[i] for i in at] for pair, at in legal_index.items()}
    sorts = {}
    code = [sorts.setdefault((k, w), len(sorts)) for k, w in zip(kinds, way)]
    tables: dict[tuple[str, int], list[float]] = {}

    def kind_and_way(b_kind: str, b_way: int) -> list[float]:
        table = tables.get((b_kind, b_way))
        if table is None:
            # a step at law taken against an escalation answers it in kind: a dispute contests a measure
            b_law = b_kind in legal_kinds
            table = tables[b_kind, b_way] = [
                (W_KIND if a_kind == b_kind else W_RELATED if (a_kind, b_kind) in related
                 or (b_law and a_way > 0 and a_kind in CONTESTABLE) else 0.0)
                + (W_WAY if b_way and a_way == b_way else 0.0) for a_kind, a_way in sorts]
        return table

    bilateral = [W_BILATERAL * 4 / n if n else 0.0 for n in range(2 * max(size, default=0) + 1)]

    kept: list[tuple[int, int, float, int]] = []
    for j, b in enumerate(measures):
        b_first, b_id, b_answers = first[j], ids[j], answers[j]
        b_near = near_day if day[j] else near_month
        by_sort = kind_and_way(kinds[j], way[j])
        b_size = size[j]
        b_words, b_tags = words[j], tags[j]
        b_at = position[b_id]
        if len(b.target) == len(b.actor) == 1:
            pairs = [(b.target[0], b.actor[0])] if (b.target[0], b.actor[0]) in index else ()
        else:
            pairs = [(y, x) for y in dict.fromkeys(b.target) for x in dict.fromkeys(b.actor) if (y, x) in index]
        several = len(pairs) > 1
        seen: set[int] = set()
        linked: set[int] = set()
        found = []
        b_law = legal is not None and legal[j]
        if b_law:
            b_slow = slow_day if day[j] else slow_month
        for pair in pairs:
            at = index[pair]
            # earlier in the order (i < j), and starting no more than `reach` days before b
            # (a step at law: `slow_reach`); for any other b, the steps at law beyond its
            # reach, up to `slow_reach`, follow
            hi = bisect_left(at, j)
            if b_law:
                candidates = at[bisect_left(firsts[pair], b_first - slow_reach):hi]
            else:
                candidates = at[bisect_left(firsts[pair], b_first - reach):hi]
                if legal is not None and pair in legal_index:
                    law, law_firsts = legal_index[pair], legal_firsts[pair]
                    candidates += law[bisect_left(law_firsts, b_first - slow_reach):bisect_left(law_firsts, b_first - reach)]
            for i in candidates:
                gap = b_first - last[i]
                law = b_law or (legal is not None and legal[i])
                if gap > (slow_window if law else window_days):
                    continue
                if several:
                    if i in seen:
                        continue
                    seen.add(i)
                if ids[i] in b_answers or b_id in answers[i]:
                    linked.add(i)  # ranked as any other, so that it takes one of b's places, then left out
                elif far[i] >= b_at and _reaches(answering, ids[i], b_id):
                    continue
                if law:
                    near = (b_slow if b_law else slow_day if day[j] else slow_month) if day[i] else slow_month
                    score = near[gap + slow_reach] + by_sort[code[i]] + bilateral[b_size + size[i]]
                else:
                    score = ((b_near if day[i] else near_month)[gap + reach] + by_sort[code[i]]
                             + bilateral[b_size + size[i]])
                if not b_words.isdisjoint(words[i]) or (b_tags and not b_tags.isdisjoint(tags[i])):
                    topic = 0.34 * len(words[i] & b_words) + 0.5 * len(tags[i] & b_tags)
                    score += W_TOPIC * (topic if topic < 1.0 else 1.0)
                elif b_law and not legal[i]:
                    continue  # a step at law names what it contests: without a word or tag in common, nothing says it is this
                found.append((score, -gap if gap > 0 else 0, -i))
        if found:
            best = None
            for score, minus_gap, minus_i in (nlargest(per_measure, found) if len(found) > 1 else found):
                shown = round(min(1.0, score), 2)
                if best is None:
                    best = shown
                elif shown < best - contender - 1e-9:
                    break  # far below b's best: not a contender (nlargest is best first)
                if score + 1e-9 >= min_score and -minus_i not in linked:
                    kept.append((-shown, j, -minus_i, -minus_gap))
    kept.sort()  # best first; then in the order of the measure that answers, and of the one answered
    in_words: dict[str, tuple[str, ...]] = {}
    return [_suggestion(measures[i], measures[j], -minus_score, gap, kinds[i], kinds[j], way[i], way[j],
                        words[i] & words[j], tags[i] & tags[j], related, in_words, legal_kinds)
            for minus_score, j, i, gap in kept]


def _countries(a: Measure, b: Measure) -> tuple[str, str]:
    """A country taking `a` that `b` targets, and one taking `b` that `a` targets: the
    two that make `b` an answer to `a`."""
    for x in a.actor:
        if x in b.target:
            for y in b.actor:
                if y != x and y in a.target:
                    return x, y
    raise ValueError(f"'{b.id}' does not answer '{a.id}'")  # pragma: no cover - suggest_links found the pair


def _suggestion(a: Measure, b: Measure, score: float, gap: int, a_kind: str, b_kind: str, a_way: int, b_way: int,
                shared_words: frozenset, shared_tags: frozenset, related: set, in_words: dict,
                legal_kinds: frozenset = frozenset()) -> Suggestion:
    """The suggestion that `b` answers `a` (`score` rounded already), with its reasons in
    words. `in_words`: title -> its words in order, kept between calls; `legal_kinds`:
    the kinds that are steps at law (`is_legal`)."""
    # the two countries that make it an answer: A's actor, targeted by B, and B's, targeted by A
    if len(a.actor) == len(b.actor) == 1:
        x, y = a.actor[0], b.actor[0]
    else:
        x, y = _countries(a, b)
    reasons = [f"{x} targets {y}, {y} targets {x}"]
    lag = (b.date.first - a.date.first).days if a.date.precision == b.date.precision == "day" else None
    if lag is not None:
        reasons.append("the same day" if lag == 0 else f"{lag} day{'s' if lag != 1 else ''} after")
    elif gap == 0:
        reasons.append("in the same period (a date known only to the month)")
    else:
        reasons.append(f"within {gap} days (a date known only to the month)")
    law = [k for k in dict.fromkeys((a_kind, b_kind)) if k in legal_kinds]
    if law:
        reasons.append(f"step{'s' if len(law) > 1 else ''} at law, slower: {', '.join(law)}")
    if a_kind == b_kind:
        reasons.append(f"same kind: {a_kind}")
    elif (a_kind, b_kind) in related:
        reasons.append(f"related kinds: {a_kind}, then {b_kind}")
    elif b_kind in legal_kinds and a_way > 0 and a_kind in CONTESTABLE:
        reasons.append(f"{b_kind} contests the {a_kind}")
    if b_way and a_way == b_way:
        reasons.append("both escalate" if b_way > 0 else "both de-escalate")
    if shared_tags:
        gta = sorted(t.split(":", 1)[1] for t in shared_tags if t.startswith("gta-type:"))
        other = sorted(t for t in shared_tags if not t.startswith("gta-type:"))
        if gta:
            reasons.append(f"same GTA type: {', '.join(gta)}")
        if other:
            reasons.append(f"shared tag{'s' if len(other) > 1 else ''}: {', '.join(other)}")
    if shared_words:
        ordered = in_words.get(b.title)
        if ordered is None:
            ordered = in_words[b.title] = title_words(b.title)
        said = [w for w in ordered if w in shared_words]
        reasons.append(f"shared word{'s' if len(said) > 1 else ''} in titles: {' '.join(said)}")
    note = "suggested, not stated: " + "; ".join(reasons)
    return Suggestion(suggestion_id(b.id, a.id), b.id, a.id, score, tuple(reasons), lag, note)
