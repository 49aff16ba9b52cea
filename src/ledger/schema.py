"""The JSON Schema of the ledger format, generated from the field tables in model.py.

Editors (VS Code's YAML extension and others using yaml-language-server) read it to
validate and complete ledger files. `schema/ledger.schema.json` in the repository is
this function's output; a test keeps the two identical (`ledger schema > schema/ledger.schema.json`).
"""

from __future__ import annotations

from .model import (
    ENUMS,
    EVENT_FIELDS,
    FORMAT_VERSION,
    KIND_FIELDS,
    MEASURE_FIELDS,
    ANSWER_FIELDS,
    LINK_FIELDS,
    REPORT_FIELDS,
    SOURCE_FIELDS,
    TOP_FIELDS,
    WEIGHT_RANGE,
    Spec,
)

_ID = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
_CODE = "^[A-Z][A-Z0-9]{1,5}$"
_DATE = r"^\d{4}(-\d{2}(-\d{2})?)?$"
_MOMENT = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?\s*(Z|[+-]\d{2}:?\d{2}))?$"


def _type(spec: Spec) -> dict:
    t = spec.type
    code = {"type": "string", "pattern": _CODE}
    ident = {"type": "string", "pattern": _ID}
    simple = {
        "str": {"type": "string"},
        "text": {"type": "string"},
        "id": ident,
        "int": {"type": "integer"},
        "date": {"type": "string", "pattern": _DATE},
        "moment": {"type": "string", "pattern": _MOMENT},
        "codes": {"anyOf": [code, {"type": "array", "items": code, "minItems": 1}]},
        "ids": {"anyOf": [ident, {"type": "array", "items": ident}]},
        "strs": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "reports": {"type": "array", "items": {"$ref": "#/$defs/report"}},
        "answers": {"anyOf": [ident, {"type": "array", "items": {"anyOf": [ident, {"$ref": "#/$defs/answer"}]}}]},
        "links": {"type": "array", "items": {"$ref": "#/$defs/link"}},
        "quotes": {"type": "object", "propertyNames": {"pattern": _ID}, "additionalProperties": {"type": "string"}},
        "countries": {"type": "object", "propertyNames": {"pattern": _CODE}, "additionalProperties": {"type": "string"}},
        "sources": {"type": "object", "propertyNames": {"pattern": _ID}, "additionalProperties": {"$ref": "#/$defs/source"}},
        "measures": {"type": "array", "items": {"$ref": "#/$defs/measure"}},
        "events": {"type": "array", "items": {"$ref": "#/$defs/event"}},
        "kinds": {"type": "object", "propertyNames": {"pattern": _ID, "not": {"enum": [e.value for e in ENUMS["Kind"]]}},
                  "additionalProperties": {"$ref": "#/$defs/kind"}},
    }
    if t == "enum:Kind":  # a built-in kind (completed by editors), or one the ledger declares under `kinds:`
        out = {"anyOf": [{"type": "string", "enum": [e.value for e in ENUMS["Kind"]]}, {"type": "string", "pattern": _ID}]}
    elif t.startswith("enum:"):
        out = {"type": "string", "enum": [e.value for e in ENUMS[t[5:]]]}
    else:
        out = dict(simple[t])
    if spec.name == "weight":
        out.update(minimum=WEIGHT_RANGE[0], maximum=WEIGHT_RANGE[1])
    if spec.name == "version":
        out = {"const": FORMAT_VERSION}
    return {"description": spec.doc, **out}


def _object(specs: tuple[Spec, ...], description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "properties": {s.name: _type(s) for s in specs},
        "required": [s.name for s in specs if s.required],
        "additionalProperties": False,
    }


def ledger_schema() -> dict:
    """The JSON Schema (draft 2020-12) of ledger format version 1."""
    top = _object(TOP_FIELDS, "An escalation ledger: measures, events and their sources.")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/escalation-ledger/ledger/schema/ledger.schema.json",
        "title": f"escalation ledger, format version {FORMAT_VERSION}",
        **top,
        "$defs": {
            "measure": _object(MEASURE_FIELDS, "One measure: a tariff, an export control, a truce..."),
            "report": _object(REPORT_FIELDS, "Another source's disagreeing version of a measure."),
            "event": _object(EVENT_FIELDS, "A summit, call, meeting or round of talks."),
            "source": _object(SOURCE_FIELDS, "A publication the ledger cites."),
            "answer": _object(ANSWER_FIELDS, "A measure answered, with the basis for saying so."),
            "link": _object(LINK_FIELDS, "One measure answers another: stated by a source, or inferred by us."),
            "kind": _object(KIND_FIELDS, "A kind of measure the ledger declares: what it covers, its default weight."),
        },
    }
