"""What a worker process builds in the worker-process tests (importable in a spawned child: the
child gets the test process's ``sys.path``)."""

from __future__ import annotations

from pathlib import Path

from gdprguard._config import ConnectorConfig
from gdprguard.connectors import build_connector
from gdprguard.policy import default_policy_path, load_policy
from gdprguard.realtime import EventQueue, RealtimeContext
from gdprguard.realtime.processes import WorkerSetup
from gdprguard.store import Store
from gdprguard.vault import FileKeyProvider, Vault


def build_setup(database: str, home: Path, desk: dict[str, str]) -> WorkerSetup:
    """The store at *database*, the vault's file key in *home*, the sandbox *desk* as
    connector ``support``, and the shipped policy's realtime rules."""
    vault = Vault(Store(database), FileKeyProvider(home / "master.key"), checkpoint_dir=home)
    config = ConnectorConfig(type="zendesk", url=desk["url"], email=desk["email"],
                             token=desk["token"])  # fmt: skip
    connector = build_connector("support", config)
    policy = load_policy(default_policy_path())
    context = RealtimeContext.for_policy(vault, {"support": connector}, policy, actor="test")

    def close() -> None:
        connector.close()
        vault.close()

    return WorkerSetup(EventQueue(vault.store), context, close)
