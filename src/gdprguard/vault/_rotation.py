"""Master-key rotation: re-wrap every data key under a new master key, resumably.

Data is never re-encrypted: only the 32-byte data keys are unwrapped and wrapped again, in
batches, each batch one transaction. Rerunning after a crash finishes the interrupted rotation
(it does not start another); old master keys are retired only once no data key uses them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import bindparam, func, select, update

from ..store import data_keys, master_keys
from ._keyring import Keyring, wrap_context
from ._models import RotationReport

__all__ = ["ProgressCallback", "rotate"]

#: ``progress(done, total)`` after every batch
ProgressCallback = Callable[[int, int], None]

_REWRAP = (
    update(data_keys)
    .where(data_keys.c.key_id == bindparam("b_key"), data_keys.c.kek_id == bindparam("b_old"))
    .values(
        kek_id=bindparam("b_new"), wrapped=bindparam("b_wrapped"), rewrapped_at=bindparam("b_at")
    )
)


def _pending(keyring: Keyring, primary: str) -> int:
    with keyring.store.session(write=False) as session:
        return int(
            session.execute(
                select(func.count()).where(
                    data_keys.c.shredded_at.is_(None), data_keys.c.kek_id != primary
                )
            ).scalar_one()
        )


def rotate(
    keyring: Keyring, *, batch_size: int = 500, progress: ProgressCallback | None = None
) -> RotationReport:
    """Make a new primary master key (unless resuming) and move every data key under it."""
    provider = keyring.provider
    primary = provider.primary_key_id()
    pending = _pending(keyring, primary)
    resumed = pending > 0
    created = False
    if not resumed:
        primary = provider.create_primary()
        created = True
        pending = _pending(keyring, primary)
    with keyring.store.session() as session:
        keyring.register_master_key(session, primary)

    done = 0
    cursor = ""  # keyset pagination over the primary key: each batch is an index range scan
    while True:
        with keyring.store.session() as session:
            rows = session.execute(
                select(
                    data_keys.c.key_id, data_keys.c.scope, data_keys.c.kek_id, data_keys.c.wrapped
                )
                .where(
                    data_keys.c.key_id > cursor,
                    data_keys.c.shredded_at.is_(None),
                    data_keys.c.kek_id != primary,
                )
                .order_by(data_keys.c.key_id)
                .limit(batch_size)
                .with_for_update()
            ).all()
            if not rows:
                break
            now = datetime.now(UTC)
            changes = []
            for key_id, scope, kek_id, wrapped in rows:
                context = wrap_context(key_id, scope)
                material = provider.unwrap(kek_id, wrapped, context)
                new_kek, new_wrapped = provider.wrap(material, context)
                keyring.register_master_key(session, new_kek)
                changes.append(
                    {
                        "b_key": key_id,
                        "b_old": kek_id,
                        "b_new": new_kek,
                        "b_wrapped": new_wrapped,
                        "b_at": now,
                    }
                )
            session.connection().execute(_REWRAP, changes)
            cursor = rows[-1][0]
        done += len(rows)
        if progress is not None:
            progress(done, max(pending, done))

    retired, notes = _retire_unused(keyring, primary)
    return RotationReport(
        primary_kek_id=primary,
        created=created,
        resumed=resumed,
        rewrapped=done,
        retired=retired,
        notes=notes,
    )


def _retire_unused(keyring: Keyring, primary: str) -> tuple[list[str], list[str]]:
    provider = keyring.provider
    with keyring.store.session(write=False) as session:
        in_use = {
            kek_id
            for (kek_id,) in session.execute(
                select(data_keys.c.kek_id).where(data_keys.c.kek_id.is_not(None)).distinct()
            )
        }
        registered = {
            kek_id
            for (kek_id,) in session.execute(
                select(master_keys.c.kek_id).where(master_keys.c.retired_at.is_(None))
            )
        }
    retired: list[str] = []
    notes: list[str] = []
    for kek_id in provider.key_ids():
        if kek_id != primary and kek_id not in in_use:
            notes.append(provider.retire(kek_id))
            retired.append(kek_id)
    to_mark = (registered - in_use - {primary}) | set(retired)
    if to_mark:
        with keyring.store.session() as session:
            session.execute(
                update(master_keys)
                .where(
                    master_keys.c.kek_id.in_(sorted(to_mark)), master_keys.c.retired_at.is_(None)
                )
                .values(retired_at=datetime.now(UTC))
            )
    return retired, notes
