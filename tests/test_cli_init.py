"""``gdprguard init``: the one command that creates state, safely and repeatably."""

from __future__ import annotations

import io
import json
import stat
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from gdprguard.cli.main import main
from gdprguard.store import Store, data_keys

pytest_plugins = ["_store_fixtures"]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory without GDPRGUARD_HOME."""
    directory = tmp_path / "work"
    directory.mkdir()
    monkeypatch.chdir(directory)
    monkeypatch.delenv("GDPRGUARD_HOME", raising=False)
    return directory


def test_init_sets_everything_up_and_prints_the_next_three_commands(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "init", "--non-interactive")
    assert code == 0, err
    home = work / ".gdprguard"
    assert _mode(home) == 0o700
    assert _mode(home / "master.key") == 0o600 and len((home / "master.key").read_bytes()) == 32
    assert _mode(home / "pseudonym.key") == 0o600
    assert _mode(home / "gdprguard.db") == 0o600
    config = (work / "gdprguard.toml").read_text(encoding="utf-8")
    assert config.count("\n# ") > 10  # commented
    assert tomllib.loads(config)["home"] == {"path": ".gdprguard"}
    assert (work / "policies" / "default.yaml").is_file()
    with Store(f"sqlite:///{home / 'gdprguard.db'}") as store, store.session() as session:
        scopes = set(session.execute(select(data_keys.c.scope)).scalars())
    assert scopes == {"system:audit", "system:subject-index"}  # initialised, nothing else
    steps = out.split("Next:", 1)[1].strip().splitlines()
    assert len(steps) == 3
    assert "gdprguard connector add" in steps[0] and "gdprguard doctor" in steps[1]
    assert "gdprguard sweep --policy policies/default.yaml" in steps[2]
    # and the set-up works: commands that refused before now run
    code, out, err = _run(capsys, "audit", "verify")
    assert code == 0 and "audit log OK: 0 entries" in out, err


def test_init_again_changes_nothing(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "init", "--non-interactive")[0] == 0
    files = {p: p.read_bytes() for p in work.rglob("*") if p.is_file() and "-wal" not in p.name}
    policy = work / "policies" / "default.yaml"
    policy.write_text("# my edits\n", encoding="utf-8")
    code, out, err = _run(capsys, "init", "--non-interactive", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert {step["status"] for step in report["steps"]} == {"kept"}
    for path, content in files.items():
        if path.suffix != ".db" and path != policy:
            assert path.read_bytes() == content, path
    assert policy.read_text() == "# my edits\n"


def test_init_with_home_writes_it_to_the_config_so_later_commands_find_it(
    work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "state" / "gdprguard"
    code, out, err = _run(capsys, "init", "--home", str(target), "--non-interactive")
    assert code == 0, err
    assert str(target) in out and not (work / ".gdprguard").exists()
    assert tomllib.loads((work / "gdprguard.toml").read_text())["home"]["path"] == str(target)
    code, out, err = _run(capsys, "keys", "status", "--json")
    assert code == 0, err
    assert json.loads(out)["provider"]["key_file"] == str(target / "master.key")


def test_init_adds_home_to_an_existing_config_and_refuses_a_contradiction(
    work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = work / "gdprguard.toml"
    config.write_text("# mine\n[detection]\nmin_score = 0.7\n", encoding="utf-8")
    code, _, err = _run(capsys, "init", "--home", str(tmp_path / "h1"), "--non-interactive")
    assert code == 0, err
    text = config.read_text()
    assert text.startswith("# mine\n[detection]\nmin_score = 0.7\n")
    assert tomllib.loads(text)["home"]["path"] == str(tmp_path / "h1")
    code, out, err = _run(capsys, "init", "--home", str(tmp_path / "h2"), "--non-interactive")
    assert code == 2 and out == ""
    assert "[home] path" in err and "--home" in err
    assert not (tmp_path / "h2").exists()


def test_init_tightens_a_home_others_can_read(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = work / ".gdprguard"
    home.mkdir()
    home.chmod(0o755)
    code, out, _ = _run(capsys, "init", "--non-interactive")
    assert code == 0 and _mode(home) == 0o700 and "tightened to 0700" in out


def test_init_asks_on_a_terminal(
    work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    answers = io.StringIO(f"{tmp_path / 'asked'}\n\n")
    answers.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", answers)
    code, _, err = _run(capsys, "init")
    assert code == 0, err
    assert "Home directory" in err and "Database URL" in err
    assert (tmp_path / "asked" / "master.key").is_file()
    settings = tomllib.loads((work / "gdprguard.toml").read_text())
    assert settings["home"]["path"] == str(tmp_path / "asked") and "url" not in settings["store"]


def test_non_interactive_never_asks(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    silent = io.StringIO("")
    silent.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", silent)
    code, _, err = _run(capsys, "init", "--non-interactive")
    assert code == 0 and "Home directory" not in err


def test_init_on_the_configured_database(
    store_url: str, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite or PostgreSQL: `[store] url` is initialised, and commands then accept it."""
    (home / "gdprguard.toml").write_text(f'[store]\nurl = "{store_url}"\n', encoding="utf-8")
    code, _, err = _run(capsys, "keys", "status")
    assert code == 2 and "gdprguard init" in err
    code, out, err = _run(capsys, "init", "--non-interactive", "--json")
    assert code == 0, err
    database = next(s for s in json.loads(out)["steps"] if s["what"] == "database")
    assert database["status"] in ("created", "initialised")
    assert ":gdprguard_test@" not in out  # the password in the URL is never shown
    code, out, err = _run(capsys, "keys", "status", "--json")
    assert code == 0, err
    assert json.loads(out)["data_keys"] == 0
