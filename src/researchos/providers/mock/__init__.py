"""The deterministic mock provider: no network, no key, valid output for every phase.

Domain packages register grounded answers with ``@mock_responder("phase")``; phases with no
responder get a deterministic instance of the requested schema (or deterministic text).
"""

from researchos.providers.mock.responders import RESPONDER_MODULES, Responder, mock_responder

__all__ = ["RESPONDER_MODULES", "Responder", "mock_responder"]
