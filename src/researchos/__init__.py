"""ResearchOS: a local-first research operating system built around ARAs."""

__version__ = "0.1.0"
