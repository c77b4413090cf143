"""What each recorded event may carry, checked at the edge (pydantic); errors name the field."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from researchos.errors import InputError
from researchos.knowledge.contract import ALL_EVENTS, EVENT_PHASES

MAX_TEXT = 4000
DECISION = "decision"


class EventDetail(BaseModel):
    """Optional fields of an event; which ones an event needs is checked in ``check_detail``."""

    model_config = ConfigDict(extra="forbid")

    file: str | None = Field(default=None, max_length=500, description="Repo-relative path.")
    package: str | None = Field(default=None, max_length=200)
    version: str | None = Field(default=None, max_length=100)
    command: str | None = Field(default=None, max_length=MAX_TEXT)
    passed: bool | None = None
    exit_code: int | None = None
    pages: list[str] = Field(default_factory=list, max_length=500)
    page_id: str | None = Field(default=None, max_length=128)
    brief_id: str | None = Field(default=None, max_length=40)
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    note: str | None = Field(default=None, max_length=MAX_TEXT)

    @field_validator("file")
    @classmethod
    def _relative(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = value.replace("\\", "/").split("/")
        if value.startswith("/") or ".." in parts or not value.strip():
            raise ValueError("must be a path relative to the repository, without '..'")
        return "/".join(p for p in parts if p not in ("", "."))


_NEEDS: dict[str, tuple[str, ...]] = {
    "file_inspected": ("file",),
    "file_edited": ("file",),
    "package_version_checked": ("package", "version"),
    "test_run": ("passed",),
}


def phase_of(event: str) -> str:
    if event == DECISION:
        return DECISION
    for phase, names in EVENT_PHASES.items():
        if event in names:
            return phase
    raise InputError(
        f"unknown event {event!r}",
        field="event",
        fix=f"use one of: {', '.join(ALL_EVENTS)} (see get_event_recording_contract)",
    )


def check_detail(event: str, detail: dict[str, Any] | None) -> dict[str, Any]:
    """The validated detail of ``event`` as a JSON-safe dict (None fields dropped)."""
    try:
        model = EventDetail.model_validate(detail or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(first["msg"], field=f"detail.{where}") from None
    for name in _NEEDS.get(event, ()):
        if getattr(model, name) is None:
            raise InputError(
                f"a {event} event needs detail.{name}",
                field=f"detail.{name}",
                fix=f"pass detail={{{name!r}: ...}}",
            )
    return model.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def recording_contract() -> dict[str, Any]:
    """The event names by phase and the detail each one takes."""
    return {
        "phases": {phase: list(names) for phase, names in EVENT_PHASES.items()},
        "required_detail": {event: list(fields) for event, fields in _NEEDS.items()},
        "detail_fields": {
            name: (field.description or str(field.annotation))
            for name, field in EventDetail.model_fields.items()
        },
        "decision": "record_decision(run_id, decision, rationale, alternatives)",
    }
