"""Keys never reach a log line: message, arguments or exception text."""

import logging

import pytest

from researchos.logs import REDACTED, configure_logging, redact, register_secret

OPENAI = "sk-proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8t" + "Uv1wXy4z"
ANTHROPIC = "sk-ant-api03-" + "q" * 30 + "-AbC_dEf"
BEARER = "Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig"


@pytest.fixture
def log_file(tmp_path):
    path = tmp_path / "logs/researchos.log"
    configure_logging("DEBUG", path)
    yield path
    configure_logging("WARNING", None)


def read(path):
    for handler in logging.getLogger("researchos").handlers:
        handler.flush()
    return path.read_text("utf-8")


def test_key_shapes_are_scrubbed_from_messages_and_args(log_file):
    log = logging.getLogger("researchos.test")
    log.info("calling with %s and %s", OPENAI, ANTHROPIC)
    log.warning("header Authorization: %s", BEARER)
    log.info('{"api_key": "abcdef0123456789abcd"}')
    text = read(log_file)
    for secret in (OPENAI, ANTHROPIC, "eyJhbGciOiJIUzI1NiJ9", "abcdef0123456789abcd"):
        assert secret not in text
    assert text.count(REDACTED) >= 4
    assert "calling with" in text


def test_exception_text_is_scrubbed(log_file):
    log = logging.getLogger("researchos.test")
    try:
        raise RuntimeError(f"upstream rejected key {OPENAI}")
    except RuntimeError:
        log.exception("provider call failed")
    text = read(log_file)
    assert "RuntimeError: upstream rejected key [REDACTED]" in text
    assert OPENAI not in text


def test_registered_secret_of_any_shape_is_scrubbed(log_file):
    canary = "canary-4f9e2-plain-looking-value"
    register_secret(canary)
    logging.getLogger("researchos.test").error("value was %s", canary)
    assert canary not in read(log_file)
    assert redact(f"x {canary} y") == f"x {REDACTED} y"


def test_ordinary_text_is_untouched():
    text = "accuracy 0.93 on iris with sk-learn's svm; task-1234 passed"
    assert redact(text) == text
