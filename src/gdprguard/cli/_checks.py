"""The checks behind ``gdprguard doctor``: each returns what it found and, for a problem, the fix.

Checks only read: no home, database, key or file is created or changed, and a database is opened
without migrating it. Later checks that depend on an earlier one (the database on the
configuration, the vault on the database) are skipped when it failed.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import stat
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from .._config import Settings, find_config_path, load_settings, resolve_secret
from .._exceptions import GdprGuardError
from .._home import PSEUDONYM_KEY_FILE, HomeChoice, read_secret_file

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["Check", "Status", "run_checks"]

Status = Literal["ok", "info", "warn", "fail", "skip"]

_EN_PROBE = ("Please write to jane.doe@example.com", "EMAIL_ADDRESS")
_JA_PROBE = ("山田太郎様、ご連絡ください。", "PERSON")
#: the module whose presence means an optional extra is installed, and what it is for
_EXTRA_PROBES = {"postgres": ("psycopg", "PostgreSQL as the store ([store] url)")}


class Check(BaseModel):
    """One line of the doctor's report."""

    name: str
    status: Status
    message: str
    fix: str = ""


def _ok(name: str, message: str) -> Check:
    return Check(name=name, status="ok", message=message)


def _fail(name: str, message: str, fix: str) -> Check:
    return Check(name=name, status="fail", message=message, fix=fix)


def run_checks(
    config_path: Path | None, home: HomeChoice | None, *, connectors: bool = True
) -> Iterator[Check]:
    """Every check, in order; *home* is ``None`` when it cannot be known (configuration broken)."""
    settings, check = _configuration(config_path)
    yield check
    if settings is None or home is None:
        for name in ("home", "master key", "database", "connectors", "detection"):
            yield Check(name=name, status="skip", message="the configuration does not load")
        yield from _extras(None)
        return
    home_ok = yield from _home(home)
    yield from _master_key(settings, home.path, home_ok)
    yield _pseudonym_key(settings, home.path, home_ok)
    yield from _database(settings, home.path, home_ok)
    if connectors:
        yield from _connectors(settings)
    yield _detection(settings)
    yield from _extras(settings)


def _configuration(explicit: Path | None) -> tuple[Settings | None, Check]:
    path = find_config_path(explicit)
    try:
        settings = load_settings(explicit)
    except GdprGuardError as exc:
        fix = "correct the file; docs/configuration.md describes every key"
        if path is not None and not path.exists():
            fix = "run `gdprguard init` to write one, or point --config at the right file"
        return None, _fail("configuration", str(exc), fix)
    if path is None:
        return settings, Check(
            name="configuration",
            status="warn",
            message="no gdprguard.toml here: running on embedded defaults",
            fix="run `gdprguard init` to write a commented one",
        )
    count = len(settings.connectors)
    return settings, _ok(
        "configuration", f"{path} is valid ({count} connector{'s' if count != 1 else ''})"
    )


def _home(choice: HomeChoice) -> Generator[Check, None, bool]:
    path = choice.path
    if not path.is_dir():
        yield _fail(
            "home",
            f"no gdprguard home at {path} (from {choice.source})",
            "run `gdprguard init`, or point --home / $GDPRGUARD_HOME at the existing home",
        )
        return False
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        yield _fail(
            "home",
            f"{path} has mode {mode:04o}: other users can list or enter it",
            f"chmod 700 {path}",
        )
        return True
    yield _ok("home", f"{path} (from {choice.source}), mode {mode:04o}")
    return True


def _master_key(settings: Settings, home: Path, home_ok: bool) -> Iterator[Check]:
    from ..vault import FileKeyProvider, provider_from_settings

    keys = settings.keys
    if keys.provider == "file" and not home_ok and not keys.file:
        yield Check(name="master key", status="skip", message="no home")
        return
    try:
        provider = provider_from_settings(keys, create=False)
        key_ids = provider.key_ids()
    except GdprGuardError as exc:
        fix = "restore the key file from backup (`gdprguard restore DIR`), or run `gdprguard init`"
        if keys.provider == "env":
            fix = f"export {keys.env} with the base64 master key"
        elif keys.provider == "vault-transit":
            fix = "check [keys] vault_url, the token and its transit policy (docs/configuration.md)"
        elif (chmod := re.search(r"`(chmod [^`]+)`", str(exc))) is not None:
            fix = chmod.group(1)
        yield _fail("master key", str(exc), fix)
        return
    where = provider.describe()
    place = where.get("key_file") or where.get("variable") or where.get("provider", "")
    if isinstance(provider, FileKeyProvider):
        place = f"{provider.path} (mode 0600)"
    retired = len(key_ids) - 1
    extra = ""
    if retired:
        extra = f", {retired} older key{'s' if retired != 1 else ''} kept until rotation ends"
    yield _ok("master key", f"{keys.provider} provider: {place}{extra}")


def _pseudonym_key(settings: Settings, home: Path, home_ok: bool) -> Check:
    configured = settings.detection.pseudonym_key
    if configured:
        try:
            resolve_secret(configured, where="[detection] pseudonym_key")
        except GdprGuardError as exc:
            return _fail("pseudonym key", str(exc), "export the variable it names")
        return _ok("pseudonym key", "from [detection] pseudonym_key")
    if not home_ok:
        return Check(name="pseudonym key", status="skip", message="no home")
    path = home / PSEUDONYM_KEY_FILE
    try:
        read_secret_file(path)
    except FileNotFoundError:
        return Check(
            name="pseudonym key",
            status="warn",
            message=f"{path} is missing: `redact --operator pseudonym` cannot run",
            fix="run `gdprguard init` (it adds the key and keeps everything else)",
        )
    except GdprGuardError as exc:
        return _fail("pseudonym key", str(exc), f"chmod 600 {path}, or restore it from backup")
    return _ok("pseudonym key", f"{path} (mode 0600)")


def _head_revision() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ..store import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def _database(settings: Settings, home: Path, home_ok: bool) -> Iterator[Check]:
    from ..store import Store
    from ._state import inspect_store, require_driver, sqlite_file

    try:
        url = settings.store.resolved_url()
        require_driver(url)
    except GdprGuardError as exc:
        fix = "install the extra it names" if "pip install" in str(exc) else "fix [store] url"
        yield _fail("database", str(exc), fix)
        return
    path = sqlite_file(url)
    if path is not None and not path.exists():
        yield _fail(
            "database",
            f"no database at {path}",
            "run `gdprguard init` (or `gdprguard restore DIR` if it was lost)",
        )
        return
    try:
        store = Store(url, migrate=False)
    except GdprGuardError as exc:
        yield _fail("database", str(exc), "fix [store] url")
        return
    with store:
        where = str(path) if path is not None else store.display_url
        try:
            facts = inspect_store(store)
        except GdprGuardError as exc:
            yield _fail(
                "database",
                str(exc),
                "start the database server, check [store] url and the account's rights",
            )
            return
        head = _head_revision()
        if facts.revision is None or not facts.initialised:
            yield _fail("database", f"{where} has not been initialised", "run `gdprguard init`")
            return
        if facts.revision == head:
            yield _ok("database", f"{where} reachable, schema {facts.revision} (current)")
        else:
            yield Check(
                name="database",
                status="warn",
                message=f"{where} is at schema {facts.revision}; this version expects {head}",
                fix="any command that opens the store migrates it (e.g. `gdprguard keys status`); "
                "if it is newer than this gdprguard, upgrade gdprguard",
            )
        yield _vault(settings, store, home)


def _vault(settings: Settings, store: Store, home: Path) -> Check:
    """The master key opens the database's system keys (only checked on an initialised store,
    so nothing is created)."""
    from ..vault import Vault, provider_from_settings

    try:
        provider = provider_from_settings(settings.keys, create=False)
        vault = Vault(store, provider, checkpoint_dir=home)
        vault.keyring.system_secret("audit")
    except GdprGuardError as exc:
        return _fail(
            "vault",
            str(exc),
            "restore the master key (or the database) from backup: `gdprguard restore DIR`",
        )
    return _ok("vault", "the master key opens this database's keys")


def _connectors(settings: Settings) -> Iterator[Check]:
    from .connector import check_connector

    if not settings.connectors:
        yield Check(
            name="connectors",
            status="info",
            message="none configured",
            fix="add one with `gdprguard connector add`",
        )
        return
    for name, cfg in sorted(settings.connectors.items()):
        label = f"connector {name}"
        try:
            cfg.require_secure_transport(name)
            if cfg.token.startswith("env:"):
                resolve_secret(cfg.token, where=f"[connectors.{name}] token")
            who = check_connector(name, cfg)
        except GdprGuardError as exc:
            yield _fail(label, str(exc), _connector_fix(str(exc), name))
            continue
        yield _ok(
            label, f"{cfg.type} at {cfg.url}: user {who['user_id']}, role {who['role']}, admin"
        )


def _connector_fix(message: str, name: str) -> str:
    if "environment variable" in message:
        variable = re.search(r"variable (\w+)", message)
        return f"export {variable.group(1) if variable else 'the variable'}=... first"
    if "(401)" in message:
        return "check the email and token; create a new API token if it was revoked"
    if "admin" in message or "(403)" in message:
        return "use an admin account's API token"
    return f"check [connectors.{name}] url and that the helpdesk is reachable from here"


def _detection(settings: Settings) -> Check:
    try:
        from ..detect import Detector

        detector = Detector(settings.detection)
        found = {
            language: probe[1] in {f.type for f in detector.analyze(probe[0], language)}
            for language, probe in (("en", _EN_PROBE), ("ja", _JA_PROBE))
        }
    except GdprGuardError as exc:
        return _fail("detection", str(exc), "install the model, or remove [detection] spacy_model")
    except Exception as exc:  # a broken dependency (dictionary, model) shows up here
        return _fail(
            "detection",
            f"the detection engine does not load ({type(exc).__name__})",
            "reinstall gdprguard: pip install --force-reinstall gdprguard",
        )
    missing = [language for language, ok in found.items() if not ok]
    if missing:
        return _fail(
            "detection",
            f"languages not working: {', '.join(missing)}",
            "reinstall gdprguard (the SudachiPy dictionary is sudachidict-core)",
        )
    model = settings.detection.spacy_model
    extra = f", spaCy model {model}" if model else ""
    return _ok("detection", f"languages en, ja (SudachiPy dictionary{extra})")


def _extras(settings: Settings | None) -> Iterator[Check]:
    from ._state import module_installed

    needs_postgres = False
    if settings is not None and settings.store.url:
        try:
            needs_postgres = settings.store.resolved_url().startswith("postgres")
        except GdprGuardError:  # an unset env: variable; the database check reports it
            needs_postgres = False
    for extra in _declared_extras():
        module, purpose = _EXTRA_PROBES.get(extra, (extra, extra))
        installed = module_installed(module)
        label = f"extra {extra}"
        if installed:
            yield _ok(label, f"installed ({purpose})")
        elif extra == "postgres" and needs_postgres:
            yield _fail(label, f"not installed, but needed for {purpose}", _pip(extra))
        else:
            yield Check(
                name=label,
                status="info",
                message=f"not installed; needed only for {purpose}",
                fix=_pip(extra),
            )


def _pip(extra: str) -> str:
    return f"pip install 'gdprguard[{extra}]'"


def _declared_extras() -> list[str]:
    """Optional extras declared by the installed package (test and bench are for developers)."""
    try:
        extras = importlib.metadata.metadata("gdprguard").get_all("Provides-Extra") or []
    except importlib.metadata.PackageNotFoundError:
        extras = list(_EXTRA_PROBES)
    return sorted(e for e in extras if e not in ("test", "bench") and os.path.basename(e) == e)
