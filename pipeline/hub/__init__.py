"""The local findings hub: Security Hub's findings API on SQLite, with a review console.

    with start_local_hub(default_db_path()) as hub:
        client = boto3.client("securityhub", endpoint_url=hub.endpoint_url, ...)
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from platformdirs import user_data_dir

from pipeline.hub.api import HubApi
from pipeline.hub.quota import Quota
from pipeline.hub.server import HubApp, HubHttpServer
from pipeline.hub.storage import FindingStore
from pipeline.hub.web import HostGuard

__all__ = ["LocalHub", "default_db_path", "start_local_hub"]

DB_ENVIRONMENT_VARIABLE = "SECPIPE_HUB_DB"
#: How often the serving loop looks for stop(): stop() waits up to this long, and a scan
#: stops its hub last, after everything else (socketserver's default is half a second).
SHUTDOWN_POLL_S = 0.02


def default_db_path() -> Path:
    override = os.environ.get(DB_ENVIRONMENT_VARIABLE)
    if override:
        return Path(override).expanduser()
    return Path(user_data_dir("secpipe")) / "hub.sqlite3"


class LocalHub:
    """A running hub: serves in a background thread until stop()."""

    def __init__(self, server: HubHttpServer, store: FindingStore, app: HubApp):
        self._server = server
        self.store = store
        self.app = app
        host, port = server.server_address[:2]
        if not isinstance(host, str):  # typeshed allows bytes for AF_UNIX; an IP server's host is always a str
            raise TypeError(f"the hub server has no IP address: {host!r}")
        self.host = host
        self.port = port
        self.endpoint_url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        self._thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), name=f"secpipe-hub-{port}",
                                        daemon=True)
        self._thread.start()

    @property
    def console_url(self) -> str:
        return f"{self.endpoint_url}/console/"

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
        self.store.close()

    def __enter__(self) -> LocalHub:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_local_hub(db_path: Path, host: str = "127.0.0.1", port: int = 0, quota: bool | Quota = False,
                    allowed_hosts: tuple[str, ...] = ()) -> LocalHub:
    """Open (or create) the database at db_path and serve it on host:port (0: a free port).

    quota=True emulates Security Hub's request rates; a Quota instance sets other rates or a clock.
    """
    from pipeline.hub.console import Console

    store = FindingStore(Path(db_path))
    server = HubHttpServer(host, port)
    bound_port = server.server_address[1]
    guard = HostGuard(host, bound_port, allowed_hosts)
    api = HubApi(store)
    limiter = quota if isinstance(quota, Quota) else (Quota() if quota else None)
    app = HubApp(api, guard, limiter)
    app.console = Console(api, guard).handle
    server.app = app
    return LocalHub(server, store, app)
