"""Configuration loading, env: secrets and the state directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gdprguard._config import ConnectorConfig, Settings, load_settings, resolve_secret
from gdprguard._exceptions import ConfigError, KeyProviderError
from gdprguard._home import home_dir, load_or_create_secret_file


def test_defaults_without_a_file(_isolated_home: Path) -> None:
    settings = load_settings()
    assert settings == Settings()
    assert settings.store.resolved_url().startswith("sqlite:///")
    assert str(_isolated_home.resolve()) in settings.store.resolved_url()


def test_loads_toml_from_working_directory(_isolated_home: Path) -> None:
    (_isolated_home / "gdprguard.toml").write_text(
        '[connectors.support]\ntype = "zendesk"\nurl = "http://127.0.0.1:8765/"\n'
        'email = "admin@example.test"\ntoken = "env:ZD_TOKEN"\n'
    )
    settings = load_settings()
    conn = settings.connectors["support"]
    assert conn.url == "http://127.0.0.1:8765"  # trailing slash normalised
    assert conn.token == "env:ZD_TOKEN"  # not resolved at parse time


def test_explicit_path_and_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "other.toml"
    cfg.write_text("[detection]\nmin_score = 0.7\n")
    assert load_settings(cfg).detection.min_score == 0.7
    monkeypatch.setenv("GDPRGUARD_CONFIG", str(cfg))
    assert load_settings().detection.min_score == 0.7


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[store\nurl=1", "not valid TOML"),
        ("[detection]\nmin_score = 3\n", "[detection.min_score]"),
        ("[unknown]\nx = 1\n", "[unknown]"),
        ('[connectors.a]\ntype="zendesk"\nurl="acme.zendesk.com"\ntoken="x"\n', "https://"),
    ],
)
def test_invalid_config_names_the_problem(tmp_path: Path, content: str, fragment: str) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text(content)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert fragment in str(err.value)
    assert str(cfg) in str(err.value)


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_resolve_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GG_SECRET", "s3cr3t-value")
    assert resolve_secret("env:GG_SECRET") == "s3cr3t-value"
    assert resolve_secret("literal") == "literal"
    monkeypatch.delenv("GG_SECRET")
    with pytest.raises(ConfigError) as err:
        resolve_secret("env:GG_SECRET", where="[connectors.x] token")
    assert "GG_SECRET" in str(err.value) and "[connectors.x] token" in str(err.value)
    with pytest.raises(ConfigError):
        resolve_secret("env:")


def test_connector_config_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError):
        ConnectorConfig.model_validate(
            {"type": "zendesk", "url": "https://a.zendesk.com", "token": "t", "bogus": 1}
        )


def test_home_dir_created_private(_isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = _isolated_home / "nested" / "home"
    monkeypatch.setenv("GDPRGUARD_HOME", str(target))
    assert home_dir() == target
    assert target.is_dir()
    assert oct(target.stat().st_mode & 0o777) == oct(0o700)


def test_secret_file_created_0600_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "k" / "master.key"
    first = load_or_create_secret_file(path)
    assert len(first) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_secret_file(path) == first


def test_secret_file_with_wide_permissions_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    load_or_create_secret_file(path)
    os.chmod(path, 0o644)
    with pytest.raises(KeyProviderError, match="chmod 600"):
        load_or_create_secret_file(path)


def test_secret_file_of_wrong_length_refused(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    path.write_bytes(b"short")
    os.chmod(path, 0o600)
    with pytest.raises(KeyProviderError, match="expected 32"):
        load_or_create_secret_file(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "[detection]\nmin_scor = 0.3\n",
            "[detection] has no key 'min_scor'; did you mean 'min_score'?",
        ),
        (
            "[detecton]\nmin_score = 0.3\n",
            "[detecton] is not a known section; did you mean 'detection'?",
        ),
        (
            '[connectors.a]\ntype = "zendesk"\nurl = "https://a.test"\ntokn = "env:T"\n',
            "[connectors.a] has no key 'tokn'; did you mean 'token'?",
        ),
        ('[keys]\nprovidr = "env"\n', "did you mean 'provider'?"),
        (
            '[connectors.a]\ntype = "zendesk"\nurl = "https://a.test"\n',
            "[connectors.a] needs the key 'token'",
        ),
    ],
)
def test_config_typos_suggest_the_nearest_key(tmp_path: Path, content: str, expected: str) -> None:
    cfg = tmp_path / "g.toml"
    cfg.write_text(content)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert expected in str(err.value)
    assert "Extra inputs are not permitted" not in str(err.value)


def test_unrelated_unknown_key_lists_the_known_ones(tmp_path: Path) -> None:
    cfg = tmp_path / "g.toml"
    cfg.write_text("[detection]\nzzz = 1\n")
    with pytest.raises(ConfigError) as err:
        load_settings(cfg)
    assert "did you mean" not in str(err.value)
    assert "(known: spacy_model, pseudonym_key, min_score)" in str(err.value)


def test_home_path_in_config_is_relative_to_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "etc" / "g.toml"
    cfg.parent.mkdir()
    cfg.write_text('[home]\npath = "state"\n')
    assert load_settings(cfg).home.path == str(tmp_path / "etc" / "state")
    cfg.write_text(f'[home]\npath = "{tmp_path / "abs"}"\n')
    assert load_settings(cfg).home.path == str(tmp_path / "abs")
    assert load_settings(tmp_path / "etc" / "g.toml").store.url is None


def test_choose_home_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gdprguard._home import choose_home

    monkeypatch.delenv("GDPRGUARD_HOME")
    monkeypatch.chdir(tmp_path)
    assert choose_home().path == tmp_path / ".gdprguard" and choose_home().is_default
    assert choose_home(None, tmp_path / "c").path == tmp_path / "c"
    monkeypatch.setenv("GDPRGUARD_HOME", "env-home")
    assert choose_home(None, tmp_path / "c").path == tmp_path / "env-home"
    assert choose_home(Path("flag"), tmp_path / "c").path == tmp_path / "flag"
    assert not (tmp_path / ".gdprguard").exists()
