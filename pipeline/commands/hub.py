"""`secpipe hub serve`: run the local findings hub (Security Hub API + review console) until stopped."""
from __future__ import annotations

import argparse
import ipaddress
import signal
import sys
import threading
from pathlib import Path

from pipeline.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hub", help="the local findings hub (Security Hub API on SQLite, with a web console)")
    actions = p.add_subparsers(dest="hub_command", required=True)
    serve = actions.add_parser("serve", help="serve the hub until Ctrl-C or SIGTERM")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to bind (default 127.0.0.1; the hub has no login, so keep it on loopback)")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    serve.add_argument("--db", type=Path, help="SQLite file (default: SECPIPE_HUB_DB, else the user data directory)")
    serve.add_argument("--quota", action="store_true",
                       help="emulate Security Hub's request quotas (HTTP 429 TooManyRequestsException)")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="another Host header name to answer to (repeatable)")
    serve.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from pipeline.hub import default_db_path, start_local_hub

    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port must be 0-65535, got {args.port}")
    db_path = args.db or default_db_path()
    try:
        hub = start_local_hub(db_path, host=args.host, port=args.port, quota=args.quota,
                              allowed_hosts=tuple(args.allow_host))
    except OSError as exc:
        raise ConfigError(f"cannot serve on {args.host}:{args.port} with {db_path}: {exc.strerror or exc}") from None
    if not _is_loopback(hub.host):
        print(f"secpipe hub: warning: serving on {hub.host}, not loopback; the hub has no login, so anyone "
              "who can reach this address can read and change findings", file=sys.stderr, flush=True)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"secpipe hub: serving {db_path} at {hub.endpoint_url} (console {hub.console_url})"
          f"{' with quota emulation' if args.quota else ''}; Ctrl-C to stop", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        hub.stop()
    print("secpipe hub: stopped", flush=True)
    return 0


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
