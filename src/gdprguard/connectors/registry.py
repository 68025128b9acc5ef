"""Which class handles which ``type =``: built-ins plus the ``gdprguard.connectors`` entry points.

A third-party package registers a connector class in its ``pyproject.toml``::

    [project.entry-points."gdprguard.connectors"]
    helpscout = "gdprguard_helpscout:HelpScoutConnector"

The entry-point name is the ``type`` used in ``[connectors.NAME]``. Built-ins are registered the
same way by gdprguard itself and also known without installation metadata.
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points
from typing import Any

from .._config import ConnectorConfig
from .._exceptions import ConfigError
from .base import HelpdeskConnector
from .capabilities import Capabilities

__all__ = [
    "ENTRY_POINT_GROUP",
    "build_connector",
    "config_notes",
    "connector_types",
    "get_connector_class",
]

ENTRY_POINT_GROUP = "gdprguard.connectors"
BUILTIN: dict[str, str] = {
    "zendesk": "gdprguard.connectors.zendesk:ZendeskConnector",
    "freshdesk": "gdprguard.connectors.freshdesk:FreshdeskConnector",
}

log = logging.getLogger("gdprguard.connectors")


def _targets() -> dict[str, str]:
    targets = dict(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in BUILTIN and ep.value != BUILTIN[ep.name]:
            log.warning("ignoring entry point %s=%s: built-in type", ep.name, ep.value)
            continue
        targets[ep.name] = ep.value
    return targets


def connector_types() -> list[str]:
    """Every known connector type, sorted."""
    return sorted(_targets())


def _load(target: str) -> Any:
    module_name, _, attr = target.partition(":")
    module = __import__(module_name, fromlist=[attr or "__name__"])
    obj: Any = module
    for part in attr.split(".") if attr else []:
        obj = getattr(obj, part)
    return obj


def get_connector_class(type_name: str) -> type[HelpdeskConnector]:
    """The connector class registered for *type_name* (ConfigError listing known types if none)."""
    targets = _targets()
    target = targets.get(type_name)
    if target is None:
        raise ConfigError(
            f"unknown connector type {type_name!r}; known types: {', '.join(sorted(targets))} "
            f"(third-party connectors register in the {ENTRY_POINT_GROUP!r} entry-point group)"
        )
    try:
        cls = _load(target)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"connector type {type_name!r} is registered as {target} but cannot be loaded "
            f"({type(exc).__name__}); reinstall the package that provides it"
        ) from None
    if not callable(getattr(cls, "from_config", None)):
        raise ConfigError(f"connector type {type_name!r} ({target}) has no from_config()")
    if not isinstance(getattr(cls, "capabilities", None), Capabilities):
        raise ConfigError(
            f"connector type {type_name!r} ({target}) declares no capabilities (a "
            "gdprguard.connectors.Capabilities class attribute); upgrade the package that "
            "provides it"
        )
    return cls


def config_notes(config: ConnectorConfig) -> list[str]:
    """What the connector type will make of *config* (e.g. which authentication it implies).

    One short sentence each, free of secrets; ``[]`` when there is nothing to say or the
    connector class offers no ``config_notes(config)`` classmethod.
    """
    notes = getattr(get_connector_class(config.type), "config_notes", None)
    return list(notes(config)) if callable(notes) else []


def build_connector(name: str, config: ConnectorConfig, **options: Any) -> HelpdeskConnector:
    """Instantiate the connector for ``[connectors.NAME]`` (options: clock, retry, timeout).

    A plain ``http://`` URL off this machine is refused (ConfigError) unless the section sets
    ``allow_insecure_http``, whichever connector class handles the type.
    """
    config.require_secure_transport(name)
    return get_connector_class(config.type).from_config(name, config, **options)
