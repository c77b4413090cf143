"""Markdown from an ARA rendered as HTML that is safe to put in a console page.

Every piece of HTML in the source is shown as text (escaped), HTML comments are dropped,
``[claim:<id>]`` becomes a link to the claim page (or a marked unknown id), images must be
files of the same ARA (served by the API; anything else becomes its alt text), and relative
links open the console's file viewer. Link targets like ``javascript:`` are refused by
markdown-it's own link validation.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import quote

from markdown_it import MarkdownIt
from markdown_it.token import Token

CLAIM_MARKER = re.compile(r"\[claim:([^\]\n]*)\]")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_COMMENT = re.compile(r"^\s*<!--.*-->\s*$", re.S)


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


@dataclass(frozen=True)
class Links:
    """Where rendered links point: files (``<files>/<path>``), images, claims."""

    base: str  # directory of the markdown file, relative to the tree it links into
    files: str
    images: str | None = None
    claims: str | None = None
    known_claims: frozenset[str] = frozenset()


def ara_links(slug: str, claims: Collection[str] = (), base: str = "views") -> Links:
    """Links for a markdown file at ``<base>/`` inside ARA ``slug``."""
    quoted = quote(slug)
    return Links(
        base=base,
        files=f"/aras/{quoted}/files/",
        images=f"/api/aras/{quoted}/files/",
        claims=f"/aras/{quoted}/claims/",
        known_claims=frozenset(claims),
    )


def render_markdown(text: str, links: Links) -> str:
    md = _parser()
    tokens = [t for t in md.parse(text) if not _is_comment(t)]
    for token in tokens:
        if token.type == "html_block":
            _as_text_block(token)
        elif token.type == "inline" and token.children:
            token.children = _inline(token.children, links)
    return md.renderer.render(tokens, md.options, {})


def _is_comment(token: Token) -> bool:
    return token.type == "html_block" and bool(_COMMENT.match(token.content))


def _as_text_block(token: Token) -> None:
    """Raw HTML blocks are shown as code, exactly as written (escaped by the renderer)."""
    token.type, token.tag, token.block = "code_block", "code", True


def _inline(children: list[Token], links: Links) -> list[Token]:
    out: list[Token] = []
    in_link = 0
    for child in children:
        if child.type == "html_inline":
            if not _COMMENT.match(child.content):
                out.append(_text(child.content))
            continue
        if child.type == "link_open":
            in_link += 1
            _rewrite_link(child, links)
        elif child.type == "link_close":
            in_link -= 1
        elif child.type == "image":
            out.append(_image(child, links))
            continue
        elif child.type == "text" and not in_link:
            out.extend(_claim_links(child.content, links))
            continue
        out.append(child)
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _claim_links(content: str, links: Links) -> list[Token]:
    tokens: list[Token] = []
    last = 0
    for match in CLAIM_MARKER.finditer(content):
        if match.start() > last:
            tokens.append(_text(content[last : match.start()]))
        tokens.extend(_claim(match.group(0), match.group(1).strip(), links))
        last = match.end()
    if last < len(content):
        tokens.append(_text(content[last:]))
    return tokens


def _claim(marker: str, claim_id: str, links: Links) -> list[Token]:
    if links.claims is not None and claim_id in links.known_claims:
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": f"{links.claims}{quote(claim_id)}", "class": "claim-link"}
        return [opening, _text(marker), Token("link_close", "a", -1)]
    opening = Token("em_open", "em", 1)
    opening.attrs = {"class": "claim-unknown", "title": "no such claim in this ARA"}
    return [opening, _text(marker), Token("em_close", "em", -1)]


def tree_path(target: str, base: str) -> str | None:
    """A relative link target as a path inside the tree, or None when it leaves the tree."""
    if not target or target.startswith(("/", "\\")) or _SCHEME.match(target):
        return None
    path = posixpath.normpath(posixpath.join(base, target.split("#")[0].split("?")[0]))
    if path.startswith("..") or path == ".":
        return None
    return path


def _rewrite_link(token: Token, links: Links) -> None:
    href = str(token.attrGet("href") or "")
    if href.startswith("#"):
        return
    path = tree_path(href, links.base)
    if path is not None:
        token.attrSet("href", f"{links.files}{quote(path)}")
    elif _SCHEME.match(href):
        token.attrSet("rel", "noopener noreferrer")
    else:
        token.attrSet("href", "#")


def _image(token: Token, links: Links) -> Token:
    path = tree_path(str(token.attrGet("src") or ""), links.base)
    alt = "".join(child.content for child in token.children or [])
    if path is None or links.images is None:
        return _text(f"[image not shown: {alt or 'external image'}]")
    token.attrSet("src", f"{links.images}{quote(path)}")
    token.attrSet("loading", "lazy")
    return token
