"""GitHub issue ingestion: search-API JSON -> a source snapshot + evidence-only source pages.

The JSON is hostile input. The file is size-capped and parsed once; every item is checked for
types and lengths; ``html_url`` must point at an issue or pull request of the named repository;
control and bidirectional-override characters are removed; the body is kept verbatim as inert
text inside a code fence longer than any backtick run it contains, so neither Markdown nor HTML
in it renders, and it never reaches the frontmatter. Items that fail a check are skipped with
the reason. The raw file is stored as a snapshot pinned by its sha256.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from researchos.errors import InputError, UnsafeInput
from researchos.files import sha256_bytes
from researchos.knowledge.alignment import affected_spec, parse_mentions
from researchos.knowledge.collection import SNAPSHOTS_DIR
from researchos.knowledge.page import Page, page_from_fields

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ITEMS = 1000
MAX_TITLE = 300
MAX_BODY = 20_000
MAX_LABELS = 30
_REPO = re.compile(
    r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?P<name>[A-Za-z0-9._-]{1,100})$"
)
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_LABEL_CHARS = re.compile(r"[^A-Za-z0-9 ._:/+-]")


@dataclass(frozen=True)
class IssueItem:
    number: int
    title: str
    body: str
    truncated: bool
    state: str
    url: str
    labels: list[str]
    created_at: datetime | None
    updated_at: datetime | None
    index: int


@dataclass(frozen=True)
class ParsedIssues:
    repo: str
    items: list[IssueItem]
    skipped: list[str]
    raw: bytes

    @property
    def sha256(self) -> str:
        return sha256_bytes(self.raw)


def check_repo(repo: str) -> tuple[str, str]:
    match = _REPO.match(repo.strip())
    if not match or match["name"] in (".", ".."):
        raise InputError(
            f"{repo!r} is not OWNER/NAME", field="--repo", fix="write e.g. --repo encode/httpx"
        )
    return match["owner"], match["name"]


def clean_text(value: str) -> str:
    """Drop control characters (keeping newlines and tabs) and invisible direction overrides."""
    value = _INVISIBLE.sub("", value.replace("\r\n", "\n"))
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def _str(item: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = item.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} must be a string, found {type(value).__name__}")
    return value


def _date(item: dict[str, Any], key: str) -> datetime | None:
    value = _str(item, key)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{key} is not an ISO 8601 time") from None


def _labels(item: dict[str, Any]) -> list[str]:
    raw = item.get("labels") or []
    if not isinstance(raw, list):
        raise ValueError("labels must be a list")
    out = []
    for label in raw[:MAX_LABELS]:
        name = label.get("name") if isinstance(label, dict) else label
        if isinstance(name, str) and (clean := _LABEL_CHARS.sub("", clean_text(name))[:50].strip()):
            out.append(clean)
    return out


def _item(raw: Any, index: int, owner: str, name: str) -> IssueItem:
    if not isinstance(raw, dict):
        raise ValueError(f"is a {type(raw).__name__}, not an object")
    url = _str(raw, "html_url", required=True) or ""
    pattern = rf"https://github\.com/{re.escape(owner)}/{re.escape(name)}/(?:issues|pull)/(\d+)"
    match = re.fullmatch(pattern, url, flags=re.IGNORECASE)
    if not match:
        raise ValueError(f"html_url {url[:100]!r} is not an issue of {owner}/{name}")
    number = raw.get("number", int(match[1]))
    if not isinstance(number, int) or isinstance(number, bool) or number != int(match[1]):
        raise ValueError("number does not match html_url")
    title = " ".join(clean_text(_str(raw, "title", required=True) or "").split())
    if not title:
        raise ValueError("title is empty")
    body = clean_text(_str(raw, "body") or "")
    return IssueItem(
        number=number,
        title=title[:MAX_TITLE],
        body=body[:MAX_BODY],
        truncated=len(body) > MAX_BODY,
        state=clean_text(_str(raw, "state") or "unknown")[:20],
        url=url,
        labels=_labels(raw),
        created_at=_date(raw, "created_at"),
        updated_at=_date(raw, "updated_at"),
        index=index,
    )


def parse_issues(raw: bytes, *, repo: str, display: str) -> ParsedIssues:
    """Check and clean a search-API response (``{"items": [...]}``) or a bare list."""
    owner, name = check_repo(repo)
    if len(raw) > MAX_FILE_BYTES:
        raise UnsafeInput(
            f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", file=display, fix="split it"
        )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not valid UTF-8 JSON: {exc}", file=display) from None
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError(
            "expected a list of issues or an object with an 'items' list", file=display
        )
    if len(items) > MAX_ITEMS:
        raise UnsafeInput(f"holds {len(items)} items, more than {MAX_ITEMS}", file=display)
    parsed, skipped = [], []
    for index, item in enumerate(items):
        try:
            parsed.append(_item(item, index, owner, name))
        except ValueError as exc:
            skipped.append(f"items[{index}]: {exc}")
    return ParsedIssues(f"{owner}/{name}", parsed, skipped, raw)


def snapshot_path(repo: str, sha256: str) -> str:
    owner, name = repo.split("/")
    return f"{SNAPSHOTS_DIR}/github/{owner.lower()}__{name.lower()}/{sha256}.json"


def issue_page_id(repo: str, number: int) -> str:
    owner, name = (re.sub(r"[^a-z0-9-]", "-", part.lower()) for part in repo.split("/"))
    return f"gh.{owner}.{name}.{number}"


def fenced(text: str) -> str:
    """``text`` inside a code fence it cannot close: inert in any Markdown renderer."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def issue_page(issues: ParsedIssues, item: IssueItem, *, package: str) -> Page:
    snapshot = snapshot_path(issues.repo, issues.sha256)
    mentions = parse_mentions(f"{item.title}\n{item.body}", item.labels, package=package)
    spec = affected_spec(package, mentions)
    note = " (truncated)" if item.truncated else ""
    body = (
        f"Reported in {issues.repo} issue #{item.number} ({item.state}). Evidence only: "
        "verify locally before relying on it.\n\n"
        f"Issue text as filed{note}:\n\n{fenced(item.body or '(no text)')}"
    )
    fields = {
        "id": issue_page_id(issues.repo, item.number),
        "kind": "source",
        "title": item.title,
        "review": "evidence-only",
        "sources": [
            {"ref": item.url, "kind": "issue"},
            {
                "ref": snapshot,
                "kind": "snapshot",
                "sha256": issues.sha256,
                "locator": f"/items/{item.index}",
            },
        ],
        "packages": {package: spec} if spec else {},
        "tags": ["github-issue", f"repo:{issues.repo}", *item.labels],
        "created": item.created_at or datetime.now().astimezone(),
        "updated": item.updated_at or item.created_at or datetime.now().astimezone(),
        "provenance": {"generator": "issue-ingest", "path": snapshot, "sha256": issues.sha256},
        "issue": {
            "repo": issues.repo,
            "number": item.number,
            "url": item.url,
            "state": item.state,
            "labels": item.labels,
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "versions": [m.model_dump() for m in mentions],
        },
        "body": body,
    }
    return page_from_fields(fields, display=f"{issues.repo}#{item.number}")


def merge_issue(current: Page, new: Page) -> Page | None:
    """Re-ingesting keeps a person's review; a page not made by ingestion is left alone."""
    if current.provenance.generator != "issue-ingest":
        return None
    return new.model_copy(
        update={"review": current.review, "reviews": current.reviews, "created": current.created}
    )
