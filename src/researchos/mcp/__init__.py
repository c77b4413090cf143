"""The ResearchOS MCP server: work briefs, knowledge search and run recording for coding agents.

``build_server(app)`` returns an ``MCPServer`` (official SDK 2.x) with one tool per file in
``researchos.mcp.tools``; ``researchos mcp serve`` runs it over stdio or streamable HTTP.

Why the name ``researchos.mcp`` does not clash with the SDK's top-level ``mcp`` package:
Python 3 has no implicit relative imports, so ``import mcp`` / ``from mcp.server... import``
inside this package always resolve through ``sys.path`` to the SDK, and this package is only
reachable as ``researchos.mcp``. A clash would need ``src/researchos`` itself on ``sys.path``
(running a file from inside that directory as a script), which nothing here does;
tests/mcp/test_mcp_server.py checks that the SDK is what ``import mcp`` finds.
"""

from researchos.mcp.server import build_server

__all__ = ["build_server"]
