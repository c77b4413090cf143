"""One logging set-up, with a redaction filter on every handler it installs.

The filter scrubs API-key shapes (OpenAI ``sk-...``, Anthropic ``sk-ant-...``), Bearer tokens
and every secret value registered at run time (``register_secret``) from the message, its
arguments and any exception text, so a key never reaches a console or a log file.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

REDACTED = "[REDACTED]"

_KEY_SHAPES = re.compile(
    r"(?:sk-ant-[A-Za-z0-9_\-]{8,}"  # Anthropic
    r"|sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{16,}"  # OpenAI
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/\-=]{8,}"  # Authorization headers
    r"|(?i:x-api-key|api[_-]?key)[\"']?\s*[:=]\s*[\"']?[A-Za-z0-9._\-]{12,})"
)

_known_secrets: set[str] = set()
_known_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Scrub this exact value from all future log records (keys loaded from the store)."""
    if value and len(value) >= 6:
        with _known_lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    """Return ``text`` with every known secret and key shape replaced by [REDACTED]."""
    if not text:
        return text
    with _known_lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    lowered = text.lower()  # every key shape needs one of these; most text has none
    if "sk-" not in text and "bearer" not in lowered and "api" not in lowered:
        return text
    return _KEY_SHAPES.sub(REDACTED, text)


class RedactionFilter(logging.Filter):
    """Rewrites a record so that neither its message nor its exception text holds a secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_installed: list[logging.Handler] = []


def configure_logging(level: str = "WARNING", log_file: Path | None = None) -> None:
    """Install console (and optional file) handlers on the ``researchos`` logger, once."""
    logger = logging.getLogger("researchos")
    for handler in _installed:
        logger.removeHandler(handler)
        handler.close()
    _installed.clear()
    console = logging.StreamHandler()
    console.setLevel(level.upper())
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    _installed.append(console)
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_file, encoding="utf-8")
        file_handler.setLevel(logging.INFO)
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        _installed.append(file_handler)
    for handler in _installed:
        handler.addFilter(RedactionFilter())
        logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level.upper() == "DEBUG" else logging.INFO)
    logger.propagate = False
