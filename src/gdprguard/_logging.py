"""Log hygiene, and where the command line's logs go.

Third-party debug logs must not carry personal data either.

urllib3 logs every request line at DEBUG, query string included, and a helpdesk search such as
``/users/search?query=jane%40example.com`` puts an email address there. gdprguard never logs
personal data itself; :func:`install_log_hygiene` makes sure its HTTP stack does not either, by
hiding query strings in urllib3's records, whatever logging configuration the application has.
"""

from __future__ import annotations

import logging
import sys

__all__ = [
    "QueryStringFilter",
    "configure_cli_logging",
    "install_log_hygiene",
    "reset_cli_logging",
]

_HIDDEN = "?<query hidden>"
_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry", "urllib3.poolmanager")


class QueryStringFilter(logging.Filter):
    """Rewrite a record's string arguments so that URL query strings are not logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_hide_query(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _hide_query(value) for key, value in record.args.items()}
        if isinstance(record.msg, str) and "?" in record.msg and not record.args:
            record.msg = _hide_query(record.msg)
        return True


def _hide_query(value: object) -> object:
    if isinstance(value, str) and "?" in value:
        return value.split("?", 1)[0] + _HIDDEN
    return value


_FILTER = QueryStringFilter()


def install_log_hygiene() -> None:
    """Attach the query-string filter to urllib3's loggers (idempotent)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (never stdout, which holds results)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


_CLI_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_saved_level: list[int] = []


def configure_cli_logging(verbose: bool) -> None:
    """Log to stderr: warnings and errors, everything with ``--verbose``.

    :func:`reset_cli_logging` undoes it, so a program that runs several commands in one process
    (or a test) keeps its own logging configuration.
    """
    root = logging.getLogger()
    reset_cli_logging()
    _saved_level.append(root.level)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(_CLI_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    install_log_hygiene()


def reset_cli_logging() -> None:
    """Remove the handler :func:`configure_cli_logging` added and restore the root level."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    if _saved_level:
        root.setLevel(_saved_level.pop())
        _saved_level.clear()
