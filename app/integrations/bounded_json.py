"""JSON sent by strangers (webhooks, the storefront), read with a bound on its nesting.

Python's ``json`` parser recurses once per level: a body of 100,000 ``[`` raises RecursionError,
which no ``except ValueError`` catches. The nesting is measured first, without recursion (strings
are blanked out so brackets inside them do not count), and a body nested deeper than any provider
sends is refused as a ValueError like any other malformed body.
"""
from __future__ import annotations

import json
import re

MAX_DEPTH = 32  # the providers' bodies nest 4 or 5 levels deep

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(rb"[\[\]{}]")


class TooDeep(ValueError):
    """The body nests deeper than ``max_depth``."""


def nesting_depth(raw: bytes, stop_above: int | None = None) -> int:
    """How deep arrays and objects nest in ``raw`` (0 for a scalar); stops counting once past
    ``stop_above``."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub(b'""', raw)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    break
        else:
            depth -= 1
    return deepest


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH):
    """``json.loads`` for untrusted bytes: ValueError (JSONDecodeError, UnicodeDecodeError,
    TooDeep) for anything that is not JSON nested at most ``max_depth`` levels."""
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    if nesting_depth(data, stop_above=max_depth) > max_depth:
        raise TooDeep(f"The JSON nests deeper than {max_depth} levels.")
    try:
        return json.loads(data)
    except RecursionError:  # cannot happen after the count above; never let it escape as a 500
        raise TooDeep(f"The JSON nests deeper than {max_depth} levels.") from None
