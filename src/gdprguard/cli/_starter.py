"""What ``gdprguard init`` writes besides state: the commented configuration file and the
starter retention policies (copies of those shipped with the package, never invented here).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["POLICY_DIR", "config_text", "copy_starter_policies", "home_setting"]

#: the directory, next to the configuration, that ``init`` copies the shipped policies into
POLICY_DIR = "policies"

_TEMPLATE = """\
# gdprguard configuration, written by `gdprguard init`.
# Every key is described in docs/configuration.md. A secret may be written as "env:VAR_NAME":
# gdprguard then reads it from the environment when it needs it and never prints it.

[home]
# gdprguard's state: the SQLite database, the master and pseudonym keys, audit checkpoints.
# --home and $GDPRGUARD_HOME take precedence. A relative path is relative to this file.
path = {home}

[store]
# The database. Without a url: SQLite in the home. For PostgreSQL (pip install
# 'gdprguard[postgres]'), e.g. url = "env:GDPRGUARD_DB_URL" holding
# postgresql+psycopg://gdprguard:PASSWORD@db.internal/gdprguard
{store}

[keys]
# Who holds the master key: "file" (a 0600 file in the home; back it up!), "env" (a base64 key
# in $GDPRGUARD_MASTER_KEY) or "vault-transit" (HashiCorp Vault; see docs/configuration.md).
provider = "file"
# A master key retired by `gdprguard keys rotate` is destroyed only after this many days.
retired_key_grace_days = 7

[detection]
# Findings below this score are dropped (the default of --min-score).
min_score = 0.5
# The key behind `redact --operator pseudonym`; default: pseudonym.key in the home.
# pseudonym_key = "env:GDPRGUARD_PSEUDONYM_KEY"

# The web console (`gdprguard console`); its flags override these keys. See docs/console.md.
# [console]
# host = "127.0.0.1"
# port = 8081
# public_url = "https://privacy.internal.example.com"   # as browsers reach it (behind TLS)
# idle_minutes = 30                  # a session ends after this long unused
# session_hours = 12                 # and this long after sign-in, used or not
# export_ttl_hours = 24              # exports waiting for download are deleted after this
# oidc_issuer = "https://login.example.com"               # sign-in through OpenID Connect
# oidc_client_id = "gdprguard-console"
# oidc_client_secret = "env:GG_OIDC_SECRET"

# The webhook receiver (`gdprguard serve`); its flags override these keys. See docs/realtime.md.
# [serve]
# policy = "policies/default.yaml"   # whose `realtime: true` rules apply
# host = "127.0.0.1"
# port = 8080
# workers = 2
# retry_after = "auto"               # Retry-After of a 503 when the queue is full, or seconds

# Helpdesk accounts. Add them with `gdprguard connector add`, which checks the credentials and
# admin rights before it saves anything. A section looks like this:
#
# [connectors.support]
# type  = "zendesk"                  # or "freshdesk"
# url   = "https://acme.zendesk.com"
# email = "admin@acme.com"           # Zendesk API-token auth
# token = "env:ZENDESK_TOKEN"        # the Zendesk API token, or the Freshdesk API key
"""


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def home_setting(home: Path, config_dir: Path) -> str:
    """``[home] path`` for *home*: relative to the configuration's directory when inside it."""
    try:
        return str(home.relative_to(os.path.abspath(config_dir))) or "."
    except ValueError:
        return str(home)


def config_text(home_value: str, store_url: str | None) -> str:
    """The commented ``gdprguard.toml`` that ``init`` writes."""
    store = f"url = {_toml_string(store_url)}" if store_url else '# url = "env:GDPRGUARD_DB_URL"'
    return _TEMPLATE.format(home=_toml_string(home_value), store=store)


def copy_starter_policies(directory: Path) -> tuple[list[Path], Path | None]:
    """Copy the policies shipped with gdprguard into *directory*, keeping files already there.

    Returns the files written and the default policy's path in *directory* (``None`` when this
    installation ships no policies).
    """
    from ..policy import copy_shipped_policies, default_policy_path

    try:
        default_name = default_policy_path().name
    except FileNotFoundError:
        return [], None
    written = copy_shipped_policies(directory)
    return written, directory / default_name
