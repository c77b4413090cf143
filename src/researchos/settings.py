"""The one settings model. Every setting has a default and help text; docs/settings.md lists them.

Values come from ``RESEARCHOS_*`` environment variables and a ``.env`` file in the current
directory. Nothing here is read at import time: the composition root calls ``load_settings``.
Per-phase model overrides (``RESEARCHOS_MODEL_<PHASE>``, ``RESEARCHOS_REASONING_<PHASE>``,
``RESEARCHOS_TEMP_<PHASE>``) have open-ended names, so they are captured as a mapping in
``phase_overrides`` and checked against the known phases by the routing policy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from researchos.errors import ConfigError

ENV_PREFIX = "RESEARCHOS_"
TIER_NAMES = ("FAST", "BALANCED", "STRONG")
PHASE_OVERRIDE_KINDS = ("MODEL", "REASONING", "TEMP")

DEFAULT_INTERACTIVE_BINARIES = [
    "codex",
    "claude",
    "claude-code",
    "aider",
    "cursor",
    "cursor-agent",
    "gemini",
    "goose",
    "opencode",
    "amp",
    "copilot",
    "continue",
    "cline",
    "windsurf",
]


def _secret(env_name: str, *aliases: str, help: str) -> Any:
    return Field(
        default=None,
        description=help,
        validation_alias=AliasChoices(ENV_PREFIX + env_name, *aliases),
    )


class Settings(BaseSettings):
    """ResearchOS settings; see docs/settings.md for the generated reference."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # --- workspace and store -------------------------------------------------------------
    home: Path | None = Field(
        default=None,
        description="Workspace directory. Default: the per-user data directory "
        "(e.g. ~/.local/share/researchos).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the operational store. Default: SQLite at "
        "var/researchos.db in the workspace; PostgreSQL via postgresql+psycopg://...",
    )
    actor: str = Field(
        default="user", description="Name recorded as the human actor in commits and audit events."
    )
    log_level: str = Field(
        default="WARNING", description="Log level for the console (DEBUG, INFO, WARNING, ERROR)."
    )
    log_file: bool = Field(
        default=True, description="Also write INFO-level logs to var/logs/researchos.log."
    )

    # --- providers and model policy --------------------------------------------------------
    run_mode: Literal["auto", "production", "smoke", "mock"] = Field(
        default="auto",
        description="production, smoke or mock. auto = mock when no provider key or local "
        "server is configured, production otherwise.",
    )
    smoke_mode: bool = Field(
        default=False,
        description="Force smoke mode: cheap models, reasoning dropped, max tokens clamped.",
    )
    model_fast: str | None = Field(default=None, description="Model id for the fast tier.")
    model_balanced: str | None = Field(default=None, description="Model id for the balanced tier.")
    model_strong: str | None = Field(default=None, description="Model id for the strong tier.")
    openai_api_key: SecretStr | None = _secret(
        "OPENAI_API_KEY",
        "OPENAI_API_KEY",
        help="OpenAI API key (also read from OPENAI_API_KEY). Prefer `researchos secrets set`.",
    )
    anthropic_api_key: SecretStr | None = _secret(
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_API_KEY",
        help="Anthropic API key (also read from ANTHROPIC_API_KEY). Prefer the secret store.",
    )
    openai_base_url: str = Field(
        default="https://api.openai.com/v1", description="Base URL of the OpenAI Responses API."
    )
    anthropic_base_url: str = Field(
        default="https://api.anthropic.com", description="Base URL of the Anthropic Messages API."
    )
    local_providers_file: Path | None = Field(
        default=None,
        description="YAML file declaring OpenAI-compatible servers (llama.cpp, Ollama, vLLM, "
        "LM Studio). Default: system/providers.yaml in the workspace.",
    )
    provider_timeout: float = Field(
        default=60.0, description="Seconds before a provider call times out."
    )
    provider_max_retries: int = Field(
        default=3, description="Retries on 429, 5xx and connection errors (with backoff)."
    )
    provider_retry_backoff: float = Field(
        default=0.5,
        description="Base delay in seconds of the exponential backoff between retries "
        "(doubles per retry, with jitter, at most 8 s).",
    )
    provider_retry_after_cap: float = Field(
        default=30.0,
        description="Longest wait in seconds a provider's Retry-After header may impose.",
    )
    master_key: SecretStr | None = _secret(
        "MASTER_KEY",
        "APP_MASTER_KEY",
        help="Master key for the secret store (APP_MASTER_KEY). Default: a generated key file "
        "var/secrets/master.key, mode 0600.",
    )

    # --- sandbox and executors -------------------------------------------------------------
    sandbox_runner: Literal["auto", "bwrap", "docker", "process"] = Field(
        default="auto", description="Isolation for runs; auto picks the strongest that works."
    )
    allow_unisolated: bool = Field(
        default=False, description="Allow the unisolated `process` runner (resource limits only)."
    )
    sandbox_memory: str = Field(default="8g", description="Default memory limit per run.")
    sandbox_cpus: float = Field(default=4.0, description="Default CPU limit per run.")
    sandbox_timeout: float = Field(
        default=3600.0, description="Default wall-time limit per run in seconds."
    )
    sandbox_cpu_time: float | None = Field(
        default=None,
        description="Default CPU-time limit per run in seconds. Default: wall time x CPUs.",
    )
    sandbox_processes: int = Field(
        default=256,
        description="Default limit on processes and threads per run (enforced for root too).",
    )
    sandbox_file_size: str = Field(
        default="1g", description="Default limit on the size of any one file a run writes."
    )
    sandbox_output_size: str = Field(
        default="2g",
        description="Default limit on a run's total output: stdout + stderr + files in its "
        "work directory.",
    )
    sandbox_docker_image: str = Field(
        default="python:3.11-slim",
        description="Image the docker runner uses; it needs the packages your experiments import.",
    )
    interactive_binaries: list[str] = Field(
        default_factory=lambda: list(DEFAULT_INTERACTIVE_BINARIES),
        description="Interactive coding-agent binaries the job runner refuses to spawn "
        "(JSON list).",
    )
    executor: Literal["local", "dask"] = Field(
        default="local", description="Where runs execute: a local pool or a Dask cluster."
    )
    executor_workers: int | None = Field(
        default=None, description="Size of the local pool. Default: the number of cores."
    )
    dask_address: str | None = Field(
        default=None, description="Address of the Dask scheduler (tcp://host:8786)."
    )

    # --- knowledge base --------------------------------------------------------------------
    knowledge_embedder: Literal["wordllama", "none"] = Field(
        default="wordllama",
        description="Embedder for hybrid knowledge search: wordllama (offline, needs "
        "researchos[embeddings]) or none (BM25 only).",
    )
    knowledge_stale_days: int = Field(
        default=180,
        ge=0,
        description="A knowledge page not updated for this many days is reported stale "
        "(0 = never by age).",
    )
    knowledge_duplicate_threshold: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Estimated Jaccard similarity (MinHash, word 3-shingles) at which two "
        "pages are reported as near-duplicates.",
    )
    knowledge_token_budget: int = Field(
        default=4000,
        ge=200,
        description="Default token budget of a work brief (`researchos brief`).",
    )
    knowledge_exact_vectors_max: int = Field(
        default=250_000,
        ge=0,
        description="Knowledge vector search is exact (every vector scanned in memory, about "
        "1 KB per page) up to this many pages; above it, PostgreSQL with pgvector searches an "
        "HNSW index instead (faster at that size but approximate; SQLite stays exact).",
    )
    github_token: SecretStr | None = _secret(
        "GITHUB_TOKEN",
        "GITHUB_TOKEN",
        help="GitHub token for `researchos issues ingest --live` (also read from GITHUB_TOKEN).",
    )
    github_api_url: str = Field(
        default="https://api.github.com", description="Base URL of the GitHub REST API."
    )

    # --- interfaces --------------------------------------------------------------------------
    serve_host: str = Field(default="127.0.0.1", description="Address `researchos serve` binds to.")
    serve_port: int = Field(default=8765, description="Port `researchos serve` binds to.")
    smtp_host: str | None = Field(
        default=None, description="SMTP server for approval mail; unset = write var/outbox."
    )
    smtp_port: int = Field(default=25, description="SMTP port.")
    smtp_user: str | None = Field(default=None, description="SMTP user name, if any.")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password, if any.")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS for SMTP.")
    mail_from: str = Field(
        default="researchos@localhost", description="Sender address of approval mail."
    )
    approver_email: str = Field(
        default="approver@localhost", description="Who receives approval requests."
    )

    # --- distiller ---------------------------------------------------------------------------
    distill_max_mb: int = Field(
        default=512, ge=1, description="Largest transcript `researchos distill` reads, in MB."
    )
    distill_notebook_max_mb: int = Field(
        default=64, ge=1, description="Largest Jupyter notebook the distiller reads (whole), in MB."
    )
    distill_evidence_full_mb: int = Field(
        default=8,
        ge=0,
        description="Transcripts up to this size (MB) are copied whole, redacted, into the ARA's "
        "evidence/raw/; larger ones keep only the lines that claims and traces cite.",
    )
    distill_chunk_tokens: int = Field(
        default=12000,
        ge=1000,
        description="Token budget of one distillation model call (event digest + instructions).",
    )
    distill_max_chunks: int = Field(
        default=8,
        ge=1,
        description="Most model calls per transcript; beyond that budget low-signal events "
        "(plain outputs and messages) are left out of the digest.",
    )

    @property
    def actor_ref(self) -> str:
        """The actor as recorded in commits and audit events: ``user:<name>`` unless the
        setting already names its kind (``agent:...``)."""
        return self.actor if ":" in self.actor else f"user:{self.actor}"

    def phase_overrides(self) -> dict[str, str]:
        """Per-phase overrides captured when the settings were loaded."""
        return dict(getattr(self, "_phase_overrides", {}))

    def with_phase_overrides(self, overrides: Mapping[str, str]) -> Settings:
        object.__setattr__(self, "_phase_overrides", dict(overrides))
        return self


SECRET_FIELDS = frozenset(
    name
    for name, field in Settings.model_fields.items()
    if field.annotation in (SecretStr | None, SecretStr)
)


def capture_phase_overrides(environ: Mapping[str, str]) -> dict[str, str]:
    """Collect RESEARCHOS_{MODEL,REASONING,TEMP}_<PHASE> variables (tiers excluded)."""
    found: dict[str, str] = {}
    for key, value in environ.items():
        for kind in PHASE_OVERRIDE_KINDS:
            prefix = f"{ENV_PREFIX}{kind}_"
            if key.startswith(prefix) and key[len(prefix) :] not in TIER_NAMES:
                found[key[len(ENV_PREFIX) :]] = value
    return found


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment (and ``.env``), with keyword overrides on top."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        raise ConfigError(
            f"setting {ENV_PREFIX}{field.upper()}: {first['msg']}",
            fix=f"correct or unset {ENV_PREFIX}{field.upper()} (see docs/settings.md)",
        ) from None
    return settings.with_phase_overrides(capture_phase_overrides(os.environ))


def masked(settings: Settings) -> dict[str, Any]:
    """Settings as a JSON-safe dict with every secret reduced to a masked preview."""
    out: dict[str, Any] = {}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            out[name] = mask_secret(value.get_secret_value())
        elif isinstance(value, Path):
            out[name] = str(value)
        else:
            out[name] = value
    return out


def mask_secret(value: str | None) -> str | None:
    """Show only enough of a secret to recognise it: 'sk-…a1b2'."""
    if not value:
        return None
    if len(value) <= 8:
        return "****"
    return f"{value[:3]}…{value[-4:]}"
