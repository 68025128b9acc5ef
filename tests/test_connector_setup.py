"""The connector set-up service and the configuration-file edits behind it: what both
``gdprguard connector add`` and the console's admin pages run."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from gdprguard._config_file import (
    validated_settings,
    with_table_removed,
    with_value_set,
    write_atomically,
)
from gdprguard._exceptions import ConfigError, UsageError
from gdprguard.connectors.setup import (
    Wording,
    connector_config,
    connector_file_text,
    connector_removed_text,
    validate_token_reference,
)

HAND_WRITTEN = """\
# my settings
[detection]
min_score = 0.6  # fewer false positives

[connectors.support]
type = "zendesk"
url = "https://acme.zendesk.com"
token = "env:ZD_TOKEN"

# the Japanese desk
[connectors."jp-desk"]
type = "freshdesk"
url = "https://acme.freshdesk.com"
token = "env:FD_KEY"
"""


def test_removing_a_connector_keeps_the_rest_of_the_file_and_its_comments(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    text = connector_removed_text(path, "support")
    assert "[connectors.support]" not in text
    assert text.startswith("# my settings\n[detection]\nmin_score = 0.6  # fewer false positives\n")
    assert '# the Japanese desk\n[connectors."jp-desk"]' in text and "\n\n\n" not in text
    assert set(validated_settings(path, text).connectors) == {"jp-desk"}
    quoted = connector_removed_text(path, "jp-desk")  # a quoted name, the last table
    assert "jp-desk" not in quoted and "# the Japanese desk" in quoted
    assert set(validated_settings(path, quoted).connectors) == {"support"}


def test_removing_an_unknown_connector_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"no connector named 'nope' .*known: jp-desk, support"):
        connector_removed_text(path, "nope")


def test_a_layout_the_text_edit_does_not_know_is_rewritten_with_every_value(
    tmp_path: Path,
) -> None:
    path = tmp_path / "g.toml"
    inline = (
        "[connectors]\n"
        'support = { type = "zendesk", url = "https://a.zendesk.com", token = "env:A" }\n'
        'other = { type = "zendesk", url = "https://b.zendesk.com", token = "env:B" }\n'
    )
    text = with_table_removed(path, inline, ("connectors", "support"))
    assert tomllib.loads(text) == {
        "connectors": {
            "other": {"type": "zendesk", "url": "https://b.zendesk.com", "token": "env:B"}
        }
    }


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", '[dsar]\npolicy = "policies/x.yaml"\n'),
        ("# c\n[dsar]\ncontroller = \"ACME\"\n",
         '# c\n[dsar]\npolicy = "policies/x.yaml"\ncontroller = "ACME"\n'),
        ('[dsar]\npolicy = "old.yaml"  # was\n[keys]\nprovider = "file"\n',
         '[dsar]\npolicy = "policies/x.yaml"\n[keys]\nprovider = "file"\n'),
        ('[keys]\nprovider = "file"\n',
         '[keys]\nprovider = "file"\n\n[dsar]\npolicy = "policies/x.yaml"\n'),
    ],
)  # fmt: skip
def test_setting_a_value_edits_the_text_in_place(tmp_path: Path, before: str, after: str) -> None:
    assert with_value_set(tmp_path / "g.toml", before, "dsar", "policy", "policies/x.yaml") == after


def test_setting_a_value_over_dotted_keys_falls_back_to_a_rewrite(tmp_path: Path) -> None:
    text = with_value_set(tmp_path / "g.toml", 'dsar.policy = "a.yaml"\n', "dsar", "policy", "b")
    assert tomllib.loads(text) == {"dsar": {"policy": "b"}}


def test_an_edit_that_would_make_the_file_invalid_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[dsar\] has no key 'polcy'; did you mean 'policy'"):
        with_value_set(tmp_path / "g.toml", "", "dsar", "polcy", "x")


def test_the_write_is_atomic_and_keeps_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o600)
    write_atomically(path, "new\n")
    assert path.read_text(encoding="utf-8") == "new\n" and path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["g.toml"]  # no temporary file left


def test_messages_name_the_inputs_of_the_front_end_that_asks(tmp_path: Path) -> None:
    form = Wording(field="the {name} field", token_example="env:X in the token field",
                   replace="tick Replace")  # fmt: skip
    with pytest.raises(UsageError, match=r"the url field: .*must start with https://"):
        connector_config("s", "zendesk", "acme.zendesk.com", None, "env:T", wording=form)
    with pytest.raises(UsageError, match=r"--url: .*must start with https://"):
        connector_config("s", "zendesk", "acme.zendesk.com", None, "env:T")
    with pytest.raises(UsageError, match="env:X in the token field") as caught:
        validate_token_reference("s3cret-literal", form)
    assert "s3cret-literal" not in str(caught.value)
    path = tmp_path / "g.toml"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    cfg = connector_config("support", "zendesk", "https://acme.zendesk.com", None, "env:T")
    with pytest.raises(UsageError, match=r"already exists .*; tick Replace"):
        connector_file_text(path, "support", cfg, replace=False, wording=form)
    with pytest.raises(UsageError, match="pass --replace to overwrite it"):
        connector_file_text(path, "support", cfg, replace=False)


def test_plain_http_off_this_machine_is_refused_unless_allowed() -> None:
    with pytest.raises(ConfigError, match="not this machine's loopback"):
        connector_config("s", "zendesk", "http://desk.internal", None, "env:T")
    allowed = connector_config(
        "s", "zendesk", "http://desk.internal", None, "env:T", allow_insecure_http=True
    )
    assert allowed.allow_insecure_http
