"""``[serve]``: the webhook receiver's settings in the configuration file, its flags winning."""

from __future__ import annotations

from pathlib import Path

import pytest

from gdprguard._config import ServeConfig
from gdprguard.cli._common import with_flags
from gdprguard.cli.main import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_flag_wins_and_an_absent_flag_keeps_the_file_s_key() -> None:
    section = ServeConfig(policy="p.yaml", port=9000, workers=4, retry_after="15")
    merged = with_flags(section, port=8088, workers=None, retry_after=None, policy=None)
    assert (merged.port, merged.workers, merged.retry_after, merged.policy) == (
        8088, 4, "15", "p.yaml",
    )  # fmt: skip
    assert ServeConfig().retry_after == "auto" and ServeConfig(retry_after="AUTO").retry_after == (
        "auto"
    )


def test_the_policy_comes_from_the_file_when_no_flag_names_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "gdprguard.toml"
    config.write_text('[serve]\npolicy = "nowhere/realtime.yaml"\nport = 9090\n')
    code, _, err = run(["--config", str(config), "serve"], capsys)
    assert code == 2 and "policy file nowhere/realtime.yaml does not exist" in err
    code, _, err = run(["--config", str(config), "serve", "--policy", "elsewhere.yaml"], capsys)
    assert code == 2 and "policy file elsewhere.yaml does not exist" in err


def test_without_a_policy_anywhere_it_says_how_to_name_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "gdprguard.toml"
    config.write_text("[serve]\nport = 9090\n")
    code, _, err = run(["--config", str(config), "serve"], capsys)
    assert code == 2 and "pass --policy FILE" in err and "[serve] policy" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[serve]\nretry_after = "soon"\n', "[serve.retry_after]"),
        ("[serve]\nprot = 9090\n", "did you mean 'port'?"),
        ("[serve]\nworkers = 0\n", "[serve.workers]"),
    ],
)
def test_a_bad_serve_section_is_a_clear_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, needle: str
) -> None:
    config = tmp_path / "gdprguard.toml"
    config.write_text(text)
    code, _, err = run(["--config", str(config), "serve", "--policy", "x.yaml"], capsys)
    assert code == 2 and needle in err and "Traceback" not in err
