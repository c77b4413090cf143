"""Splitting a bibliography into entries, and finding links to reproduction code."""

from __future__ import annotations

import re
from collections.abc import Iterable

from researchos.compile.document import Reference
from researchos.compile.text import normalize

_BRACKET = re.compile(r"^\s*(?P<label>\[\d{1,4}\])\s*")
_NUMBERED = re.compile(r"^\s*(?P<label>\d{1,3}\.)\s+")
_AUTHOR_START = re.compile(r"^[A-Z][\w'’\-]+,\s+(?:[A-Z]\.|[A-Z][a-z]+)")

CODE_HOSTS = re.compile(
    r"(?:https?://)?(?:www\.)?(?P<host>github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|"
    r"zenodo\.org|doi\.org/10\.5281/zenodo|codeocean\.com|sourceforge\.net|osf\.io|"
    r"huggingface\.co)/[^\s\"'<>)\]]*",
    re.IGNORECASE,
)
CODE_STATEMENT = re.compile(
    r"\b(?:(?:source\s+)?code|implementation|software|scripts?)\s+(?:is|are|will\s+be|has\s+been)"
    r"\s+(?:publicly\s+|freely\s+|openly\s+)?(?:available|released|provided|published)"
    r"|\bcode\s+availability\b|\bavailable\s+(?:at|on|from)\s+(?:github|gitlab|zenodo)\b",
    re.IGNORECASE,
)
URL = re.compile(r"https?://[^\s\"'<>)\]]+", re.IGNORECASE)


def split_references(lines: Iterable[str]) -> list[Reference]:
    """Entries of a bibliography given as text lines ("[1] ...", "1. ..." or author-year)."""
    lines = [line for line in lines if line.strip()]
    marker = next((m for m in (_BRACKET, _NUMBERED) if any(m.match(x) for x in lines[:3])), None)
    entries: list[list[str]] = []
    for line in lines:
        starts = marker.match(line) if marker else _starts_entry(line, entries)
        if starts or not entries:
            entries.append([line])
        else:
            entries[-1].append(line)
    references: list[Reference] = []
    for entry in entries:
        text = normalize("\n".join(entry))
        mark = marker.match(text) if marker else None
        label = mark["label"] if mark else ""
        body = text[mark.end() :] if mark else text
        if body:
            references.append(Reference(f"ref-{len(references) + 1}", label, body))
    return references


def _starts_entry(line: str, entries: list[list[str]]) -> bool:
    if not entries:
        return True
    previous = entries[-1][-1].rstrip()
    return bool(_AUTHOR_START.match(line)) and previous.endswith(".")


def find_urls(text: str) -> list[str]:
    return [match.group(0).rstrip(".,;:") for match in URL.finditer(text)]


def code_evidence(text: str, links: Iterable[str], reference_text: str = "") -> list[str]:
    """Where the paper points at its code: code-host links and "code is available" phrases.

    Links found only in the bibliography count too (papers cite their own repository), but a
    phrase must be in the body: "code is available" in a cited title says nothing.
    """
    found: list[str] = []
    for link in [*links, *find_urls(text), *find_urls(reference_text)]:
        match = CODE_HOSTS.search(link)
        if match and match.group(0).rstrip(".,;:") not in found:
            found.append(match.group(0).rstrip(".,;:"))
    for match in CODE_HOSTS.finditer(normalize(text + "\n" + reference_text)):
        url = match.group(0).rstrip(".,;:")
        if url not in found and len(url) > len(match["host"]) + 1:
            found.append(url)
    for match in CODE_STATEMENT.finditer(normalize(text)):
        found.append(f"statement: {match.group(0)}")
    return found
