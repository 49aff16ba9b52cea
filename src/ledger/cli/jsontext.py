"""The text of the `--json` contract: what
`json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)` writes,
made fast for big outputs and safe at any depth.

The standard library writes indented JSON in Python, not C: 1.0 s for a
100,000-measure timeline. orjson, when installed, writes the same bytes in 0.05 s.
It refuses data nested more than 255 levels (a long escalation chain is a tree that
deep) and some values (integers beyond 64 bits, non-string keys, lone surrogates);
those go to `dumps_iterative`, the standard library's output written with a stack
instead of recursion, so a chain 5,000 answers deep prints instead of overflowing.

Same bytes: orjson agrees with the standard library on every value the reports
produce (str, int, bool, None, lists, dicts, and floats rounded to hundredths); it
would differ on floats written with an exponent below 1e-4 (`1e-05`). Tests pin
both writers to `json.dumps`.
"""

from __future__ import annotations

from json.encoder import encode_basestring

_INDENT = "  "
_END = object()


def dumps(data) -> str:
    """The contract's text for `data`, without the trailing newline."""
    return dump_bytes(data)[:-1].decode("utf-8")


def dump_bytes(data, keys_sorted: bool = False) -> bytes:
    """The contract's text for `data` as UTF-8, with the trailing newline: what stdout gets.

    Bytes, because orjson makes bytes: decoding them only to have stdout encode them
    again costs a twentieth of a second on a 35 MB output. `keys_sorted`: the caller
    built every dict with its keys in sorted order, so orjson need not sort them (a
    twentieth of a second on a 100,000-measure timeline).
    """
    try:
        import orjson
    except ImportError:  # an optional speed-up: the standard library writes the same text
        return dumps_iterative(data).encode("utf-8") + b"\n"
    option = (orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME
              | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_APPEND_NEWLINE)
    if not keys_sorted:
        option |= orjson.OPT_SORT_KEYS
    try:
        return orjson.dumps(data, default=str, option=option)
    except (orjson.JSONEncodeError, TypeError):  # too deep, or a value orjson does not take
        return dumps_iterative(data).encode("utf-8") + b"\n"


def _float(o: float) -> str:
    if o != o:
        return "NaN"
    if o == float("inf"):
        return "Infinity"
    if o == float("-inf"):
        return "-Infinity"
    return float.__repr__(o)


def _key(key) -> str:
    if isinstance(key, str):
        return encode_basestring(key)
    if isinstance(key, float):
        return encode_basestring(_float(key))
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return encode_basestring(int.__repr__(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def dumps_iterative(data) -> str:
    """`json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)`,
    byte for byte, with an explicit stack: no depth limit."""
    parts: list[str] = []
    stack: list[list] = []  # frames: [items iterator, is_dict, level, id, first]
    on_path: set[int] = set()  # containers being written, to refuse cycles as json does

    def write(o, level: int) -> None:
        if isinstance(o, str):
            parts.append(encode_basestring(o))
        elif o is None:
            parts.append("null")
        elif o is True:
            parts.append("true")
        elif o is False:
            parts.append("false")
        elif isinstance(o, int):
            parts.append(int.__repr__(o))
        elif isinstance(o, float):
            parts.append(_float(o))
        elif isinstance(o, (list, tuple, dict)):
            if not o:
                parts.append("{}" if isinstance(o, dict) else "[]")
                return
            if id(o) in on_path:
                raise ValueError("Circular reference detected")
            on_path.add(id(o))
            is_dict = isinstance(o, dict)
            parts.append("{" if is_dict else "[")
            stack.append([iter(sorted(o.items()) if is_dict else o), is_dict, level + 1, id(o), True])
        else:
            parts.append(encode_basestring(str(o)))  # default=str

    write(data, 0)
    while stack:
        frame = stack[-1]
        it, is_dict, level = frame[0], frame[1], frame[2]
        item = next(it, _END)
        if item is _END:
            stack.pop()
            on_path.discard(frame[3])
            parts.append("\n" + _INDENT * (level - 1) + ("}" if is_dict else "]"))
            continue
        parts.append(("\n" if frame[4] else ",\n") + _INDENT * level)
        frame[4] = False
        if is_dict:
            key, item = item
            parts.append(_key(key) + ": ")
        write(item, level)
    return "".join(parts)
