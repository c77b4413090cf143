"""Every table module of the store, imported once so ``metadata`` knows all tables."""

from researchos.store import (  # noqa: F401  (register tables)
    distill_tables,
    pipeline_tables,
    provider_tables,
)
from researchos.store.tables import Base

metadata = Base.metadata
