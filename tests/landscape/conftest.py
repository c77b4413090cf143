from __future__ import annotations

import pytest


@pytest.fixture
def ready(app):
    """An app whose router (and routing-policy commit) exists before a test counts commits."""
    _ = app.router
    return app
