"""Every table module of the store, imported once so ``metadata`` knows all tables."""

from researchos.store import pipeline_tables, provider_tables  # noqa: F401  (register tables)
from researchos.store.tables import Base

metadata = Base.metadata
