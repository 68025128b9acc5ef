"""Log hygiene: third-party debug logs must not carry personal data either.

urllib3 logs every request line at DEBUG, query string included, and a helpdesk search such as
``/users/search?query=jane%40example.com`` puts an email address there. gdprguard never logs
personal data itself; :func:`install_log_hygiene` makes sure its HTTP stack does not either, by
hiding query strings in urllib3's records, whatever logging configuration the application has.
"""

from __future__ import annotations

import logging

__all__ = ["QueryStringFilter", "install_log_hygiene"]

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
