"""Hostile HTML made inert: limits on size and shape, active content removed.

Nothing in the page is ever executed or fetched. Before a paper's HTML is read:

- its size, nesting depth and element count are checked against ``CompileLimits``
  (a clear InputError names the file, the limit and the fix);
- scripts, styles, frames, objects, embeds, forms, inline SVG and every other element that
  can run code or pull content are removed with their text;
- event handlers (``on*``), ``style`` and ``srcdoc`` attributes go, and so does any link or
  source with a ``javascript:``, ``vbscript:`` or ``data:`` URI;
- math becomes its TeX ``alttext``, so "93.2\\%" reads as "93.2%".

The sanitized tree is what the compiler reads and what it stores as the paper's copy.
"""

from __future__ import annotations

import re
from typing import Any

from researchos.compile.limits import MB, CompileLimits
from researchos.errors import InputError

DROP_TAGS = frozenset(
    [
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "noscript",
        "template",
        "svg",
        "canvas",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "link",
        "meta",
        "base",
        "audio",
        "video",
        "source",
        "track",
        "dialog",
        "portal",
        "param",
    ]
)
_URL_ATTRS = frozenset({"href", "src", "xlink:href", "action", "poster", "background", "srcset"})
_KEEP_ATTRS = frozenset({"id", "class", "href", "src", "alt", "title", "colspan", "rowspan"})
_BAD_SCHEME = re.compile(r"^\s*(?:javascript|vbscript|data|file)\s*:", re.IGNORECASE)
_TEX = (
    ("\\%", "%"),
    ("\\,", " "),
    ("\\pm", "±"),
    ("\\times", "×"),
    ("\\leq", "≤"),
    ("\\geq", "≥"),
    ("\\sim", "~"),
    ("\\mathrm", ""),
    ("\\text", ""),
    ("{", ""),
    ("}", ""),
)


def parse(data: bytes, name: str, limits: CompileLimits) -> Any:
    """Parse ``data`` with html.parser after the size check; then check the tree's shape."""
    from bs4 import BeautifulSoup

    if len(data) > limits.max_html_bytes:
        raise InputError(
            f"is {len(data) / MB:.1f} MB, over the {limits.max_html_bytes / MB:.0f} MB limit "
            "for HTML",
            file=name,
            fix="save the paper without inlined images or scripts, or compile its PDF",
        )
    soup = BeautifulSoup(data, "html.parser")
    _check_shape(soup, name, limits)
    return soup


def _check_shape(soup: Any, name: str, limits: CompileLimits) -> None:
    from bs4 import Tag

    stack = [(soup, 0)]
    elements = 0
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_html_depth:
            raise InputError(
                f"nests elements more than {limits.max_html_depth} deep",
                file=name,
                fix="this is not a paper's HTML; check the file, or compile the PDF",
            )
        elements += 1
        if elements > limits.max_html_elements:
            raise InputError(
                f"has more than {limits.max_html_elements:,} elements",
                file=name,
                fix="compile the PDF of the paper instead",
            )
        stack.extend((child, depth + 1) for child in node.contents if isinstance(child, Tag))


def sanitize(soup: Any) -> int:
    """Remove active content in place (see the module docstring); returns what was removed."""
    from bs4 import Comment, Declaration, ProcessingInstruction

    removed = 0
    for tag in soup.find_all(DROP_TAGS):
        if not getattr(tag, "decomposed", False):
            tag.decompose()
            removed += 1
    for node in soup.find_all(string=True):
        if isinstance(node, Comment | ProcessingInstruction) or (
            isinstance(node, Declaration) and not node.lower().startswith("doctype")
        ):
            node.extract()
    for math in soup.find_all("math"):
        math.replace_with(_math_text(math))
    for tag in soup.find_all(True):
        removed += _clean_attributes(tag)
    return removed


def _clean_attributes(tag: Any) -> int:
    removed = 0
    for attribute in list(tag.attrs):
        value = tag.attrs[attribute]
        text = " ".join(value) if isinstance(value, list) else str(value)
        lower = attribute.lower()
        unsafe = lower in _URL_ATTRS and _BAD_SCHEME.match(text)
        if lower not in _KEEP_ATTRS or unsafe:
            del tag.attrs[attribute]
            removed += 1
    return removed


def _math_text(math: Any) -> str:
    alt = math.get("alttext")
    if not alt:
        annotation = math.find("annotation", attrs={"encoding": "application/x-tex"})
        alt = annotation.get_text() if annotation else math.get_text(" ")
    text = str(alt)
    for tex, plain in _TEX:
        text = text.replace(tex, plain)
    return text
