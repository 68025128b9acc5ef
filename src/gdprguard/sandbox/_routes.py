"""One compiled URL map per route table, shared by every sandbox app that has those routes.

Each ``SandboxServer`` builds its own Flask app, because the views close over that sandbox's
state. Compiling the app's URL rules is most of the cost (werkzeug generates and compiles Python
code for each rule: about 50 ms for a flavor's hundred rules), yet the rules are the same for
every sandbox of a flavor: the URL map only turns a path into an endpoint name and arguments,
and each app keeps its own endpoint -> view mapping. So a ``SandboxFlask`` app collects its
rules uncompiled and, once they are all added (``seal_routes()``, or its first request), takes
the map compiled for exactly those rules the first time they were seen in this process.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterable
from typing import Any

from flask import Flask
from werkzeug.routing import Map, Rule, RuleFactory

__all__ = ["SandboxFlask"]


class _CollectingMap(Map):
    """A URL map that only records the rules added to it (see ``seal_routes``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pending: list[Rule] = []

    def add(self, rulefactory: RuleFactory) -> None:
        self.pending.extend(rulefactory.get_rules(self))


class _SharedMap(Map):
    """A compiled URL map shared between apps: no rule can be added once it is in use."""

    sealed = False

    def add(self, rulefactory: RuleFactory) -> None:
        if self.sealed:
            raise RuntimeError("the sandbox's routes are fixed once its app is built")
        super().add(rulefactory)


_lock = threading.Lock()
_compiled: dict[Hashable, _SharedMap] = {}


class SandboxFlask(Flask):
    """A Flask app whose routes are compiled all at once, by ``seal_routes()``."""

    url_map_class = _CollectingMap

    def seal_routes(self) -> None:
        """Switch to the compiled URL map of the rules added so far; a rule added afterwards
        raises RuntimeError. Done by the first request at the latest; calling again is a no-op."""
        with _lock:
            url_map = self.url_map
            if isinstance(url_map, _CollectingMap):
                self.url_map = _shared_map(url_map, url_map.pending)

    def create_url_adapter(self, request: Any) -> Any:
        if isinstance(self.url_map, _CollectingMap):
            self.seal_routes()
        return super().create_url_adapter(request)


def _rule_key(rule: Rule) -> Hashable:
    options = rule.get_empty_kwargs()
    return (
        rule.rule,
        tuple(sorted((name, _frozen(value)) for name, value in options.items())),
        getattr(rule, "provide_automatic_options", None),  # set by Flask
    )


def _frozen(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, set | frozenset):
        return frozenset(value)
    return value


def _map_key(url_map: Map, rules: Iterable[Rule]) -> Hashable:
    settings = (
        url_map.default_subdomain,
        url_map.strict_slashes,
        url_map.redirect_defaults,
        url_map.host_matching,
        url_map.sort_parameters,
        url_map.sort_key,
        tuple(sorted(url_map.converters.items())),
    )
    return (settings, tuple(_rule_key(rule) for rule in rules))


def _compile(url_map: Map, rules: Iterable[Rule]) -> _SharedMap:
    shared = _SharedMap(
        default_subdomain=url_map.default_subdomain,
        strict_slashes=url_map.strict_slashes,
        redirect_defaults=url_map.redirect_defaults,
        converters=url_map.converters,
        sort_parameters=url_map.sort_parameters,
        sort_key=url_map.sort_key,
        host_matching=url_map.host_matching,
    )
    for rule in rules:
        shared.add(rule)
    shared.sealed = True
    return shared


def _shared_map(url_map: Map, rules: list[Rule]) -> _SharedMap:
    """The compiled map for these rules and settings (caller holds ``_lock``)."""
    try:
        key = _map_key(url_map, rules)
        hash(key)
    except TypeError:  # an unhashable rule default: a map for this app alone
        return _compile(url_map, rules)
    shared = _compiled.get(key)
    if shared is None:
        shared = _compiled[key] = _compile(url_map, rules)
    return shared
