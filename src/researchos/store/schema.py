"""Every table module of the store, imported once so ``metadata`` knows all tables."""

from researchos.store import (  # noqa: F401  (importing a module registers its tables)
    agent_runs,
    distill_tables,
    knowledge_tables,
    matrices,
    pipeline_tables,
    provider_tables,
    runs,
    seal,
)
from researchos.store.tables import Base

metadata = Base.metadata
