"""Turning pages into index records: search text, summary, package links."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

from researchos.files import sha256_bytes
from researchos.knowledge.page import Page, render_page
from researchos.knowledge.versions import split_package
from researchos.store.knowledge import PackageLink, PageRecord

SUMMARY_CHARS = 400
_MARKUP = re.compile(r"[#>*_`|\[\]]+")


def summary_of(body: str, *, limit: int = SUMMARY_CHARS) -> str:
    """The body's first characters as one line of plain-ish text."""
    flat = " ".join(_MARKUP.sub(" ", body).split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return f"{cut}…"


def keywords_of(page: Page) -> str:
    """Tags and package names: weighted between the title and the body in full-text search."""
    names = [split_package(key)[0] for key in page.packages]
    return " ".join([*page.tags, *names, page.kind])


def embedding_text(page: Page) -> str:
    return f"{page.title}\n{keywords_of(page)}\n{page.body}"


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def record_for(page: Page, *, path: str, embedding: bytes | None, model: str | None) -> PageRecord:
    discount = page.discount_after
    return PageRecord(
        page_id=page.id,
        kind=page.kind,
        title=page.title,
        review=page.review,
        path=path,
        body=page.body,
        summary=summary_of(page.body),
        keywords=keywords_of(page),
        tags=list(page.tags),
        depends_on=list(page.depends_on),
        sources=[s.model_dump(mode="json", exclude_none=True) for s in page.sources],
        packages=dict(page.packages),
        provenance=page.provenance.model_dump(mode="json", exclude_none=True),
        created=_utc(page.created),
        updated=_utc(page.updated),
        discount_after=datetime.combine(discount, time(), tzinfo=UTC) if discount else None,
        content_sha256=sha256_bytes(render_page(page).encode("utf-8")),
        embedding=embedding,
        embedding_model=model,
    )


REVIEW_RANK = {"verified": 3, "reviewed": 2, "draft": 1, "evidence-only": 0}


def links_for(page: Page) -> list[PackageLink]:
    links: dict[str, PackageLink] = {}
    rank, stamp = REVIEW_RANK.get(page.review, 0), _utc(page.updated).timestamp()
    for key, spec in page.packages.items():
        name, ecosystem = split_package(key)
        links[name] = PackageLink(page.id, name, ecosystem, spec, rank, stamp)
    return list(links.values())
