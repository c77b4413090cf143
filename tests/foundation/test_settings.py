from pathlib import Path

import pytest

from researchos.cli.docs import settings_markdown
from researchos.errors import ConfigError
from researchos.settings import Settings, load_settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_setting_is_documented():
    text = (DOCS / "settings.md").read_text("utf-8")
    missing = [name for name in Settings.model_fields if f"RESEARCHOS_{name.upper()}" not in text]
    assert not missing, f"undocumented settings: {missing}; run `researchos docs build`"


def test_settings_docs_are_current():
    assert (DOCS / "settings.md").read_text("utf-8") == settings_markdown(), (
        "docs/settings.md is stale; run `researchos docs build`"
    )


def test_every_setting_has_help_text():
    assert all(field.description for field in Settings.model_fields.values())


def test_env_and_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("RESEARCHOS_SANDBOX_TIMEOUT=12\n")
    monkeypatch.setenv("RESEARCHOS_ACTOR", "alice")
    monkeypatch.setenv("APP_MASTER_KEY", "m" * 32)
    settings = load_settings()
    assert settings.sandbox_timeout == 12
    assert settings.actor == "alice"
    assert settings.master_key.get_secret_value() == "m" * 32


def test_bad_value_names_the_variable(monkeypatch):
    monkeypatch.setenv("RESEARCHOS_SERVE_PORT", "not-a-port")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "RESEARCHOS_SERVE_PORT" in str(info.value)


def test_phase_overrides_are_captured(monkeypatch):
    monkeypatch.setenv("RESEARCHOS_MODEL_DRAFTING", "gpt-x")
    monkeypatch.setenv("RESEARCHOS_TEMP_REVIEW", "0.2")
    monkeypatch.setenv("RESEARCHOS_MODEL_FAST", "small")
    settings = load_settings()
    assert settings.phase_overrides() == {"MODEL_DRAFTING": "gpt-x", "TEMP_REVIEW": "0.2"}
    assert settings.model_fast == "small"


def test_config_show_masks_secrets(cli, monkeypatch):
    key = "sk-proj-" + "A1b2C3d4E5f6G7h8I9j0" * 2
    monkeypatch.setenv("OPENAI_API_KEY", key)
    result = cli("config", "show", "--json")
    assert result.code == 0
    assert key not in result.out
    assert '"openai_api_key": "sk-…' in result.out
    table = cli("config", "show")
    assert key not in table.out and key[-12:] not in table.out
