"""The policy files the admin pages manage: the folder next to the configuration file
(``policies/``, where ``gdprguard init`` copies the shipped ones), and which of them
``[dsar] policy`` names.

Nothing is written before the text passes the same checks as ``gdprguard policy check``: the
loader's validation and what each configured helpdesk can do.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from .._config import ConnectorConfig
from .._config_file import read_config_text, with_value_set, write_atomically
from .._exceptions import ConfigError, InputError
from ..connectors import get_connector_class
from ..policy import (
    ConnectorCapabilities,
    Policy,
    PolicyValidationError,
    Problem,
    parse_policy,
    shipped_policies,
)

__all__ = [
    "PolicyFolder",
    "capabilities_of",
    "checked_policy",
    "decode_policy",
    "dsar_policy_setting",
    "policy_file_name",
    "select_policy",
    "sha256_of",
    "shipped_text",
]

_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\.ya?ml$")


def policy_file_name(name: str) -> str:
    """*name* if it can be a policy file in the folder, else an InputError."""
    name = name.strip()
    if not _FILE_NAME.match(name) or ".." in name:
        raise InputError(
            "a policy file name is 1-64 letters, digits, '.', '-' or '_' ending in .yaml, "
            "e.g. retention-2026.yaml"
        )
    return name


def sha256_of(text: str) -> str:
    """The SHA-256 of *text* as written (UTF-8)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode_policy(data: bytes, name: str) -> str:
    """An uploaded policy as text: UTF-8 (a byte-order mark is dropped), lines ending in LF."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8 and upload it "
            "again (Shift_JIS and other encodings are not read)"
        ) from None
    return text.replace("\r\n", "\n")


def capabilities_of(
    connectors: Mapping[str, ConnectorConfig],
) -> dict[str, ConnectorCapabilities]:
    """What each configured helpdesk can do, by connector name (as ``policy check`` sees it)."""
    found: dict[str, ConnectorCapabilities] = {}
    for name, cfg in sorted(connectors.items()):
        try:
            caps = getattr(get_connector_class(cfg.type), "capabilities", None)
        except ConfigError:  # an unknown type: the connector pages say so
            continue
        if caps is not None:
            found[name] = caps
    return found


def checked_policy(
    text: str, name: str, capabilities: Mapping[str, ConnectorCapabilities]
) -> tuple[Policy, list[Problem]]:
    """The policy in *text* and its warnings; PolicyValidationError (with every problem) when
    it does not load or a helpdesk cannot carry out one of its rules."""
    policy = parse_policy(text, name)
    problems = policy.check(capabilities)
    if any(p.severity == "error" for p in problems):
        raise PolicyValidationError(problems)
    return policy, problems


class PolicyFolder:
    """The policy files (``*.yaml``) in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def names(self) -> list[str]:
        """The policy files' names, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(
            p.name for p in self.folder.iterdir() if p.is_file() and _FILE_NAME.match(p.name)
        )

    def path(self, name: str) -> Path:
        """Where the policy *name* is (whether or not it exists)."""
        return self.folder / policy_file_name(name)

    def read(self, name: str) -> str:
        """The text of the policy *name* (InputError when there is none)."""
        path = self.path(name)
        try:
            return decode_policy(path.read_bytes(), name)
        except FileNotFoundError:
            raise InputError(f"there is no policy {name} in {self.folder}") from None

    def write(self, name: str, text: str) -> Path:
        """Save *text* as the policy *name*, atomically."""
        path = self.path(name)
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomically(path, text)
        return path

    def place_shipped(self, name: str, text: str) -> Path:
        """The shipped policy *name* (its *text*) in the folder: copied unless the same file is
        there already; InputError when the folder holds a different file of that name."""
        path = self.path(name)
        if not path.exists():
            return self.write(name, text)
        if decode_policy(path.read_bytes(), name) != text:
            raise InputError(
                f"{path} already exists and differs from the shipped {name}; choose it among "
                "the folder's policies, or edit it"
            )
        return path


def shipped_text(name: str) -> str:
    """The text of the policy *name* shipped with gdprguard."""
    shipped = {item.name: item for item in shipped_policies()}
    if name not in shipped:
        raise InputError(f"gdprguard ships no policy named {name}")
    return decode_policy(shipped[name].read_bytes(), name)


def dsar_policy_setting(path: Path) -> str:
    """How ``[dsar] policy`` names *path*: relative to the working directory when inside it (as
    gdprguard reads it), else absolute."""
    absolute = Path(os.path.abspath(path))
    here = Path.cwd()
    return str(absolute.relative_to(here)) if absolute.is_relative_to(here) else str(absolute)


def select_policy(config_path: Path, policy_path: Path) -> str:
    """Make ``[dsar] policy`` in *config_path* name *policy_path*; returns the value written."""
    setting = dsar_policy_setting(policy_path)
    text = with_value_set(config_path, read_config_text(config_path), "dsar", "policy", setting)
    write_atomically(config_path, text)
    return setting
