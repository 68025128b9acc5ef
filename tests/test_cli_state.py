"""Only ``gdprguard init`` creates state; every other command finds it or says to run init.

Each test here failed before: ``audit verify`` in an empty folder printed "audit log OK: 0
entries" and left a database and a master key behind, a deleted master key was silently replaced,
and ``redact --operator pseudonym`` made a new key in whatever folder it ran in.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from gdprguard.cli.main import main

pytest_plugins = ["_store_fixtures"]

RECORD = '{"id": 1, "text": "mail taro@example.jp"}\n'


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no gdprguard state and no GDPRGUARD_HOME."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("GDPRGUARD_HOME", raising=False)
    return work


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "verify"],
        ["audit", "list"],
        ["keys", "status"],
        ["keys", "rotate"],
        ["keys", "retire"],
        ["keys", "shred", "--subject", "s:1", "--yes"],
        ["backup", "bk"],
    ],
    ids=" ".join,
)
def test_commands_in_an_empty_folder_say_run_init_and_create_nothing(
    empty_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch, argv: list[str]
) -> None:
    monkeypatch.setenv("GDPRGUARD_BACKUP_PASSPHRASE", "correct horse battery staple")
    code, out, err = _run(capsys, *argv)
    assert code == 2, err
    assert out == ""
    assert "gdprguard init" in err and str(empty_dir / ".gdprguard") in err
    assert "Traceback" not in err
    assert _tree(empty_dir) == []


def test_an_existing_home_without_a_database_says_run_init(
    empty_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (empty_dir / ".gdprguard").mkdir(mode=0o700)
    code, _, err = _run(capsys, "audit", "verify")
    assert code == 2 and "no gdprguard database at" in err and "gdprguard init" in err
    assert _tree(empty_dir) == [".gdprguard"]


def test_an_uninitialised_database_says_run_init(
    empty_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gdprguard.store import Store

    home = empty_dir / ".gdprguard"
    with Store(f"sqlite:///{home / 'gdprguard.db'}"):
        pass  # a migrated, empty database: what a library user might leave behind
    code, _, err = _run(capsys, "keys", "status")
    assert code == 2 and "has not been initialised" in err and "gdprguard init" in err
    assert not (home / "master.key").exists()


def test_missing_master_key_is_an_error_naming_the_file_never_a_new_key(
    initialised_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = initialised_home / "master.key"
    key.unlink()
    for argv in (["keys", "status"], ["audit", "verify"], ["keys", "rotate"]):
        code, out, err = _run(capsys, *argv)
        assert code == 1 and out == "", argv
        assert str(key) in err and "gdprguard restore" in err and "Traceback" not in err
        assert not key.exists(), argv
    # init will not paper over it either
    code, _, err = _run(capsys, "init", "--non-interactive")
    assert code == 1 and "holds data keys" in err and "gdprguard restore" in err
    assert not key.exists()


def test_pseudonym_needs_the_home_and_gives_the_same_token_from_any_folder(
    empty_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(RECORD, encoding="utf-8")
    code, out, err = _run(capsys, "redact", str(source), "--operator", "pseudonym")
    assert code == 2 and out == "" and "gdprguard init" in err
    assert _tree(empty_dir) == []

    home = tmp_path / "state"
    assert _run(capsys, "--home", str(home), "init", "--non-interactive")[0] == 0
    monkeypatch.setenv("GDPRGUARD_HOME", str(home))
    tokens = []
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        monkeypatch.chdir(tmp_path / folder)
        code, out, err = _run(capsys, "redact", str(source), "--operator", "pseudonym")
        assert code == 0, err
        tokens.append(json.loads(out)["text"])
        assert _tree(tmp_path / folder) == []  # nothing appears where the command runs
    assert tokens[0] == tokens[1] and tokens[0].startswith("mail <EMAIL_ADDRESS_")


def test_home_is_found_by_flag_then_variable_then_config_then_default(
    empty_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    homes = {name: tmp_path / name for name in ("flag", "env", "config")}
    for name, home in homes.items():
        setup = ("--config", str(tmp_path / f"{name}.toml"), "--home", str(home))
        assert _run(capsys, *setup, "init", "--non-interactive")[0] == 0
    assert _run(capsys, "init", "--non-interactive")[0] == 0  # ./.gdprguard, config written
    config = empty_dir / "gdprguard.toml"
    assert '\npath = ".gdprguard"\n' in config.read_text()

    def key_file(*argv: str) -> str:
        code, out, err = _run(capsys, *argv, "keys", "status", "--json")
        assert code == 0, err
        return str(json.loads(out)["provider"]["key_file"])

    assert key_file() == str(empty_dir / ".gdprguard" / "master.key")
    config.write_text(config.read_text().replace('".gdprguard"', f'"{homes["config"]}"'))
    assert key_file() == str(homes["config"] / "master.key")
    monkeypatch.setenv("GDPRGUARD_HOME", str(homes["env"]))
    assert key_file() == str(homes["env"] / "master.key")
    assert key_file("--home", str(homes["flag"])) == str(homes["flag"] / "master.key")


def test_relative_home_in_config_is_relative_to_the_config_file(
    empty_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    config = etc / "g.toml"
    config.write_text('[home]\npath = "state"\n', encoding="utf-8")
    assert _run(capsys, "--config", str(config), "init", "--non-interactive")[0] == 0
    assert (etc / "state" / "master.key").is_file() and _tree(empty_dir) == []
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = _run(capsys, "--config", str(config), "audit", "verify")
    assert code == 0, err
    assert "audit log OK" in out and _tree(elsewhere) == []


def test_postgres_url_without_the_driver_says_which_extra_to_install(
    empty_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    (empty_dir / ".gdprguard").mkdir(mode=0o700)
    (empty_dir / "gdprguard.toml").write_text(
        '[store]\nurl = "postgresql+psycopg://gg:secret@127.0.0.1:9/gg"\n', encoding="utf-8"
    )
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as on an install without the extra
    for argv in (["keys", "status"], ["init", "--non-interactive"]):
        code, _, err = _run(capsys, *argv)
        assert code == 2, err
        assert "pip install 'gdprguard[postgres]'" in err and "internal error" not in err
        assert "secret" not in err


def test_restore_on_a_new_machine_needs_no_init_and_a_dry_run_creates_nothing(
    initialised_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    from gdprguard._config import load_settings
    from gdprguard.vault import Vault

    monkeypatch.setenv("GDPRGUARD_BACKUP_PASSPHRASE", "correct horse battery staple")
    with Vault.from_settings(load_settings()) as vault:
        vault.seal("r:1", b"kept safe", kind="original", subject_id="s:1")
    assert _run(capsys, "backup", str(tmp_path / "bk"))[0] == 0

    fresh = tmp_path / "new-machine"
    fresh.mkdir()
    monkeypatch.chdir(fresh)
    monkeypatch.setenv("GDPRGUARD_HOME", str(fresh / "home"))
    code, out, err = _run(capsys, "restore", str(tmp_path / "bk"), "--dry-run", "--json")
    assert code == 0, err
    assert json.loads(out)["applied"] is False and _tree(fresh) == []
    code, out, err = _run(capsys, "restore", str(tmp_path / "bk"), "--yes")
    assert code == 0, err
    assert "restored backup" in out
    assert oct((fresh / "home").stat().st_mode & 0o777) == oct(0o700)
    with Vault.from_settings(load_settings()) as vault:
        assert vault.open("r:1") == b"kept safe"
    assert _run(capsys, "audit", "verify")[0] == 0


def test_home_that_is_a_file_is_a_usage_error(
    empty_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (empty_dir / ".gdprguard").write_text("not a directory")
    code, _, err = _run(capsys, "keys", "status")
    assert code == 2 and "is not a directory" in err
