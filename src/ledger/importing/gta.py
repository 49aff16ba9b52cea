"""Global Trade Alert's interventions -> a generated ledger file (`ledger import gta`).

Input: the `results` of GTA's data endpoints, v1 (`/api/v1/data/`) and v2
(`/api/v2/gta/data/`), as parsed JSON; pages of one query are read together. The
mapping, field by field (docs/gta.md says the same for people):

  id           `gta-<intervention_id>`
  date         `date_announced`; without one, `date_implemented`, then `date_published`
               (the notes say which)
  effective    `date_implemented`;  expires: `date_removed` (left out, with a note, when
               GTA's removal comes before its implementation)
  actor        `implementing_jurisdiction_groups` when GTA names any (the European Union
               is `EU`), else `implementing_jurisdictions`
  target       `affected_jurisdictions`; GTA's `World` (iso `WLD`) is the declared code
               `WLD`; none at all is `WLD` too, with a note
  codes        ISO 3166-1 alpha-3 -> alpha-2 (`iso3166`); an iso code that ISO 3166 does
               not have (`ANT`, Netherlands Antilles) is declared under `countries:` as it
               is, with GTA's name; a group is declared with a code made from its name
  kind         `KIND_OF_TYPE[intervention_type]`, else by `mast_chapter`, else
               import-restriction with a warning; the type itself is the tag
               `gta-type:<slug>`; the file declares the kinds of GTA_KINDS it uses
  weight       `gta_evaluation`: red -> the kind's default (no `weight:`), amber -> 1,
               green -> -1; the evaluation is the tag `gta-eval:<colour>`
  status       `is_in_force` true -> in-force; false -> lifted when GTA gives a removal
               date, else announced; not given -> from the dates, seen from the inputs'
               latest `last_updated`
  title        `state_act_title` (entities decoded, whitespace folded)
  notes        `intervention_description` as plain text (HTML parsed, entities decoded,
               whitespace folded); v1 gives a string, v2 a list of entries
  sources      `gta-act-<state_act_id>` (the state act: its URL, GTA's official sources
               as notes) and `gta-int-<intervention_id>` (the intervention's URL)

Pure: parsed JSON in, entries and problems out. No printing, no files.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..model import DEFAULT_WEIGHT, Kind, Problem
from ..values import CODE, MAX_SCALAR, OTHER_CODES
from .common import Entry, flow, measure_text, quoted, source_text

PUBLISHER = "Global Trade Alert"
WORLD = "WLD"
WORLD_NAME = "World"

# Every intervention type GTA lists (gta-mcp/resources/gta_intervention_type_list.md in
# global-trade-alert/sgept-mcp-servers, 83 of them), with the nearest of our kinds, or one
# of GTA_KINDS where none of the ten fits. The type itself stays on the measure as a tag,
# so nothing is lost: change the rows here, and docs/gta.md (a test compares them).
TARIFF, EXPORT, IMPORT, INVESTIGATION = "tariff", "export-control", "import-restriction", "investigation"
SANCTION, FEE, ACQUISITION = "sanction", "fee", "acquisition-block"
# Kinds of GTA's that none of the ten built in fits: a generated file declares, under
# `kinds:`, those its measures use (name -> description, default weight). Subsidies
# shield home producers less directly than a border measure (1, as amber is); public
# procurement closes one market (1); screening foreign investment blocks deals as
# acquisition-block does (2).
SUBSIDY, PROCUREMENT, SCREENING = "subsidy", "procurement", "investment-screening"
GTA_KINDS: dict[str, tuple[str, int]] = {
    SUBSIDY: ("State aid to domestic firms: grants, loans, guarantees, tax relief, equity, export incentives", 1),
    PROCUREMENT: ("Public procurement that favours domestic suppliers", 1),
    SCREENING: ("Rules on whether and how much foreign investors may own", 2),
}
KIND_OF_TYPE: dict[str, str] = {
    # duties at the border, and the trade-defence duties
    "Import tariff": TARIFF,
    "Import tariff quota": TARIFF,
    "Internal taxation of imports": TARIFF,
    "Anti-dumping": TARIFF,
    "Anti-subsidy": TARIFF,
    "Anti-circumvention": TARIFF,
    "Safeguard": TARIFF,
    "Special safeguard": TARIFF,
    # charges that are not duties
    "Other import charges": FEE,
    "Trade payment measure": FEE,
    # light-touch surveillance
    "Import monitoring": INVESTIGATION,
    # what leaves the country
    "Export ban": EXPORT,
    "Export quota": EXPORT,
    "Export tariff quota": EXPORT,
    "Export licensing requirement": EXPORT,
    "Export-related non-tariff measure, nes": EXPORT,
    "Export tax": EXPORT,
    "Export price benchmark": EXPORT,
    "Local supply requirement for exports": EXPORT,
    "Voluntary export-restraint arrangements": EXPORT,
    "Voluntary export-price restraints": EXPORT,
    "Foreign customer limit": EXPORT,
    # what comes in, and who may sell
    "Import ban": IMPORT,
    "Import quota": IMPORT,
    "Import licensing requirement": IMPORT,
    "Import-related non-tariff measure, nes": IMPORT,
    "Sanitary and phytosanitary measure": IMPORT,
    "Technical barrier to trade": IMPORT,
    "Minimum import price": IMPORT,
    "Import price benchmark": IMPORT,
    "Port restriction": IMPORT,
    "Selective import channel restriction": IMPORT,
    "Distribution restriction": IMPORT,
    "Post-sales service restriction (MAST Chapter K1)": IMPORT,
    "Trade balancing measure": IMPORT,
    "Import incentive": IMPORT,
    "Instrument unclear": IMPORT,
    "Intellectual property protection": IMPORT,
    "Labour market access": IMPORT,
    "Post-migration treatment": IMPORT,
    # localisation and procurement: home suppliers first
    "Local content requirement": IMPORT,
    "Local operations requirement": IMPORT,
    "Local labour requirement": IMPORT,
    "Local value added requirement": IMPORT,
    "Localisation, nes": IMPORT,
    "Local content incentive": SUBSIDY,
    "Local value added incentive": SUBSIDY,
    "Local operations incentive": SUBSIDY,
    "Local labour incentive": SUBSIDY,
    "Public procurement preference margin": PROCUREMENT,
    "Public procurement localisation": PROCUREMENT,
    "Public procurement access": PROCUREMENT,
    "Public procurement, nes": PROCUREMENT,
    # subsidies and state aid: a kind of their own (GTA_KINDS); they shield home producers
    "Capital injection and equity stakes (including bailouts)": SUBSIDY,
    "State loan": SUBSIDY,
    "Financial grant": SUBSIDY,
    "In-kind grant": SUBSIDY,
    "Production subsidy": SUBSIDY,
    "Interest payment subsidy": SUBSIDY,
    "Loan guarantee": SUBSIDY,
    "Tax or social insurance relief": SUBSIDY,
    "Consumption subsidy": SUBSIDY,
    "Tax-based export incentive": SUBSIDY,
    "Export subsidy": SUBSIDY,
    "Other export incentive": SUBSIDY,
    "Trade finance": SUBSIDY,
    "Financial assistance in foreign market": SUBSIDY,
    "State aid, nes": SUBSIDY,
    "State aid, unspecified": SUBSIDY,
    "Price stabilisation": IMPORT,
    "Competitive devaluation": IMPORT,
    "FDI: Financial incentive": SUBSIDY,
    "Debt purchase": SUBSIDY,
    "Equity stake": SUBSIDY,
    "Financial investment support": SUBSIDY,
    "Lending support": SUBSIDY,
    # capital controls: financial restrictions, as sanctions are
    "Controls on commercial transactions and investment instruments": SANCTION,
    "Controls on credit operations": SANCTION,
    "Control on personal transactions": SANCTION,
    "Repatriation & surrender requirements": SANCTION,
    # who may own what
    "FDI: Entry and ownership rule": SCREENING,
    "FDI: Treatment and operations, nes": ACQUISITION,
    "Corporate control order": ACQUISITION,
}

# A type not in the table (a new one, or none) is placed by its MAST chapter.
KIND_OF_MAST: dict[str, str] = {
    "A": IMPORT,  # Sanitary and phytosanitary measure
    "B": IMPORT,  # Technical barriers to trade
    "C": IMPORT,  # Pre-shipment inspection and other formalities
    "D": TARIFF,  # Contingent trade-protective measures
    "E": IMPORT,  # Non-automatic licensing, quotas etc.
    "F": FEE,  # Price-control measures, including additional taxes and charges
    "G": FEE,  # Finance measures
    "I": IMPORT,  # Trade-related investment measures
    "L": SUBSIDY,  # Subsidies (excl. export subsidies)
    "M": PROCUREMENT,  # Government procurement restrictions
    "N": IMPORT,  # Intellectual Property
    "P": EXPORT,  # Export-related measures (incl. subsidies)
    "capital control measures": SANCTION,
    "fdi measures": ACQUISITION,
    "migration measures": IMPORT,
    "tariff measures": TARIFF,
    "instrument unclear": IMPORT,
}
FALLBACK_KIND = IMPORT

# GTA's evaluation -> weight: None is the kind's default. Red (harmful) escalates as the
# kind does; amber (murky, likely harmful) a little; green (liberalising) lowers it.
WEIGHT_OF_EVALUATION: dict[str, int | None] = {"red": None, "amber": 1, "green": -1}

_KIND_WEIGHT = {**{k.value: w for k, w in DEFAULT_WEIGHT.items()}, **{k: w for k, (_, w) in GTA_KINDS.items()}}
_KIND_BY_TYPE = {" ".join(k.lower().split()): v for k, v in KIND_OF_TYPE.items()}
assert set(KIND_OF_TYPE.values()) | set(KIND_OF_MAST.values()) <= {k.value for k in Kind} | set(GTA_KINDS)


@functools.lru_cache(maxsize=4096)
def slug(text: str) -> str:
    """`Import tariff` -> `import-tariff`: a tag's word."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@functools.lru_cache(maxsize=4096)
def kind_of(gta_type: str | None, mast: str | None) -> str | None:
    """Our kind for a GTA intervention type (or its MAST chapter); None if neither is known."""
    if gta_type:
        found = _KIND_BY_TYPE.get(" ".join(gta_type.lower().split()))
        if found:
            return found
    if mast:
        m = mast.strip()
        letter = re.match(r"([A-Z])(?::|\Z)", m)
        if letter and letter.group(1) in KIND_OF_MAST:
            return KIND_OF_MAST[letter.group(1)]
        return KIND_OF_MAST.get(" ".join(m.lower().split()))
    return None


# --- Text ----------------------------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BLOCK_TAGS = frozenset("p br div li ul ol tr td th table h1 h2 h3 h4 h5 h6 blockquote section article".split())
NOTES_LIMIT = MAX_SCALAR - 1024  # characters; the loader refuses a value over MAX_SCALAR


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


_PARSER = _Text()  # one parser, reset for each text (an import reads 100,000 of them)


def fold(text: str) -> str:
    """Whitespace folded to single spaces, control characters dropped (they are noise in
    GTA's text, and a terminal would act on them)."""
    if not text.isprintable() and _CONTROL.search(text):  # line breaks are not printable either
        text = _CONTROL.sub("", text)
    return " ".join(text.split())


def _fold_long(text: str) -> str:
    """`fold(text)` for a long text, which is rarely printable (a line break, a no-break
    space): the search for control characters alone."""
    if _CONTROL.search(text):
        text = _CONTROL.sub("", text)
    return " ".join(text.split())


def plain_text_exact(markup: str) -> str:
    """HTML -> one line of text: tags gone (a block tag is a space, what a script or
    style holds is dropped), entities decoded, whitespace folded. `html.parser` from the
    standard library does the parsing: this is what `plain_text` answers, always."""
    parser = _PARSER
    parser.reset()
    parser.parts, parser.skip = [], 0
    parser.feed(markup)
    parser.close()
    return fold("".join(parser.parts))


def plain_text(markup: str) -> str:
    """`plain_text_exact(markup)`, without the parser for text in the plain part of HTML
    GTA writes (see `_fast_text`); anything else goes to the parser."""
    if "<" not in markup:  # html.parser hands text without tags to unescape whole
        return fold(html.unescape(markup) if "&" in markup else markup)
    text = _fast_text(markup)
    return text if text is not None else plain_text_exact(markup)


# The fast path's subset of HTML, where the parser's answer is known without running it
# (tests/test_import.py holds the two to the same text, on fixtures and on generated
# markup). `html.parser` splits text at each `<`, hands each piece to `html.unescape`,
# and calls a handler for each tag (`_Text` makes a block tag a space, any other
# nothing). Inside the subset, the same text comes from deleting the tags in two
# `re.sub` passes and unescaping the rest once:
#  - every `<` starts a tag of the subset, or is followed by a character that opens
#    nothing (not a letter, `/`, `!` or `?`: never a comment, declaration or end tag,
#    and never the last character), which the parser keeps as text;
#  - a tag is a start tag `<name>` with attributes `name`, `name="..."` or `name='...'`
#    (values without `<` or `>`), ASCII whitespace between them and an optional `/`
#    before `>`, or an end tag `</name>`, where `name` (any case) is one of the block
#    tags or the inline tags below: no script or style (whose content the parser
#    drops), no element whose content a newer parser reads as raw text (title,
#    textarea, ...);
#  - no `&` is followed by a run of characters that `html.unescape` could take as an
#    entity's name or number (`[^\t\n\f <&;]`) up to a `<`: every entity and every `&`
#    that is none lies inside one piece of text, so unescaping the pieces joined decodes
#    what unescaping each piece does.
_INLINE_TAGS = frozenset("a abbr b big caption center cite code col colgroup dd del dfn dl dt em font hr i img ins "
                         "kbd mark nobr q s samp small span strike strong sub sup tbody tfoot thead tt u var wbr".split())
_WS = "[ \t\n\r\f]"
_ATTRIBUTE = "[a-zA-Z_:][-a-zA-Z0-9_:.]*+(?:=\"[^\"<>]*+\"|='[^'<>]*+')?"


def _tag_pattern(names) -> str:
    alternatives = "|".join(sorted(names, key=lambda n: (-len(n), n)))
    # after a start tag's name: whitespace before each attribute, then `>` or `/>`
    return f"</(?:{alternatives})>|<(?:{alternatives})(?:{_WS}++{_ATTRIBUTE})*+{_WS}*+/?>"


_BLOCK_TAG = re.compile(_tag_pattern(_BLOCK_TAGS), re.ASCII | re.IGNORECASE)
_SUBSET = re.compile(f"[^<]*+(?:(?:{_tag_pattern(_BLOCK_TAGS | _INLINE_TAGS)}|<(?=[^a-zA-Z/!?]))[^<]*+)*+",
                     re.ASCII | re.IGNORECASE)
_AMP_TO_TAG = re.compile("&[^\t\n\f <&;]*<")
_OPEN_TAG = re.compile("</?[a-zA-Z][^>]*>")


def _fast_text(markup: str) -> str | None:
    """`plain_text_exact(markup)` for markup in the subset above; None outside it."""
    if _SUBSET.fullmatch(markup) is None or ("&" in markup and _AMP_TO_TAG.search(markup)):
        return None
    # every `<` left that opens a tag opens one of the subset: it ends at the first `>`
    text = _OPEN_TAG.sub("", _BLOCK_TAG.sub(" ", markup))
    return _fold_long(html.unescape(text) if "&" in text else text)


def _limit(text: str) -> str:
    if len(text) <= NOTES_LIMIT:
        return text
    return text[:NOTES_LIMIT].rsplit(" ", 1)[0] + " [...] (cut here: the whole text is at GTA)"


def _entries(value, *keys) -> list[str]:
    """v1 gives a string; v2 a list of entries ({text | description | source, order_nr})."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        if len(value) == 1 and type(value[0]) is dict:  # the usual v2 value: one entry
            v = value[0]
            for k in keys:
                if isinstance(v.get(k), str):
                    return [v[k]]
            return []
        items = [v for v in value if isinstance(v, (dict, str))]
        items.sort(key=lambda v: (v.get("order_nr") if isinstance(v, dict) and isinstance(v.get("order_nr"), int) else 0))
        out = []
        for v in items:
            if isinstance(v, str):
                out.append(v)
                continue
            for k in keys:
                if isinstance(v.get(k), str):
                    out.append(v[k])
                    break
        return out
    return []


# --- Values --------------------------------------------------------------------------------


class Bad(Exception):
    """One intervention cannot be imported; the message says why."""


_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.+\-Z]*)?\Z")


def _day(item: dict, key: str) -> dt.date | None:
    value = item.get(key)
    if value is None or value == "":
        return None
    if type(value) is str and len(value) == 10 and value[4] == "-" == value[7]:
        try:  # the common case, in C
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    m = _DAY.match(str(value).strip())
    if not m:
        raise Bad(f"{key} '{value}' is not a date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        raise Bad(f"{key} '{value}' is not a date (no such day)") from None


def _flag(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "t", "y"):
        return True
    if text in ("0", "false", "no", "f", "n"):
        return False
    raise Bad(f"is_in_force '{value}' is neither true nor false")


def _id(value, key: str) -> int:
    if isinstance(value, bool) or value is None:
        raise Bad(f"no {key}")
    try:
        n = int(str(value).strip())
    except ValueError:
        raise Bad(f"{key} '{value}' is not a whole number") from None
    if n < 0:
        raise Bad(f"{key} '{value}' is negative")
    return n


@dataclass
class Codes:
    """Country codes for GTA's jurisdictions, and the codes the file must declare."""

    declared: dict[str, str] = field(default_factory=dict)  # code -> name
    groups: dict[str, str] = field(default_factory=dict)  # group name -> code
    seen: dict[tuple, str] = field(default_factory=dict)  # (iso, name) -> code: a few hundred, met 100,000s of times

    def of(self, j) -> str:
        """The code of one jurisdiction object ({id, name, iso})."""
        if not isinstance(j, dict):
            raise Bad(f"a jurisdiction is {type(j).__name__}, not an object with a name and an iso code")
        key = (j.get("iso"), j.get("name"))
        try:
            return self.seen[key]
        except (KeyError, TypeError):
            pass
        code = self._of(j)
        try:
            self.seen[key] = code
        except TypeError:
            pass
        return code

    def _of(self, j: dict) -> str:
        import iso3166

        iso = str(j.get("iso") or "").strip().upper()
        name = fold(str(j.get("name") or ""))
        if iso in ("EU", "EUN") or name == "European Union":
            return "EU"
        if iso == WORLD or name == WORLD_NAME:
            self.declared[WORLD] = WORLD_NAME
            return WORLD
        if len(iso) == 3 and iso in iso3166.countries_by_alpha3:
            return iso3166.countries_by_alpha3[iso].alpha2
        if len(iso) == 2 and (iso in iso3166.countries_by_alpha2 or iso in OTHER_CODES):
            return iso
        if iso and CODE.match(iso):
            self.declared.setdefault(iso, name or iso)
            return iso
        if name:
            return self.group(name)
        raise Bad("a jurisdiction has neither an iso code nor a name")

    def group(self, name: str) -> str:
        """A code for a group GTA names (`European Union` is EU): declared, made from its
        name's initials (`Eurasian Economic Union` -> EEU), or its first letters when the
        name is one word, never an ISO code; a second group with the same code gets a digit."""
        import iso3166

        name = fold(name)
        if name == "European Union":
            return "EU"
        if name == WORLD_NAME:
            self.declared[WORLD] = WORLD_NAME
            return WORLD
        if name in self.groups:
            return self.groups[name]
        words = re.findall(r"[A-Za-z0-9]+", name)
        code = "".join(w[0] for w in words).upper() if len(words) > 1 else "".join(words).upper()
        code = re.sub(r"^[0-9]+", "", code)[:6] or "GROUP"
        if len(code) < 2 or code in iso3166.countries_by_alpha2 or code in iso3166.countries_by_alpha3 or code in OTHER_CODES:
            code = (code + "GRP")[:6]
        base, n = code, 1
        while code in self.declared and self.declared[code] != name:
            n += 1
            code = base[:5] + str(n)
        self.declared[code] = name
        self.groups[name] = code
        return code


def resolve_code(text: str) -> str | None:
    """A country as the user types it on the command line (`US`, `usa`, `EU`, `WLD`):
    the code the import writes for it, or None."""
    import iso3166

    t = text.strip().upper()
    if t in iso3166.countries_by_alpha2 or t in OTHER_CODES or t == WORLD:
        return t
    if t == "EUN":
        return "EU"
    if t in iso3166.countries_by_alpha3:
        return iso3166.countries_by_alpha3[t].alpha2
    return t if CODE.match(t) else None


# --- One intervention ------------------------------------------------------------------------


@dataclass
class Options:
    """What `ledger import gta` keeps: --between (two codes), --since and --until (days)."""

    between: tuple[str, str] | None = None
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass
class Measure:
    """One intervention, read: what its entry and its sources are made of."""

    iid: int
    entry: Entry
    act: int | None
    act_source: tuple | None  # what the state act's source entry is made of (`act_source_text`)
    int_source: str
    actor: tuple[str, ...]
    target: tuple[str, ...]
    date: dt.date
    warnings: list[str]


def _status(in_force: bool | None, implemented, removed, reference: dt.date | None) -> str:
    if in_force is True:
        return "in-force"
    if in_force is False:
        return "lifted" if removed else "announced"
    day = reference or dt.date.max
    if removed and removed <= day:
        return "lifted"
    if implemented and implemented <= day:
        return "in-force"
    return "announced"


def read_intervention(item, codes: Codes, reference: dt.date | None) -> Measure:
    """One item of `results` -> its measure. Raises Bad for an item that cannot be one."""
    if not isinstance(item, dict):
        raise Bad(f"an item of 'results' is {type(item).__name__}, not an intervention object")
    iid = _id(item.get("intervention_id"), "intervention_id")
    act = _id(item["state_act_id"], "state_act_id") if item.get("state_act_id") not in (None, "") else None
    warnings: list[str] = []
    notes: list[str] = []

    announced, implemented = _day(item, "date_announced"), _day(item, "date_implemented")
    removed, published = _day(item, "date_removed"), _day(item, "date_published")
    date = announced or implemented or published
    if date is None:
        raise Bad("no date_announced, date_implemented or date_published: a measure needs a date")
    if announced is None:
        notes.append(f"GTA gives no announcement date; dated by its {'implementation' if implemented else 'publication'}.")
    expires = removed
    if removed and implemented and removed < implemented:
        notes.append(f"GTA gives a removal date ({removed}) before the implementation ({implemented}); left out.")
        expires = None

    groups = item.get("implementing_jurisdiction_groups") or []
    implementers = item.get("implementing_jurisdictions") or []
    if not isinstance(groups, list) or not isinstance(implementers, list):
        raise Bad("implementing_jurisdictions and implementing_jurisdiction_groups must be lists")
    group_codes = []
    for g in groups:
        name = g.get("name") if isinstance(g, dict) else g
        if isinstance(name, str) and name.strip():
            group_codes.append(codes.group(name))
    members = sorted({codes.of(j) for j in implementers})
    actor = tuple(sorted(set(group_codes))) or tuple(members)
    if not actor:
        raise Bad("no implementing jurisdiction")
    if group_codes and members and set(members) != set(actor):
        notes.append(f"GTA lists the implementing jurisdictions: {', '.join(members)}.")
    affected = item.get("affected_jurisdictions") or []
    if not isinstance(affected, list):
        raise Bad("affected_jurisdictions must be a list")
    target = tuple(sorted({codes.of(j) for j in affected}))
    if not target:
        codes.declared[WORLD] = WORLD_NAME
        target = (WORLD,)
        notes.append("GTA names no affected jurisdiction.")

    gta_type = item.get("intervention_type")
    gta_type = _fold_short(gta_type) if isinstance(gta_type, str) else None
    mast = item.get("mast_chapter") if isinstance(item.get("mast_chapter"), str) else None
    kind = kind_of(gta_type, mast)
    if kind is None:
        kind = FALLBACK_KIND
        warnings.append(f"intervention type '{gta_type or ''}' (MAST chapter '{mast or ''}') is not in the "
                        f"mapping table; imported as {kind}")
    tags = [_type_tag(gta_type)] if gta_type else []
    evaluation = str(item.get("gta_evaluation") or "").strip().lower()
    weight = None
    if evaluation in WEIGHT_OF_EVALUATION:
        weight = WEIGHT_OF_EVALUATION[evaluation]
        tags.append(f"gta-eval:{evaluation}")
    elif evaluation:
        warnings.append(f"gta_evaluation '{item.get('gta_evaluation')}' is not red, amber or green; the kind's weight is used")
    if weight is not None and weight == _KIND_WEIGHT[kind]:
        weight = None

    status = _status(_flag(item.get("is_in_force")), implemented, removed, reference)
    title = str(item.get("state_act_title") or "")
    title = _limit(fold(html.unescape(title) if "&" in title else title))
    if not title:
        title = f"{gta_type or 'Intervention'} by {', '.join(actor)}"
    texts = _entries(item.get("intervention_description"), "text", "description")
    description = plain_text(texts[0]) if len(texts) == 1 else " ".join(map(plain_text, texts))
    notes_text = _limit(" ".join(filter(None, [*notes, description.strip()])))

    int_id = f"gta-int-{iid}"
    cites = [f"gta-act-{act}"] if act is not None else []
    cites.append(int_id)
    title_text = quoted(title)
    pairs = [("id", f"gta-{iid}"), ("date", date.isoformat()),
             ("actor", _flow_codes(actor)), ("target", _flow_codes(target)), ("kind", kind),
             ("title", title_text), ("status", status)]
    if implemented:
        pairs.append(("effective", implemented.isoformat()))
    if expires:
        pairs.append(("expires", expires.isoformat()))
    pairs.append(("sources", flow(cites, str)))
    if weight is not None:
        pairs.append(("weight", str(weight)))
    if tags:
        pairs.append(("tags", _flow_tags(tuple(tags))))
    if notes_text:
        pairs.append(("notes", quoted(notes_text)))
    entry = Entry(f"gta-{iid}", measure_text(pairs), tuple(cites))

    url = item.get("intervention_url")
    int_pairs = [("title", quoted(f"GTA intervention {iid}" + (f": {gta_type}" if gta_type else ""))),
                 _PUBLISHER_PAIR]
    if published:
        int_pairs.append(("published", published.isoformat()))
    if isinstance(url, str) and url.strip():
        int_pairs.append(("url", quoted(fold(url))))
    # A state act's source is written once, from its lowest intervention the file keeps
    # (`finish`): what it is made of is kept, and the text made only for that one.
    act_source = None
    if act is not None:
        act_source = (title_text, item.get("state_act_url"), _flag_or_none(item.get("is_official_source")),
                      _entries(item.get("state_act_source"), "text", "source"))
    return Measure(iid, entry, act, act_source, source_text(int_id, int_pairs), actor, target, date, warnings)


def act_source_text(act: int, title_text: str, act_url, official: bool | None, said: list[str]) -> str:
    """The `sources:` entry of state act `act`, from what `read_intervention` kept of one
    of its interventions: the title (written), `state_act_url`, `is_official_source`
    (read) and the texts of `state_act_source`."""
    act_pairs = [("title", title_text), _PUBLISHER_PAIR]
    if not (isinstance(act_url, str) and act_url.strip()):
        act_url = f"https://www.globaltradealert.org/state-act/{act}"
    act_pairs.append(("url", quoted(fold(act_url))))
    sources = [fold(line) for t in said for line in _LINE_BREAK.split(t)]
    said = " | ".join(s for s in sources if s)
    if official is not None or said:
        lead = _LEAD[official]
        act_pairs.append(("notes", quoted(_limit((lead + ("Sources: " + said if said else "")).strip()))))
    return source_text(f"gta-act-{act}", act_pairs)


_PUBLISHER_PAIR = ("publisher", quoted(PUBLISHER))
_LEAD = {True: "Official source. ", False: "Not an official source. ", None: ""}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@functools.lru_cache(maxsize=4096)
def _fold_short(text: str) -> str:
    """`fold` of a text met again and again (GTA's type names)."""
    return fold(text)


@functools.lru_cache(maxsize=4096)
def _type_tag(gta_type: str) -> str:
    return f"gta-type:{slug(gta_type)}"


@functools.lru_cache(maxsize=65536)
def _flow_codes(codes: tuple[str, ...]) -> str:
    """`flow(codes)`, once for each list of codes (a few thousand in 100,000 interventions)."""
    return flow(codes)


@functools.lru_cache(maxsize=4096)
def _flow_tags(tags: tuple[str, ...]) -> str:
    return flow(tags)


def _flag_or_none(value) -> bool | None:
    try:
        return _flag(value)
    except Bad:
        return None


def keeps(m: Measure, options: Options) -> bool:
    """Whether --between, --since and --until keep this measure."""
    if options.since and m.date < options.since:
        return False
    if options.until and m.date > options.until:
        return False
    if options.between:
        a, b = options.between
        return (a in m.actor and b in m.target) or (b in m.actor and a in m.target)
    return True


# --- Many pages --------------------------------------------------------------------------------


def results_of(data) -> list | None:
    """The interventions of one parsed page: `{"results": [...]}` (v2's example nests a
    list in the list: flattened), or a bare list of interventions. None: not a page."""
    if isinstance(data, dict):
        data = data.get("results")
    if not isinstance(data, list):
        return None
    if any(isinstance(x, list) for x in data):
        return [y for x in data for y in (x if isinstance(x, list) else [x])]
    return data


def digest_part(data: bytes) -> bytes:
    """What of an input file goes into the import's digest: its SHA-256 (not the bytes:
    the digest is built once every file is read, and 200 MB need not wait in memory)."""
    import hashlib

    return hashlib.sha256(data).digest()


_LAST_UPDATED = re.compile(rb'"last_updated"\s*:\s*"(\d{4}-\d{2}-\d{2})')


def latest_update(texts) -> dt.date | None:
    """The latest `last_updated` in these JSON texts (bytes): the day the data was seen.
    Found in the text, before any page is parsed, so pages can be read one at a time."""
    best = None
    for text in texts:
        # the latest day that is one: ISO days sort as their text does
        for day in sorted(set(_LAST_UPDATED.findall(text)), reverse=True):
            try:
                d = dt.date.fromisoformat(day.decode())
            except ValueError:
                continue
            if best is None or d > best:
                best = d
            break
    return best


@dataclass
class Read:
    """Every page read: the measures kept, the declared codes they need, their sources,
    and problems (errors: interventions that could not be read; warnings)."""

    measures: list[Entry]
    sources: list[Entry]
    countries: dict[str, str]
    problems: list[Problem]
    seen: int  # interventions read (before the filters)


@dataclass
class Part:
    """Some of the pages, read (`read_part`): the latest version of each intervention
    (id -> (last_updated, Measure)), the codes given to groups and declared, problems.
    Parts of one import are put together by `finish`."""

    best: dict[int, tuple[str, Measure]] = field(default_factory=dict)
    declared: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    seen: int = 0

    def packed(self) -> tuple:
        """This part as plain tuples, strings and numbers, for another process: what
        `finish` needs of each measure, the date as its ordinal (pickled in a third
        of the time the records take)."""
        best = [(iid, updated, m.entry.text, m.entry.cites, m.act, m.act_source, m.int_source, m.actor, m.target,
                 m.date.toordinal()) for iid, (updated, m) in self.best.items()]
        return best, self.declared, self.groups, self.problems, self.seen

    @classmethod
    def unpacked(cls, data: tuple) -> Part:
        """The Part `packed` gave (its measures without their warnings, which are
        among its problems already)."""
        best, declared, groups, problems, seen = data
        ordinal = dt.date.fromordinal
        return cls({iid: (updated, Measure(iid, Entry(f"gta-{iid}", text, cites), act, act_source, int_source, actor, target,
                                           ordinal(day), []))
                    for iid, updated, text, cites, act, act_source, int_source, actor, target, day in best},
                   declared, groups, problems, seen)


def read_part(pages, reference: dt.date | None, locate=None) -> Part:
    """Pages -> a Part. `pages`: (file name, its interventions), any iterable (a page at a
    time: each is let go once read). The same intervention on two pages is read once (the
    later `last_updated` wins; on a tie, the later page). `reference`: the day the data
    was seen (`latest_update`). `locate(name, iid, index)` gives the (line, col) of an
    item in its file, for problems; (0, 0) without it."""
    codes = Codes()
    part = Part()
    for name, items in pages:
        for index, item in enumerate(items):
            part.seen += 1
            try:
                m = read_intervention(item, codes, reference)
            except Bad as e:
                iid = item.get("intervention_id") if isinstance(item, dict) else None
                line, col = locate(name, iid, index) if locate else (0, 0)
                what = f"intervention {iid}" if iid is not None else f"item {index + 1} of 'results'"
                part.problems.append(Problem(name, line, col, "error", f"{what}: {e}", f"gta-{iid}" if iid is not None else None))
                continue
            for w in m.warnings:
                line, col = locate(name, m.iid, index) if locate else (0, 0)
                part.problems.append(Problem(name, line, col, "warning", f"intervention {m.iid}: {w}", m.entry.id))
            updated = str(item.get("last_updated") or "")
            old = part.best.get(m.iid)
            if old is None or updated >= old[0]:
                part.best[m.iid] = (updated, m)
    part.declared, part.groups = codes.declared, codes.groups
    return part


def finish(parts: list[Part], options: Options) -> Read | None:
    """Parts, in page order -> what the file holds: the filters applied, interventions in
    id order, each state act's source from its lowest intervention. None when the parts
    gave one group two codes or one code to two names (read the pages in one part)."""
    declared: dict[str, str] = {}
    groups: dict[str, str] = {}
    best: dict[int, tuple[str, Measure]] = {}
    problems: list[Problem] = []
    for part in parts:
        for code, name in part.declared.items():
            if declared.setdefault(code, name) != name:
                return None
        for name, code in part.groups.items():
            if groups.setdefault(name, code) != code:
                return None
        for iid, (updated, m) in part.best.items():
            old = best.get(iid)
            if old is None or updated >= old[0]:
                best[iid] = (updated, m)
        problems += part.problems
    kept = [m for _, m in (best[i] for i in sorted(best)) if keeps(m, options)]
    ids = {m.entry.id for m in kept}
    problems = [p for p in problems if p.severity == "error" or p.ref in ids]  # no warning about what the filters left out
    sources: dict[str, Entry] = {}
    for m in kept:
        if m.act_source is not None:
            act_id = f"gta-act-{m.act}"
            if act_id not in sources:
                sources[act_id] = Entry(act_id, act_source_text(m.act, *m.act_source))
        sources[f"gta-int-{m.iid}"] = Entry(f"gta-int-{m.iid}", m.int_source)
    used = {c for m in kept for c in (*m.actor, *m.target)}
    countries = {c: n for c, n in declared.items() if c in used}
    return Read([m.entry for m in kept], list(sources.values()), countries, problems, sum(p.seen for p in parts))


def read_pages(pages, options: Options, reference: dt.date | None, locate=None) -> Read:
    """Pages -> what the file holds, in one part (see `read_part` and `finish`)."""
    return finish([read_part(pages, reference, locate)], options)
