"""A deterministic instance of a JSON schema (and so of a pydantic model).

Walks the schema pydantic generates: ``$ref``/``$defs``, ``anyOf``/``oneOf``/``allOf``,
``const``, ``enum``, strings (length, ``format``, ``pattern``), numbers (bounds, exclusive
bounds, ``multipleOf``), arrays (item bounds, tuples, uniqueness), objects (properties and
``additionalProperties`` maps). Every free-text string says MOCK, so a mock answer is never
mistaken for a real one.
"""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from researchos.errors import ConfigError
from researchos.providers.mock.regex_sample import sample_pattern

M = TypeVar("M", bound=BaseModel)
GROW_DEPTH = 3  # below this depth optional fields and lists stay minimal (recursive models)
ATTEMPTS = 5
WORDS = (
    "baseline", "ablation", "seed", "variance", "accuracy", "loss", "dataset", "condition",
    "effect", "replication", "evidence", "metric", "threshold", "sample", "interval",
    "hypothesis", "control", "learning-rate", "optimizer", "convergence", "noise", "split",
)  # fmt: skip
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@cache
def model_schema(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def sample_model(model: type[M], rng: random.Random) -> M:
    """A valid instance of ``model``; retries other draws when a validator refuses one."""
    schema = model_schema(model)
    problem = ""
    for _ in range(ATTEMPTS):
        data = SchemaSampler(schema, rng).sample(schema)
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            problem = str(exc.errors()[0].get("msg", ""))
    raise ConfigError(
        f"the mock cannot build a valid {model.__name__} ({problem})",
        fix="register a @mock_responder for this phase that builds the answer",
    )


class SchemaSampler:
    def __init__(self, root: dict[str, Any], rng: random.Random) -> None:
        self.defs = root.get("$defs", {})
        self.rng = rng

    def sample(self, schema: dict[str, Any], label: str = "value", depth: int = 0) -> Any:
        schema = self._resolve(schema)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self.sample(self._choose(schema[key], depth), label, depth)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(self._resolve(part))
            return self.sample(merged, label, depth)
        kind = schema.get("type", "string")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        return getattr(self, f"_{kind}", self._string)(schema, label, depth)

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            extra = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**self.defs[name], **extra}
        return schema

    def _choose(self, options: list[dict[str, Any]], depth: int) -> dict[str, Any]:
        concrete = [o for o in options if self._resolve(o).get("type") != "null"]
        if not concrete or (depth >= GROW_DEPTH and len(concrete) < len(options)):
            return {"type": "null"}
        return self.rng.choice(concrete)

    def _null(self, schema: dict[str, Any], label: str, depth: int) -> None:
        return None

    def _boolean(self, schema: dict[str, Any], label: str, depth: int) -> bool:
        return self.rng.random() < 0.5

    def _integer(self, schema: dict[str, Any], label: str, depth: int) -> int:
        low = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 101) - 1)
        value = self.rng.randint(math.ceil(low), max(math.ceil(low), math.floor(high)))
        step = schema.get("multipleOf")
        if step:
            value = math.ceil(value / step) * int(step)
            value = value if value <= high else value - int(step)
        return int(value)

    def _number(self, schema: dict[str, Any], label: str, depth: int) -> float:
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        low = 0.0 if low is None else float(low)
        high = low + 1.0 if high is None else float(high)
        value = round(low + (high - low) * (0.1 + 0.8 * self.rng.random()), 4)
        step = schema.get("multipleOf")
        if step:
            value = math.ceil(value / step) * step
            value = value - step if value > high else value
        return value

    def _string(self, schema: dict[str, Any], label: str, depth: int) -> str:
        text = self._formatted(schema) or self._text(label)
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if len(text) < low:
            text += "x" * (low - len(text))
        return text[:high] if high is not None else text

    def _formatted(self, schema: dict[str, Any]) -> str | None:
        if "pattern" in schema:
            return sample_pattern(schema["pattern"], self.rng)
        moment = EPOCH + timedelta(
            days=self.rng.randint(0, 365), seconds=self.rng.randint(0, 86399)
        )
        return {
            "date-time": moment.isoformat().replace("+00:00", "Z"),
            "date": moment.date().isoformat(),
            "time": moment.time().isoformat(),
            "email": f"mock{self.rng.randint(1, 999)}@example.org",
            "uri": f"https://example.org/mock/{self.rng.randint(1, 999)}",
            "uuid": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "duration": f"P{self.rng.randint(1, 30)}D",
        }.get(schema.get("format", ""))

    def _text(self, label: str) -> str:
        words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(2, 5)))
        return f"MOCK {label.replace('_', ' ')}: {words}"

    def _array(self, schema: dict[str, Any], label: str, depth: int) -> list[Any]:
        if "prefixItems" in schema:
            return [self.sample(s, label, depth + 1) for s in schema["prefixItems"]]
        low = schema.get("minItems", 0)
        high = schema.get("maxItems", low + 3)
        wanted = low if depth >= GROW_DEPTH else self.rng.randint(max(low, 1), max(low, 1, high))
        wanted = min(wanted, high)
        items = schema.get("items", {})
        out: list[Any] = []
        for index in range(wanted * 4):
            if len(out) == wanted:
                break
            value = self.sample(items, f"{label} {index + 1}", depth + 1)
            if not schema.get("uniqueItems") or value not in out:
                out.append(value)
        return out

    def _object(self, schema: dict[str, Any], label: str, depth: int) -> dict[str, Any]:
        required = set(schema.get("required", []))
        out: dict[str, Any] = {}
        for name, prop in schema.get("properties", {}).items():
            if name in required or depth < GROW_DEPTH:
                out[name] = self.sample(prop, name, depth + 1)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and not schema.get("properties"):
            for index in range(max(1, schema.get("minProperties", 1))):
                out[f"mock_{label}_{index + 1}".replace(" ", "_")] = self.sample(
                    extra, label, depth + 1
                )
        return out
