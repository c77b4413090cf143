"""Human gates: which actors may decide. People are ``user:<name>``; agents never decide.

The actor comes from RESEARCHOS_ACTOR (CLI) or the request (web, with the workspace token).
An actor without a prefix is a person, as ``App.actor`` treats it.
"""

from __future__ import annotations

from researchos.errors import InputError, PermissionDenied

PERSON_PREFIX = "user:"


def normalise_actor(actor: str) -> str:
    actor = actor.strip()
    if not actor:
        raise InputError("an actor name is required", field="actor", fix="e.g. user:alice")
    return actor if ":" in actor else f"{PERSON_PREFIX}{actor}"


def is_person(actor: str) -> bool:
    return normalise_actor(actor).startswith(PERSON_PREFIX)


def require_person(actor: str, action: str) -> str:
    """The normalised actor, or PermissionDenied when it is not a person."""
    actor = normalise_actor(actor)
    if not actor.startswith(PERSON_PREFIX):
        raise PermissionDenied(
            f"{action} needs a person; {actor!r} is not a user:* actor",
            fix="a person must do this (RESEARCHOS_ACTOR=user:<name>); agents may only propose",
        )
    return actor
