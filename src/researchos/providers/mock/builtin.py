"""Mock answers the providers package itself needs (validation calls)."""

from __future__ import annotations

import random

from pydantic import BaseModel

from researchos.providers.mock.responders import mock_responder
from researchos.providers.mock.schema_sample import sample_model
from researchos.providers.types import ModelRequest


@mock_responder("credential_test")
def credential_test(request: ModelRequest, rng: random.Random) -> str | BaseModel:
    if request.schema is not None:
        return sample_model(request.schema, rng)
    return "OK (MOCK)"
