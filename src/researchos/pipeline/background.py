"""Background material for a project: a ZIP extracted safely and indexed for snippets.

The archive is hostile until proven otherwise: absolute paths, ``..``, symlinks, device files
and FIFOs are refused, and limits on archive size, member count, total uncompressed size and
compression ratio stop zip bombs. Extraction goes to a temporary directory that is renamed
into place only when every member is written, so a refused or interrupted archive leaves
nothing behind.
"""

from __future__ import annotations

import json
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from researchos.errors import InputError, UnsafeInput
from researchos.files import write_atomic

MAX_ARCHIVE_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MAX_RATIO = 100.0
TEXT_SUFFIXES = {
    ".txt",
    ".md",
    ".rst",
    ".py",
    ".json",
    ".yaml",
    ".yml",
    ".csv",
    ".tex",
    ".bib",
    ".toml",
    ".cfg",
    ".ini",
    ".html",
    ".htm",
    ".ipynb",
    ".r",
    ".jl",
}
MAX_TEXT_BYTES = 2 * 1024 * 1024
CHUNK_CHARS = 800


@dataclass(frozen=True)
class Limits:
    archive_bytes: int = MAX_ARCHIVE_BYTES
    members: int = MAX_MEMBERS
    total_bytes: int = MAX_TOTAL_BYTES
    ratio: float = MAX_RATIO


def _check_member(info: zipfile.ZipInfo, archive: str) -> PurePosixPath:
    name = info.filename
    path = PurePosixPath(name)
    mode = info.external_attr >> 16
    where = f"{archive}: member {name!r}"
    if path.is_absolute() or name.startswith(("/", "\\")) or ":" in path.parts[0]:
        raise UnsafeInput(
            "absolute path in archive", file=where, fix="re-create the ZIP with relative paths"
        )
    if ".." in path.parts or "\\" in name:
        raise UnsafeInput("path escapes the archive ('..' or backslash)", file=where)
    if stat.S_ISLNK(mode):
        raise UnsafeInput("symbolic links are not allowed", file=where)
    if mode and (
        stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)
    ):
        raise UnsafeInput("device, FIFO or socket entries are not allowed", file=where)
    return path


def _check_sizes(infos: list[zipfile.ZipInfo], archive: str, limits: Limits) -> None:
    if len(infos) > limits.members:
        raise UnsafeInput(
            f"{len(infos)} members exceed the limit of {limits.members}", file=archive
        )
    total = sum(info.file_size for info in infos)
    if total > limits.total_bytes:
        raise UnsafeInput(
            f"uncompressed size {total} bytes exceeds {limits.total_bytes}", file=archive
        )
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > limits.ratio:
            ratio = info.file_size // info.compress_size
            raise UnsafeInput(
                f"member {info.filename!r} expands {ratio}x (limit "
                f"{limits.ratio:.0f}x): a zip bomb?",
                file=archive,
            )


def extract_background(archive: Path, dest: Path, *, limits: Limits = Limits()) -> list[str]:
    """Extract ``archive`` into ``dest`` (which must not exist); returns the member paths."""
    name = archive.name
    if not archive.is_file():
        raise InputError("is not a file", file=str(archive))
    if archive.stat().st_size > limits.archive_bytes:
        raise UnsafeInput(f"archive is larger than {limits.archive_bytes // 2**20} MB", file=name)
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not a readable ZIP archive ({exc})", file=name) from None
    with zf:
        infos = [info for info in zf.infolist() if not info.is_dir()]
        paths = [_check_member(info, name) for info in zf.infolist()]
        _check_sizes(infos, name, limits)
        if len(set(paths)) != len(paths):
            raise UnsafeInput("duplicate member names", file=name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".extract-", dir=dest.parent))
        try:
            written = _write_members(zf, infos, staging, limits, name)
            staging.rename(dest)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return written


def _write_members(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], root: Path, limits: Limits, archive: str
) -> list[str]:
    budget = limits.total_bytes
    written = []
    for info in infos:
        target = root.joinpath(*PurePosixPath(info.filename).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(info) as source, target.open("wb") as sink:
            while block := source.read(1 << 20):
                budget -= len(block)
                if budget < 0:  # declared sizes can lie; count what really comes out
                    raise UnsafeInput("archive expands beyond its declared size", file=archive)
                sink.write(block)
        written.append(info.filename)
    return written


@dataclass(frozen=True)
class Snippet:
    path: str
    text: str
    score: float


def index_background(root: Path, index_file: Path) -> int:
    """Chunk every text-like file under ``root`` into ``index_file`` (JSON); returns chunks."""
    chunks: list[dict[str, str]] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix.lower() not in TEXT_SUFFIXES or path.stat().st_size > MAX_TEXT_BYTES:
            continue
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        rel = path.relative_to(root).as_posix()
        for start in range(0, len(text), CHUNK_CHARS):
            piece = " ".join(text[start : start + CHUNK_CHARS].split())
            if piece:
                chunks.append({"path": rel, "text": piece})
    write_atomic(index_file, json.dumps(chunks))
    return len(chunks)


def relevant_snippets(
    index_file: Path, query: str, *, limit: int = 5, max_chars: int = 400
) -> list[Snippet]:
    """The chunks most similar to ``query`` by TF-IDF cosine (deterministic)."""
    if not index_file.exists():
        return []
    chunks = json.loads(index_file.read_text("utf-8"))
    if not chunks or not query.strip():
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([query] + [c["text"] for c in chunks])
    except ValueError:  # only stop words
        return []
    scores = (matrix[1:] @ matrix[0].T).toarray().ravel()
    order = sorted(range(len(chunks)), key=lambda i: (-scores[i], i))[:limit]
    return [
        Snippet(chunks[i]["path"], chunks[i]["text"][:max_chars], float(scores[i]))
        for i in order
        if scores[i] > 0
    ]
