"""``gdprguard connector add | test | list``: config writing, secrets, exit codes and messages."""

from __future__ import annotations

import json
import socket
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gdprguard.cli.main import main
from test_connectors_http import Reply, Seen, Stub


@pytest.fixture
def stub_factory() -> Iterator[Callable[..., Stub]]:
    """Loopback helpdesk stubs (the scripted server of test_connectors_http), closed afterwards."""
    stubs: list[Stub] = []
    yield lambda script: stubs.append(Stub(script)) or stubs[-1]
    for stub in stubs:
        stub.close()


ME_ADMIN = {"user": {"id": 7, "name": "Admin", "role": "admin"}}
ME_AGENT = {"user": {"id": 8, "name": "Agent", "role": "agent"}}


def zendesk_stub(me: dict | None = None, status: int = 200) -> Callable[[Seen], Reply]:
    def answer(seen: Seen) -> Reply:
        if seen.path.startswith("/api/v2/users/me"):
            return Reply(status, me if status == 200 else {"error": "Couldn't authenticate you"})
        return Reply(404, {"error": "InvalidEndpoint"})

    return answer


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_add_writes_section_tests_it_and_keeps_the_rest_of_the_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stub_factory: Callable[..., Stub],
) -> None:
    stub = stub_factory(zendesk_stub(ME_ADMIN))
    cfg = tmp_path / "g.toml"
    cfg.write_text("# my settings\n[detection]\nmin_score = 0.6\n")
    monkeypatch.setenv("ZD_TOKEN", "s3cret-token-value")
    code, out, err = run(
        ["--config", str(cfg), "connector", "add", "support", "--type", "zendesk",
         "--url", stub.url, "--email", "admin@example.test", "--token", "env:ZD_TOKEN", "--json"],
        capsys,
    )  # fmt: skip
    assert code == 0, err
    text = cfg.read_text()
    assert text.startswith("# my settings\n[detection]\nmin_score = 0.6\n")
    data = tomllib.loads(text)
    assert data["connectors"]["support"] == {
        "type": "zendesk", "url": stub.url, "email": "admin@example.test", "token": "env:ZD_TOKEN",
    }  # fmt: skip
    result = json.loads(out)
    assert result["is_admin"] is True and result["user_id"] == "7"
    assert "s3cret-token-value" not in out + err + text
    assert stub.seen[0].headers["Authorization"].startswith("Basic ")

    # A second add with the same name is refused; --replace overwrites it.
    code, _, err = run(
        ["--config", str(cfg), "connector", "add", "support", "--type", "zendesk",
         "--url", stub.url, "--token", "env:ZD_TOKEN", "--no-test"], capsys,
    )  # fmt: skip
    assert code == 2 and "--replace" in err
    code, _, err = run(
        ["--config", str(cfg), "connector", "add", "support", "--type", "zendesk",
         "--url", stub.url, "--token", "env:ZD_TOKEN", "--no-test", "--replace"], capsys,
    )  # fmt: skip
    assert code == 0, err
    data = tomllib.loads(cfg.read_text())
    assert "email" not in data["connectors"]["support"] and data["detection"]["min_score"] == 0.6


def test_add_refuses_a_literal_token(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "g.toml"
    code, out, err = run(
        ["--config", str(cfg), "connector", "add", "support", "--type", "zendesk",
         "--url", "https://acme.zendesk.com", "--token", "abcd1234literal"], capsys,
    )  # fmt: skip
    assert code == 2
    assert "env:" in err and "abcd1234literal" not in out + err
    assert not cfg.exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--type", "helpscout", "--url", "https://x.test"], "known types"),
        (["--type", "zendesk", "--url", "acme.zendesk.com"], "https://"),
    ],
)
def test_add_rejects_bad_type_and_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    code, _, err = run(
        ["--config", str(tmp_path / "g.toml"), "connector", "add", "s", *args,
         "--token", "env:T", "--no-test"], capsys,
    )  # fmt: skip
    assert code == 2 and needle in err and "Traceback" not in err


def write_config(path: Path, url: str, connector_type: str = "zendesk") -> None:
    path.write_text(
        f'[connectors.support]\ntype = "{connector_type}"\nurl = "{url}"\n'
        'email = "admin@example.test"\ntoken = "env:ZD_TOKEN"\n'
    )


@pytest.mark.parametrize(
    ("me", "status", "needle"),
    [
        (ME_AGENT, 200, "lacks admin rights"),
        (None, 401, "rejected the credentials (401)"),
        (None, 403, "(403)"),
    ],
)
def test_test_fails_with_exit_1_and_a_clear_reason(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stub_factory: Callable[..., Stub],
    me: dict | None,
    status: int,
    needle: str,
) -> None:
    stub = stub_factory(zendesk_stub(me, status))
    cfg = tmp_path / "g.toml"
    write_config(cfg, stub.url)
    monkeypatch.setenv("ZD_TOKEN", "s3cret-token-value")
    code, out, err = run(["--config", str(cfg), "connector", "test", "support"], capsys)
    assert code == 1
    assert needle in err and "s3cret" not in out + err and "Traceback" not in err


def test_test_reports_unreachable_hosts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ZD_TOKEN", "t")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    cfg = tmp_path / "g.toml"
    for url, needle in [
        (f"http://127.0.0.1:{port}", "refused"),
        ("https://no-such-host.invalid", "DNS"),
    ]:
        write_config(cfg, url)
        code, _, err = run(["--config", str(cfg), "connector", "test", "support"], capsys)
        assert code == 1 and needle in err, err


def test_test_of_a_non_helpdesk_url_says_so(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stub_factory: Callable[..., Stub],
) -> None:
    stub = stub_factory(lambda seen: Reply(404, raw=b"<h1>nope</h1>", content_type="text/html"))
    cfg = tmp_path / "g.toml"
    write_config(cfg, stub.url)
    monkeypatch.setenv("ZD_TOKEN", "t")
    code, _, err = run(["--config", str(cfg), "connector", "test", "support"], capsys)
    assert code == 1 and "does not look like a zendesk helpdesk" in err


def test_test_unknown_name_or_unset_secret_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "g.toml"
    write_config(cfg, "http://127.0.0.1:9")
    code, _, err = run(["--config", str(cfg), "connector", "test", "nope"], capsys)
    assert code == 2 and "known: support" in err
    monkeypatch.delenv("ZD_TOKEN", raising=False)
    code, _, err = run(["--config", str(cfg), "connector", "test", "support"], capsys)
    assert code == 2 and "ZD_TOKEN" in err


def test_list_json_and_human_never_show_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "g.toml"
    cfg.write_text(
        '[connectors.a]\ntype = "zendesk"\nurl = "https://a.test"\nemail = "x@a.test"\n'
        'token = "env:A_TOKEN"\n[connectors.b]\ntype = "freshdesk"\nurl = "https://b.test"\n'
        'token = "literal-key-123"\n'
    )
    monkeypatch.setenv("A_TOKEN", "zzz-secret")
    code, out, _ = run(["--config", str(cfg), "connector", "list", "--json"], capsys)
    assert code == 0
    rows = json.loads(out)["connectors"]
    assert [(r["name"], r["type"], r["token_status"]) for r in rows] == [
        ("a", "zendesk", "set"), ("b", "freshdesk", "literal"),
    ]  # fmt: skip
    code, out, err = run(["--config", str(cfg), "connector", "list"], capsys)
    assert code == 0 and "a\tzendesk\thttps://a.test" in out
    assert "literal-key-123" not in out + err and "zzz-secret" not in out + err


@pytest.mark.parametrize(
    ("me", "status", "needle"), [(None, 401, "(401)"), (ME_AGENT, 200, "lacks admin rights")]
)
def test_add_saves_nothing_when_the_check_fails(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stub_factory: Callable[..., Stub],
    me: dict | None,
    status: int,
    needle: str,
) -> None:
    stub = stub_factory(zendesk_stub(me, status))
    cfg = tmp_path / "g.toml"
    cfg.write_text("# mine\n")
    monkeypatch.setenv("ZD_TOKEN", "t")
    argv = [
        "--config", str(cfg), "connector", "add", "support", "--type", "zendesk",
        "--url", stub.url, "--email", "admin@example.test", "--token", "env:ZD_TOKEN",
    ]  # fmt: skip
    code, out, err = run(argv, capsys)
    assert code == 1 and out == ""
    assert needle in err and "nothing was saved" in err and "--no-test" in err
    assert cfg.read_text() == "# mine\n"
    code, out, err = run([*argv, "--no-test"], capsys)  # saving without the check is explicit
    assert code == 0, err
    assert "saved [connectors.support]" in out
    assert "support" in tomllib.loads(cfg.read_text())["connectors"]


def test_add_with_an_unset_token_variable_saves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ZD_TOKEN", raising=False)
    cfg = tmp_path / "g.toml"
    code, _, err = run(
        ["--config", str(cfg), "connector", "add", "support", "--type", "zendesk",
         "--url", "https://acme.zendesk.com", "--token", "env:ZD_TOKEN"], capsys,
    )  # fmt: skip
    assert code == 2 and "ZD_TOKEN" in err and not cfg.exists()


def test_test_prints_its_result_on_stdout(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stub_factory: Callable[..., Stub],
) -> None:
    stub = stub_factory(zendesk_stub(ME_ADMIN))
    cfg = tmp_path / "g.toml"
    write_config(cfg, stub.url)
    monkeypatch.setenv("ZD_TOKEN", "t")
    code, out, err = run(["--config", str(cfg), "connector", "test", "support"], capsys)
    assert code == 0 and err == ""
    assert out.startswith("connector support: ok (user 7, role admin")


def test_remove_drops_only_that_section_and_keeps_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "g.toml"
    cfg.write_text(
        '# our helpdesks\n[connectors.a]\ntype = "zendesk"\nurl = "https://a.test"\n'
        'email = "x@a.test"\ntoken = "env:A_TOKEN"\n\n# the second one\n[connectors.b]\n'
        'type = "freshdesk"\nurl = "https://b.test"\ntoken = "env:B_TOKEN"\n'
    )
    code, out, err = run(["--config", str(cfg), "connector", "remove", "a", "--json"], capsys)
    assert code == 0, err
    assert json.loads(out) == {"name": "a", "config": str(cfg), "removed": True}
    text = cfg.read_text()
    assert list(tomllib.loads(text)["connectors"]) == ["b"]
    assert "# the second one" in text and "a.test" not in text
    code, out, err = run(["--config", str(cfg), "connector", "remove", "a"], capsys)
    assert code == 2 and "no connector named 'a'" in err and "known: b" in err
    assert tomllib.loads(cfg.read_text())["connectors"].keys() == {"b"}


def test_remove_without_a_configuration_file_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "absent.toml"
    code, _, err = run(["--config", str(missing), "connector", "remove", "a"], capsys)
    assert code == 2 and "no configuration file" in err and "nothing to remove" in err
    assert not missing.exists()
