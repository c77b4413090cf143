"""Knowledge pages: Markdown with YAML frontmatter, validated by pydantic on every read and write.

A page file looks like::

    ---
    format_version: 1
    id: httpx-timeout-default
    kind: failure
    title: httpx 0.28 changed the default timeout
    review: reviewed
    sources: [{ref: ara/http-client/traces/failures/F0001.yaml, sha256: ...}]
    dependsOn: [httpx-client-basics]
    packages: {httpx: ">=0.28,<0.29"}
    tags: [http]
    ---
    Free Markdown: what happened, what to do.

The frontmatter is the page's metadata; everything after the closing ``---`` is the body.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from researchos.artifacts.models import Sha256, Slug, utcnow
from researchos.artifacts.reader import model_from_data
from researchos.errors import InputError
from researchos.files import dump_yaml, parse_yaml
from researchos.knowledge.versions import check_spec

PAGE_KINDS = ("claim", "failure", "intervention", "dependency", "source", "policy")
REVIEW_STATUSES = ("draft", "reviewed", "verified", "evidence-only")
MAX_PAGE_BYTES = 512 * 1024
PageKind = Literal["claim", "failure", "intervention", "dependency", "source", "policy"]
ReviewStatus = Literal["draft", "reviewed", "verified", "evidence-only"]
PageId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,127}$")]
SourceKind = Literal["file", "ara", "url", "issue", "snapshot", "paper", "other"]
Generator = Literal["manual", "ara-sync", "issue-ingest", "landscape"]
_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?\n?", re.DOTALL | re.MULTILINE)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SourceRef(_Strict):
    """Where a page's knowledge comes from; a ``sha256`` pins a workspace file for stale checks."""

    ref: str = Field(min_length=1, max_length=2000, description="Workspace path or URL.")
    kind: SourceKind = "file"
    sha256: Sha256 | None = Field(default=None, description="sha256 of the file when cited.")
    locator: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)


class Provenance(_Strict):
    """Who or what wrote the page; generated pages point at the file they came from."""

    generator: Generator = "manual"
    ara: Slug | None = None
    item: str | None = Field(default=None, description="Claim or trace id inside the ARA.")
    path: str | None = Field(default=None, description="Workspace path of the source file.")
    sha256: Sha256 | None = None
    added_by: str | None = None


class VersionMention(_Strict):
    """A version an issue talks about, parsed from its text or labels."""

    package: str | None = None
    version: str
    relation: Literal["==", ">=", "<", "fixed"] = "=="
    text: str = Field(default="", max_length=200, description="The words it was parsed from.")


class IssueInfo(_Strict):
    """What a source page records about the GitHub issue it was ingested from."""

    repo: str
    number: int
    url: str
    state: str
    labels: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    versions: list[VersionMention] = Field(default_factory=list)


class ReviewRecord(_Strict):
    """A human review that moved the page's review status."""

    by: str
    at: datetime = Field(default_factory=utcnow)
    status: ReviewStatus
    note: str = ""


class Page(_Strict):
    """One knowledge page: frontmatter fields plus the Markdown body."""

    format_version: Literal[1] = 1
    id: PageId
    kind: PageKind
    title: str = Field(min_length=1, max_length=300)
    review: ReviewStatus = "draft"
    sources: list[SourceRef] = Field(default_factory=list)
    depends_on: list[PageId] = Field(default_factory=list, alias="dependsOn")
    packages: dict[str, str] = Field(
        default_factory=dict,
        description='Package -> version range, e.g. {httpx: ">=0.27,<0.28"}; prefix npm: or '
        "pypi: to name the ecosystem.",
    )
    tags: list[str] = Field(default_factory=list)
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)
    discount_after: date | None = Field(
        default=None, description="Failures: after this date the page weighs less in briefs."
    )
    provenance: Provenance = Field(default_factory=Provenance)
    issue: IssueInfo | None = None
    reviews: list[ReviewRecord] = Field(default_factory=list)
    body: str = Field(default="", exclude=True)

    @field_validator("sources", mode="before")
    @classmethod
    def _bare_sources(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [_source_from(item) for item in value]
        return value

    @field_validator("depends_on")
    @classmethod
    def _unique_deps(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a page more than once")
        return value

    @field_validator("packages")
    @classmethod
    def _specs(cls, value: dict[str, str]) -> dict[str, str]:
        for name, spec in value.items():
            problem = check_spec(name, spec)
            if problem:
                raise ValueError(f"{name}: {problem}")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return [tag.strip() for tag in value if tag.strip()]

    def frontmatter(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"body"})


def _source_from(item: Any) -> Any:
    if not isinstance(item, str):
        return item
    kind = "url" if item.startswith(("http://", "https://")) else "file"
    return {"ref": item, "kind": kind}


def split_frontmatter(text: str, *, display: str) -> tuple[str, str]:
    """(frontmatter YAML, body) of a page; a page without frontmatter is an error."""
    text = text.lstrip("\ufeff")
    match = _FENCE.match(text)
    if not match:
        raise InputError(
            "no YAML frontmatter",
            file=display,
            fix="start the file with a line '---', the fields, then a closing '---'",
        )
    return match.group(1), text[match.end() :]


def parse_page(text: str, *, display: str) -> Page:
    """Parse and validate a page; errors name the file and the field."""
    if len(text.encode("utf-8")) > MAX_PAGE_BYTES:
        raise InputError(
            f"page is larger than {MAX_PAGE_BYTES // 1024} KiB",
            file=display,
            fix="split it into several pages linked with dependsOn",
        )
    head, body = split_frontmatter(text, display=display)
    data = parse_yaml("\n" + head, display=display)  # the newline keeps file line numbers
    if not isinstance(data, dict):
        raise InputError("frontmatter must be a YAML mapping of fields", file=display)
    if "body" in data:
        raise InputError("unknown field", file=display, field="body")
    return model_from_data(Page, {**data, "body": body.strip("\n")}, display=display)


def render_page(page: Page) -> str:
    """The page as file text: frontmatter, a blank line, the body."""
    body = page.body.strip("\n")
    return f"---\n{dump_yaml(page.frontmatter())}---\n\n{body}\n"


def page_from_fields(fields: dict[str, Any], *, display: str) -> Page:
    """Build a page from Python fields (generators), validated like a file."""
    return model_from_data(Page, fields, display=display)
