"""Every table module of the store, imported once so ``metadata`` knows all tables."""

from researchos.store import pipeline_tables  # noqa: F401  (registers its tables)
from researchos.store.tables import Base

metadata = Base.metadata
