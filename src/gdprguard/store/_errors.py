"""The store's error type and the one place where SQLAlchemy/driver errors are translated."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

from .._exceptions import ConfigError, StoreConflictError, StoreError

__all__ = ["StoreConflictError", "StoreError", "translate_errors"]


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


@contextmanager
def translate_errors(where: str) -> Iterator[None]:
    """Turn SQLAlchemy and driver exceptions into ``StoreError``/``ConfigError``.

    Messages name the database (password hidden) and the driver's first line, never the SQL
    parameters, which could carry ciphertext or record contents.
    """
    try:
        yield
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError) as exc:
        raise ConfigError(
            f"[store] url is not a usable database URL ({_first_line(exc)}); "
            "use sqlite:///PATH or postgresql+psycopg://user:pass@host/db"
        ) from None
    except sa_exc.IntegrityError as exc:
        raise StoreConflictError(
            f"database {where} rejected a write ({type(exc.orig).__name__}); "
            "another process may have written the same record at the same time; retry"
        ) from None
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
        detail = _first_line(exc.orig) if exc.orig is not None else _first_line(exc)
        raise StoreError(
            f"cannot use database {where}: {detail}; check [store] url, that the server is "
            "running and that the file or account is writable"
        ) from None
    except sa_exc.SQLAlchemyError as exc:
        raise StoreError(f"database {where} failed: {type(exc).__name__}") from None
