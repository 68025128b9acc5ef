"""Master-key rotation: re-wrap every data key under a new master key, resumably.

Data is never re-encrypted: only the 32-byte data keys are unwrapped and wrapped again, in
batches, each batch one transaction. Rerunning after a crash finishes the interrupted rotation
(it does not start another).

The new primary is recorded in the store (``vault_state.primary_kek_id``) before any data key
moves, so from then on no process, however long it has been running, can store a new data key
under the old master key (``Keyring._wrap_under_primary``). Old master keys are *retired* once no
data key uses them, and *destroyed* only later: after a grace period, and only if still nothing
uses them (``destroy_retired``, run at the end of every rotation and by ``keys retire``).

Audit entries are written in the same transaction as the change they record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from ..audit import AuditLog
from ..store import data_keys, master_keys
from ._keyring import Keyring, wrap_context
from ._models import RotationReport

__all__ = ["ProgressCallback", "destroy_retired", "rotate"]

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
    keyring: Keyring,
    audit: AuditLog,
    *,
    actor: str,
    reason: str = "",
    batch_size: int = 500,
    progress: ProgressCallback | None = None,
    now: datetime | None = None,
    grace: timedelta = timedelta(days=7),
) -> RotationReport:
    """Make a new primary master key (unless resuming) and move every data key under it."""
    now = now or datetime.now(UTC)
    provider = keyring.provider
    provider.reload()  # another process may have rotated since this one loaded its keys
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
        if keyring.stored_primary(session) != primary:
            keyring.set_primary(session, primary)
            audit.append_in(
                session, actor, "keys.rotate.begin", [primary], reason, {"pending": pending}
            )

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

    with keyring.store.session() as session:
        retired = _retire_unused(session, primary, now)
        audit.append_in(
            session,
            actor,
            "keys.rotate",
            [primary, *retired],
            reason,
            {"rewrapped": done, "created": created, "resumed": resumed},
        )
    notes = [
        f"retired {kek_id}: nothing uses it; it is destroyed after the grace period "
        f"(from {(now + grace).date().isoformat()}, by `gdprguard keys retire` or the next "
        "rotation)"
        for kek_id in retired
    ]
    destruction = destroy_retired(keyring, audit, actor=actor, reason=reason, now=now, grace=grace)
    return RotationReport(
        primary_kek_id=primary,
        created=created,
        resumed=resumed,
        rewrapped=done,
        retired=retired,
        destroyed=destruction.destroyed,
        notes=notes + destruction.notes,
    )


def _in_use(session: Session) -> set[str]:
    return {
        kek_id
        for (kek_id,) in session.execute(
            select(data_keys.c.kek_id).where(data_keys.c.kek_id.is_not(None)).distinct()
        )
    }


def _retire_unused(session: Session, primary: str, now: datetime) -> list[str]:
    """Mark every registered master key that nothing uses (and is not the primary) retired."""
    in_use = _in_use(session)
    live = {
        kek_id
        for (kek_id,) in session.execute(
            select(master_keys.c.kek_id).where(master_keys.c.retired_at.is_(None))
        )
    }
    to_mark = sorted(live - in_use - {primary})
    if to_mark:
        session.execute(
            update(master_keys)
            .where(master_keys.c.kek_id.in_(to_mark), master_keys.c.retired_at.is_(None))
            .values(retired_at=now)
        )
    return to_mark


def destroy_retired(
    keyring: Keyring,
    audit: AuditLog,
    *,
    actor: str,
    reason: str = "",
    now: datetime | None = None,
    grace: timedelta = timedelta(days=7),
) -> RotationReport:
    """Destroy master keys retired at least *grace* ago that still no data key uses.

    A key some process wrapped a data key under after its retirement is un-retired instead
    (the next rotation moves that data key and retires the key again).
    """
    now = now or datetime.now(UTC)
    provider = keyring.provider
    provider.reload()
    primary = provider.primary_key_id()
    available = set(provider.key_ids())
    destroyed: list[str] = []
    notes: list[str] = []
    with keyring.store.session() as session:
        stored_primary = keyring.stored_primary(session)
        in_use = _in_use(session)
        rows = session.execute(
            select(master_keys.c.kek_id, master_keys.c.retired_at).where(
                master_keys.c.retired_at.is_not(None), master_keys.c.destroyed_at.is_(None)
            )
        ).all()
        for kek_id, retired_at in rows:
            if kek_id in in_use or kek_id in (primary, stored_primary):
                session.execute(
                    update(master_keys)
                    .where(master_keys.c.kek_id == kek_id)
                    .values(retired_at=None)
                )
                notes.append(f"{kek_id} is in use again; it stays until the next rotation")
                continue
            if _aware(retired_at) + grace > now:
                continue
            if kek_id in available:
                notes.append(provider.retire(kek_id))
            session.execute(
                update(master_keys).where(master_keys.c.kek_id == kek_id).values(destroyed_at=now)
            )
            destroyed.append(kek_id)
        if destroyed:
            audit.append_in(session, actor, "keys.destroy", destroyed, reason, {})
    return RotationReport(
        primary_kek_id=primary,
        created=False,
        resumed=False,
        rewrapped=0,
        retired=[],
        destroyed=destroyed,
        notes=notes,
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
