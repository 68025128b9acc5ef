"""``gdprguard policy check | explain`` end to end: exit codes, output streams, the sandbox.

``explain`` runs against the sandbox helpdesk over real HTTP, with real detection on the tickets'
text; its output must name rules, ids and entity types, never the text or the planted values.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from gdprguard.cli.main import main

sandbox = pytest.importorskip("gdprguard.sandbox")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = str(ROOT / "policies" / "default.yaml")
ANCHOR = "2026-01-01"  # the sandbox's history ends here


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- check ---------------------------------------------------------------------------------------


def test_check_a_good_policy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["policy", "check", DEFAULT], capsys)
    assert code == 0, err
    assert out.strip().endswith("ok - 9 rules (2 realtime), 1 legal hold(s)")
    code, out, _ = run(["policy", "check", DEFAULT, "--json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["ok"] is True and doc["problems"] == []
    assert doc["policy"] == {"name": "default", "rules": 9, "realtime_rules": 2, "holds": 1}


def test_check_against_helpdesk_types_and_configured_connectors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["policy", "check", DEFAULT, "--type", "freshdesk", "--json"], capsys)
    doc = json.loads(out)
    assert code == 0 and doc["checked_against"] == ["type:freshdesk"]
    messages = [p["message"] for p in doc["problems"]]
    assert any("cannot purge a single ticket" in m for m in messages)
    assert any("reply entries cannot be edited there" in m for m in messages)
    purge = next(p for p in doc["problems"] if "purge" in p["message"])
    assert (purge["line"], purge["rule"], purge["severity"]) == (91, "purge-deleted-after-30d",
                                                                  "warning")  # fmt: skip

    cfg = tmp_path / "g.toml"
    cfg.write_text(
        '[connectors.desk]\ntype = "freshdesk"\nurl = "https://acme.freshdesk.com"\n'
        'token = "env:FD_KEY"\n[connectors.support]\ntype = "zendesk"\n'
        'url = "https://acme.zendesk.com"\nemail = "a@acme.test"\ntoken = "env:ZD"\n'
    )
    code, out, _ = run(["--config", str(cfg), "policy", "check", DEFAULT], capsys)
    assert code == 0
    assert "connector desk: rule 'purge-deleted-after-30d'" in out
    assert "checked against desk, support" in out
    code, out, _ = run(["--config", str(cfg), "policy", "check", DEFAULT, "--connector",
                        "support"], capsys)  # fmt: skip
    assert code == 0 and "desk" not in out
    code, _, err = run(["--config", str(cfg), "policy", "check", DEFAULT, "--connector", "x"],
                       capsys)  # fmt: skip
    assert code == 2 and "no connector named 'x' (known: desk, support)" in err
    code, _, err = run(["policy", "check", DEFAULT, "--type", "helpscout"], capsys)
    assert code == 2 and "unknown connector type 'helpscout'" in err


def test_check_a_bad_policy_exits_2_with_positions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "version: 1\nrules:\n  - name: r\n    when: {kind: ticket, stauts: closed}\n"
        "    action: delte\n",
        encoding="utf-8",
    )
    code, out, err = run(["policy", "check", str(bad)], capsys)
    assert code == 2 and out == ""
    assert f"{bad}:4:26: error: unknown key 'stauts'" in err and "did you mean 'status'?" in err
    assert f"{bad}:5:13: error: rules[0].action: unknown action 'delte'" in err
    assert "Traceback" not in err
    code, out, err = run(["policy", "check", str(bad), "--json"], capsys)
    doc = json.loads(out)
    assert code == 2 and doc["ok"] is False
    assert [(p["line"], p["column"]) for p in doc["problems"]] == [(4, 26), (5, 13)]
    assert "error" in err
    code, _, err = run(["policy", "check", str(tmp_path / "missing.yaml")], capsys)
    assert code == 2 and "does not exist" in err


def test_check_prints_warnings_and_still_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["policy", "check", str(ROOT / "policies" / "pci-cards.yaml")], capsys)
    assert code == 0
    lines = out.strip().splitlines()
    assert len(lines) == 3 and all(": warning: " in line for line in lines[:2])
    assert lines[2].endswith("ok, 2 warning(s) - 1 rules (1 realtime), 0 legal hold(s)")


# --- explain against the sandbox ------------------------------------------------------------------


@pytest.fixture(params=["zendesk", "freshdesk"])
def helpdesk(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Any, Path]]:
    server = sandbox.SandboxServer(
        flavor=request.param, seed=5, tickets=60, port=0, job_seconds=0.0
    ).start()
    creds = server.credentials
    monkeypatch.setenv("SANDBOX_TOKEN", creds.get("token") or creds["api_key"])
    email = f'email = "{creds["email"]}"\n' if "email" in creds else ""
    cfg = tmp_path / "g.toml"
    cfg.write_text(
        f'[connectors.support]\ntype = "{request.param}"\nurl = "{creds["url"]}"\n{email}'
        'token = "env:SANDBOX_TOKEN"\n'
    )
    yield server, cfg
    server.stop()


def _pick(server: Any) -> dict[str, int]:
    """An old solved ticket, a year-old one with a card number, and a recent open one."""
    anchor = datetime.fromisoformat(ANCHOR).replace(tzinfo=UTC).timestamp()
    truth = server.ground_truth()
    cards = {p["ticket_id"] for p in truth["planted"] if p["type"] == "CREDIT_CARD"}
    with server.state.lock:
        tickets = list(server.state.live_tickets())
    age = {t.id: (anchor - t.updated_at) / 86400 for t in tickets}
    old = next(t.id for t in tickets if t.status in ("solved", "closed") and age[t.id] > 4 * 365)
    carded = next(t.id for t in tickets if t.id in cards and t.status in ("solved", "closed")
                  and 400 < age[t.id] < 2 * 365)  # fmt: skip
    recent = next(t.id for t in tickets if t.status in ("new", "open", "pending"))
    return {"old": old, "carded": carded, "recent": recent}


def _planted_values(server: Any, ticket_id: int) -> list[str]:
    return [
        p["value"] for p in server.ground_truth()["planted"]
        if p["ticket_id"] == ticket_id and len(p["value"]) > 4
    ]  # fmt: skip


def test_explain_against_the_sandbox(
    helpdesk: tuple[Any, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    server, cfg = helpdesk
    picked = _pick(server)
    base = ["--config", str(cfg), "policy", "explain", DEFAULT, "--at", ANCHOR]

    code, out, err = run([*base, "--ticket", str(picked["old"])], capsys)
    assert code == 0, err
    assert f"delete ticket {picked['old']} [rule delete-solved-after-3y" in out
    assert "redact-personal-data-after-1y (redact): superseded" in out

    code, out, err = run([*base, "--ticket", str(picked["carded"]), "--json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    actions = doc["decision"]["actions"]
    carded = [a for a in actions if "redact-card-numbers" in a["rules"]]
    assert carded, actions
    card_spec = next(s for s in carded[0]["redactions"] if s["rule"] == "redact-card-numbers")
    assert (card_spec["keep_first"], card_spec["keep_last"]) == (6, 4)
    assert any(a["rule"] == "redact-personal-data-after-1y" or
               "redact-personal-data-after-1y" in a["rules"] for a in actions)  # fmt: skip
    assert doc["decision"]["deletion_rule"] == "delete-solved-after-3y"
    assert isinstance(doc["facts"]["custom_fields"], list)  # names only, never values
    for value in _planted_values(server, picked["carded"]):
        assert value not in out, "a planted value reached the output"
    with server.state.lock:
        subject = server.state.data.tickets[picked["carded"]].subject
    assert subject not in out

    code, out, err = run([*base, "--ticket", str(picked["recent"])], capsys)
    assert code == 0, err
    assert "delete-abandoned-open-after-2y (delete): no match" in out
    assert "delete-solved-after-3y (delete): no match" in out


def test_explain_a_held_ticket_and_bad_input(
    helpdesk: tuple[Any, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    server, cfg = helpdesk
    old = _pick(server)["old"]
    with server.state.lock:
        server.state.data.tickets[old].tags.append("legal_hold")
    base = ["--config", str(cfg), "policy", "explain", DEFAULT, "--at", ANCHOR]
    code, out, err = run([*base, "--ticket", str(old)], capsys)
    assert code == 0, err
    assert "legal hold legal-hold: tagged legal_hold; no rule applies" in out
    assert "planted" not in out and "delete ticket" not in out

    code, _, err = run([*base, "--ticket", "999999"], capsys)
    assert code == 2 and "ticket 999999 does not exist on connector support" in err
    code, _, err = run([*base, "--ticket", str(old), "--connector", "nope"], capsys)
    assert code == 2 and "no connector named 'nope'" in err
    code, _, err = run(["--config", str(cfg), "policy", "explain", DEFAULT, "--ticket", "1",
                        "--at", "someday"], capsys)  # fmt: skip
    assert code == 2 and "--at 'someday' is not a date" in err


def test_explain_needs_a_connector(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["policy", "explain", DEFAULT, "--ticket", "1"], capsys)
    assert code == 2 and "no connectors configured" in err
    cfg = tmp_path / "g.toml"
    cfg.write_text(
        '[connectors.a]\ntype = "zendesk"\nurl = "https://a.test"\ntoken = "env:A"\n'
        '[connectors.b]\ntype = "zendesk"\nurl = "https://b.test"\ntoken = "env:B"\n'
    )
    code, _, err = run(["--config", str(cfg), "policy", "explain", DEFAULT, "--ticket", "1"],
                       capsys)  # fmt: skip
    assert code == 2 and "choose one with --connector NAME" in err


def test_explain_rejects_a_bad_policy_before_reading_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nrules: [{name: r, when: {kind: ticket}, action: keep}]\n")
    code, _, err = run(["policy", "explain", str(bad), "--ticket", "1"], capsys)
    assert code == 2 and f"{bad}:2:" in err and "keeps records with no age limit" in err
