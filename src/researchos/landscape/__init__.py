"""The research landscape (DESIGN §4): known results, hypotheses, retracted entries and the
proposals that change them. Agents propose; only people merge, reject and retract."""

from researchos.landscape.models import LandscapeEntry, Proposal
from researchos.landscape.service import LandscapeService

__all__ = ["LandscapeEntry", "LandscapeService", "Proposal"]
