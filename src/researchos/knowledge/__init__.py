"""The knowledge base: pages, hybrid retrieval, work briefs and issue ingestion.

Pages live as Markdown files under ``knowledge/pages/`` (the truth); the store holds a
rebuildable index for full-text and vector search. ``knowledge.api`` exposes the plain
functions the CLI and the MCP server call.
"""

from researchos.knowledge.brief_model import AgentWorkContext
from researchos.knowledge.embedding import Embedder, WordLlamaEmbedder
from researchos.knowledge.page import Page
from researchos.knowledge.service import KnowledgeBase, KnowledgeSettings

__all__ = [
    "AgentWorkContext",
    "Embedder",
    "KnowledgeBase",
    "KnowledgeSettings",
    "Page",
    "WordLlamaEmbedder",
]
