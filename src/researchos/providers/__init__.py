"""Model providers: one router, a routing policy, adapters registered as plugins, a mock.

Code elsewhere in ResearchOS uses only this surface::

    from researchos.providers import Message, ModelRequest
    response = app.router.call("distillation", ModelRequest.of(prompt, schema=Claims))
    vectors = app.router.embed(texts)

and registers offline answers with ``@mock_responder("distillation")``.
"""

from researchos.providers.mock.responders import RESPONDER_MODULES, mock_responder
from researchos.providers.phases import PHASES, get_phase
from researchos.providers.types import Message, ModelRequest, ModelResponse, Usage

__all__ = [
    "PHASES",
    "RESPONDER_MODULES",
    "Message",
    "ModelRequest",
    "ModelResponse",
    "Usage",
    "get_phase",
    "mock_responder",
]
