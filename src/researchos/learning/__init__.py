"""The learning policy (``system/learning-policy.yaml``): agent roles and their skills,
and the ranked memory of dead ends a newcomer reads before starting on a topic."""

from researchos.learning.service import LearningService

__all__ = ["LearningService"]
