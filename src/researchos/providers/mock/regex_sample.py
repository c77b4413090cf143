"""A string that matches a regular expression, for ``pattern`` constraints in JSON schemas.

Walks the parsed pattern (the stdlib's own parser) and emits one matching string: literals,
classes, ranges, repeats (kept short), groups, alternation and anchors. Look-arounds and
back-references are not generated; the caller validates and retries with another seed.
"""

from __future__ import annotations

import random
import string
from typing import Any

try:  # Python 3.11+: the parser moved to re._parser; sre_parse is its deprecated alias
    import re._constants as sre_constants
    import re._parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants
    import sre_parse

_CATEGORY = {
    sre_constants.CATEGORY_DIGIT: string.digits,
    sre_constants.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    sre_constants.CATEGORY_SPACE: " ",
    sre_constants.CATEGORY_NOT_DIGIT: string.ascii_letters,
    sre_constants.CATEGORY_NOT_WORD: "-",
    sre_constants.CATEGORY_NOT_SPACE: string.ascii_letters,
}
_SAFE = string.ascii_lowercase + string.digits
MAX_REPEAT = 4


def sample_pattern(pattern: str, rng: random.Random) -> str:
    return "".join(_emit(sre_parse.parse(pattern), rng))


def _emit(parsed: Any, rng: random.Random) -> list[str]:
    out: list[str] = []
    for op, arg in parsed:
        out.extend(_node(op, arg, rng))
    return out


def _node(op: Any, arg: Any, rng: random.Random) -> list[str]:
    if op is sre_constants.LITERAL:
        return [chr(arg)]
    if op is sre_constants.NOT_LITERAL:
        return [next(c for c in _SAFE if ord(c) != arg)]
    if op is sre_constants.ANY:
        return [rng.choice(_SAFE)]
    if op is sre_constants.IN:
        return [_from_class(arg, rng)]
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        low, high, body = arg
        high = low + MAX_REPEAT if high is sre_constants.MAXREPEAT else high
        count = rng.randint(low, max(low, min(high, low + MAX_REPEAT)))
        return [piece for _ in range(count) for piece in _emit(body, rng)]
    if op is sre_constants.SUBPATTERN:
        return _emit(arg[-1], rng)
    if op is sre_constants.BRANCH:
        return _emit(rng.choice(arg[1]), rng)
    if op is sre_constants.CATEGORY:
        return [rng.choice(_CATEGORY.get(arg, _SAFE))]
    return []  # AT (anchors), look-arounds, groupref: emit nothing


def _from_class(items: list[tuple[Any, Any]], rng: random.Random) -> str:
    if items and items[0][0] is sre_constants.NEGATE:
        excluded = _class_chars(items[1:])
        return next(c for c in _SAFE if c not in excluded)
    choices = _class_chars(items)
    return rng.choice(sorted(choices)) if choices else rng.choice(_SAFE)


def _class_chars(items: list[tuple[Any, Any]]) -> set[str]:
    chars: set[str] = set()
    for op, arg in items:
        if op is sre_constants.LITERAL:
            chars.add(chr(arg))
        elif op is sre_constants.RANGE:
            low, high = arg
            chars.update(chr(c) for c in range(low, min(high, low + 94) + 1))
        elif op is sre_constants.CATEGORY:
            chars.update(_CATEGORY.get(arg, _SAFE))
    return chars
