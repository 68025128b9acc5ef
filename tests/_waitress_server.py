"""A WSGI app served by waitress on a free port of 127.0.0.1, in a background thread."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from waitress import create_server, wasyncore


class WaitressThread:
    """``url`` answers until ``close()``; *threads* is waitress's number of worker threads."""

    def __init__(self, app: Any, *, threads: int = 4) -> None:
        self.server: Any = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, name="test-waitress", daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving now and wait for waitress's threads to end.

        ``server.close()`` alone closes only the listening socket: the serving loop keeps
        running (and ``join`` waits) as long as a client holds an idle keep-alive connection,
        and it notices the closed socket only at its next one-second poll. Here the loop itself
        closes every socket it watches, woken at once through waitress's trigger.
        """
        # OSError: the loop, woken by a request just then, ran the closing before this pull
        with contextlib.suppress(OSError):
            self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(5)
        assert not self.thread.is_alive(), "waitress did not stop"
        self.server.task_dispatcher.shutdown()
