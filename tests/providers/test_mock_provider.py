"""The deterministic mock: grounded responders, schema instances for every phase, MOCK tags."""

from __future__ import annotations

import math
import random
import sys
from datetime import date
from pathlib import Path
from typing import Literal

import pytest
from conftest import MakeApp
from pydantic import BaseModel, Field, field_validator

from researchos.errors import ConfigError
from researchos.providers import ModelRequest, mock_responder
from researchos.providers.mock import responders
from researchos.providers.mock.embeddings import hash_vector
from researchos.providers.mock.schema_sample import sample_model
from researchos.providers.phases import PHASES


class Evidence(BaseModel):
    path: str = Field(min_length=3, max_length=40)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    lines: tuple[int, int]


class Number(BaseModel):
    value: float = Field(gt=0, lt=1)
    n: int = Field(ge=3, le=30)
    unit: Literal["accuracy", "seconds"]


class Claim(BaseModel):
    id: str = Field(pattern=r"^C\d{4}$")
    statement: str = Field(min_length=20)
    kind: Literal["effect", "comparison", "null_result", "observation", "method"]
    confidence: float = Field(ge=0, le=1)
    evidence: list[Evidence] = Field(min_length=1, max_length=4)
    numbers: list[Number] = Field(default_factory=list)
    conditions: dict[str, str] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list, max_length=3)
    decided: date | None = None
    parent: Claim | None = None


class Claims(BaseModel):
    claims: list[Claim] = Field(min_length=2, max_length=5)


@pytest.fixture
def app(make_app: MakeApp):  # type: ignore[no-untyped-def]
    return make_app()  # no key, no server: auto mode is mock


def test_the_same_request_gives_the_same_answer_and_another_prompt_another(app) -> None:  # type: ignore[no-untyped-def]
    first = app.router.call("distillation", ModelRequest.of("session A", schema=Claims))
    again = app.router.call("distillation", ModelRequest.of("session A", schema=Claims))
    other = app.router.call("distillation", ModelRequest.of("session B", schema=Claims))
    other_phase = app.router.call("compilation", ModelRequest.of("session A", schema=Claims))

    assert first.data == again.data and first.text == again.text
    assert first.data != other.data and first.data != other_phase.data
    assert first.mock and first.routing["mock"] and first.routing["provider"] == "mock"


@pytest.mark.parametrize("phase", [name for name, p in PHASES.items() if not p.embedding])
def test_every_phase_returns_a_valid_instance_of_a_rich_schema(app, phase: str) -> None:  # type: ignore[no-untyped-def]
    response = app.router.call(phase, ModelRequest.of(f"work for {phase}", schema=Claims))

    assert isinstance(response.data, Claims)
    assert Claims.model_validate_json(response.text) == response.data
    assert all("MOCK" in claim.statement for claim in response.data.claims)


def test_text_answers_are_tagged_mock(app) -> None:  # type: ignore[no-untyped-def]
    response = app.router.call("drafting", ModelRequest.of("write the abstract"))
    assert response.text.startswith("[MOCK] drafting:")
    assert response.data is None and response.usage.output_tokens > 0


def test_a_registered_responder_builds_grounded_answers_from_context(app) -> None:  # type: ignore[no-untyped-def]
    @mock_responder("contradiction_check")
    def quote_span(request: ModelRequest, rng: random.Random) -> dict[str, object]:
        span = request.context["span"]
        return {
            "claims": [
                {
                    "id": "C0001",
                    "statement": f"Transcript says: {span}",
                    "kind": "observation",
                    "confidence": 0.5,
                    "evidence": [{"path": "transcript.md", "sha256": "0" * 64, "lines": [3, 4]}],
                },
                {
                    "id": "C0002",
                    "statement": f"Seeded pick: {rng.choice(['a', 'b'])} of the span",
                    "kind": "method",
                    "confidence": 0.1,
                    "evidence": [{"path": "transcript.md", "sha256": "1" * 64, "lines": [5, 5]}],
                },
            ]
        }

    try:
        request = ModelRequest.of("check", schema=Claims, context={"span": "loss fell to 0.31"})
        response = app.router.call("contradiction_check", request)
    finally:
        responders.unregister("contradiction_check")

    assert isinstance(response.data, Claims)
    assert response.data.claims[0].statement == "Transcript says: loss fell to 0.31"


def test_a_responder_that_returns_invalid_data_is_a_config_error(app) -> None:  # type: ignore[no-untyped-def]
    mock_responder("reflection")(lambda request, rng: {"claims": "not a list"})
    try:
        with pytest.raises(ConfigError, match="responder for phase 'reflection'"):
            app.router.call("reflection", ModelRequest.of("x", schema=Claims))
    finally:
        responders.unregister("reflection")


def test_responders_for_unknown_phases_and_double_registrations_are_refused() -> None:
    with pytest.raises(ConfigError, match="unknown phase 'distilation'"):
        mock_responder("distilation")
    with pytest.raises(ConfigError, match="two mock responders"):
        mock_responder("credential_test")(lambda request, rng: "other")


def test_responder_modules_are_imported_lazily_from_the_list(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    app,  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "late_domain_responders.py").write_text(
        "from researchos.providers import mock_responder\n"
        "@mock_responder('knowledge_summary')\n"
        "def summary(request, rng):\n"
        "    return 'summary of ' + request.context['page']\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(
        responders, "RESPONDER_MODULES", [*responders.RESPONDER_MODULES, "late_domain_responders"]
    )
    monkeypatch.setattr(responders, "_loaded", False)
    assert "late_domain_responders" not in sys.modules
    try:
        response = app.router.call(
            "knowledge_summary", ModelRequest.of("summarise", context={"page": "seeds.md"})
        )
    finally:
        responders.unregister("knowledge_summary")
        sys.modules.pop("late_domain_responders", None)
    assert response.text == "summary of seeds.md"


def test_a_schema_whose_validator_refuses_mock_output_asks_for_a_responder(app) -> None:  # type: ignore[no-untyped-def]
    class Picky(BaseModel):
        title: str

        @field_validator("title")
        @classmethod
        def _real_only(cls, value: str) -> str:
            if "MOCK" in value:
                raise ValueError("mock text refused")
            return value

    with pytest.raises(ConfigError, match="register a @mock_responder"):
        app.router.call("drafting", ModelRequest.of("x", schema=Picky))


def test_schema_sampling_respects_constraints_across_seeds() -> None:
    for seed in range(40):
        claims = sample_model(Claims, random.Random(seed))
        assert 2 <= len(claims.claims) <= 5  # validated by pydantic; spot-check the bounds
        for claim in claims.claims:
            assert all(0 < number.value < 1 for number in claim.numbers)


def test_mock_embeddings_are_deterministic_and_similar_for_similar_texts(app) -> None:  # type: ignore[no-untyped-def]
    a, b, c = app.router.embed(
        ["adam converges faster on iris", "adam converges faster on wine", "the cat sat"]
    )
    assert a == hash_vector("adam converges faster on iris")
    assert math.isclose(sum(x * x for x in a), 1.0)

    def cosine(u: list[float], v: list[float]) -> float:
        return sum(x * y for x, y in zip(u, v, strict=True))

    assert cosine(a, b) > cosine(a, c)
