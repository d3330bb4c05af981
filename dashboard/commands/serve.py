"""`leadline serve`: run the dashboard with streamlit_config.toml as the configuration that takes effect.

Streamlit itself only reads ``.streamlit/config.toml``, ``STREAMLIT_*`` variables and
command-line flags. Flags win over the other two, so every key of the top-level
``streamlit_config.toml`` is passed as a ``--section.key=value`` flag: that file is the
one source of the server's configuration (tests/test_serve_config.py proves it).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from common import settings
from common.errors import SettingsError
from common.settings import PROJECT_ROOT
from dashboard.access.viewer import sign_in_configured
from loaders.appdb.schema import open_app_db

CONFIG_FILE = PROJECT_ROOT / "streamlit_config.toml"
APP_FILE = PROJECT_ROOT / "dashboard" / "app.py"
# Without sign-in anyone who reaches the port sees every number: only this machine may.
DEMO_ADDRESS = "127.0.0.1"
# ...and only under these names, so that a web page cannot reach it through DNS rebinding.
DEMO_HOSTS = ("localhost", "127.0.0.1")
# Protections the server never runs without, whatever the file says (docs/deploy.md).
REQUIRED_FLAGS = {"server.enableXsrfProtection": ["true"], "server.enableCORS": ["true"]}


def add_parser(subparsers: Any) -> None:
    """Register the sub-command."""
    parser = subparsers.add_parser(
        "serve",
        help="Serve the dashboard (configured by streamlit_config.toml).",
        description="Serve the Leadline dashboard. Without sign-in it listens on 127.0.0.1 only.",
    )
    parser.add_argument("--port", type=int, help="Port to listen on (default: server.port of the config).")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="Run N server processes on consecutive ports (PORT ... PORT+N-1), for a reverse proxy "
        "with sticky sessions in front (docs/deploy.md): one Python process uses one core.",
    )
    parser.add_argument(
        "--warehouse",
        metavar="URL",
        help="SQLAlchemy URL of the warehouse (sets LEADLINE_WAREHOUSE_URL for the server).",
    )
    parser.add_argument(
        "--config", type=Path, default=CONFIG_FILE, help=argparse.SUPPRESS
    )  # for tests that prove the mechanism with their own values
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Replace this process with the Streamlit server (so stopping it stops the server)."""
    command = streamlit_command(args.config, port=args.port, demo_mode=not sign_in_configured())
    # The application database (subscriptions, alerts) is created or migrated now: a bad app_db_url stops here.
    open_app_db(str(settings.get("app_db_url"))).dispose()
    env = dict(os.environ)
    if args.warehouse:
        env["LEADLINE_WAREHOUSE_URL"] = args.warehouse
    if args.workers < 1 or args.workers > MAX_WORKERS:
        raise SettingsError(
            f"--workers {args.workers} is not between 1 and {MAX_WORKERS}.",
            "Give about one worker per core of the machine.",
        )
    if args.workers > 1:
        return serve_workers(args, command, env)
    print(f"leadline: serving on http://localhost:{_port_of(command)}", file=sys.stderr, flush=True)
    os.execve(sys.executable, command, env)  # noqa: S606 - our own interpreter, arguments from our config
    return 0  # not reached


MAX_WORKERS = 64


def serve_workers(args: argparse.Namespace, command: list[str], env: dict[str, str]) -> int:
    """Run ``args.workers`` servers on consecutive ports until one stops or this process is told to.

    Every worker gets the same ``server.cookieSecret`` (generated here unless configured), passed
    in its environment, never on a command line others can read: a cookie one worker signed is
    then valid on the others. A Streamlit session still lives in one process, so the proxy in
    front must keep each browser on its worker (sticky sessions; docs/deploy.md).
    """
    first = int(_port_of(command))
    if "server.cookieSecret" not in load_config(args.config).get("server", {}):
        env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_urlsafe(32))
    workers = []
    for number in range(args.workers):
        port_command = streamlit_command(args.config, port=first + number, demo_mode=not sign_in_configured())
        workers.append(subprocess.Popen(port_command, env=env))  # noqa: S603 - our interpreter, our config
    ports = ", ".join(str(first + n) for n in range(args.workers))
    print(f"leadline: {args.workers} workers on http://localhost: {ports}", file=sys.stderr, flush=True)

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(worker.poll() is None for worker in workers):
            time.sleep(0.5)
        return next(worker.returncode for worker in workers if worker.returncode is not None)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


def streamlit_command(config_file: Path, *, port: int | None, demo_mode: bool) -> list[str]:
    """The argv that runs the dashboard with every key of ``config_file`` as a flag."""
    flags = config_flags(load_config(config_file))
    for name, required in REQUIRED_FLAGS.items():
        if flags.get(name, required) != required:
            raise SettingsError(
                f"{config_file.name} sets {name} = {flags[name][0]}, which would let other web sites act "
                "on the dashboard (cross-site requests, cross-origin WebSockets).",
                f"Set {name} = {required[0]}; docs/deploy.md explains the reverse-proxy set-up instead.",
            )
        flags[name] = required
    if port is not None:
        flags["server.port"] = [str(port)]
    if demo_mode:
        flags["server.address"] = [DEMO_ADDRESS]
        flags["server.allowedHosts"] = list(DEMO_HOSTS)
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_FILE),
        *(f"--{key}={value}" for key, values in flags.items() for value in values),
    ]


def load_config(config_file: Path) -> dict[str, Any]:
    """The parsed TOML file; SettingsError naming the file when it is missing or malformed."""
    try:
        with config_file.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError(
            f"The server configuration {config_file} does not exist.",
            "Restore streamlit_config.toml at the top of the project (it is in git).",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            f"The server configuration {config_file} is not valid TOML: {exc}.", "Fix the line it names."
        ) from None


def config_flags(config: dict[str, Any]) -> dict[str, list[str]]:
    """``{"section.key": [values]}`` for every option (a list option repeats its flag).

    SettingsError for an option Streamlit does not know, so a typo fails loudly instead of
    being silently ignored.
    """
    from streamlit import config as streamlit_config

    known = streamlit_config.get_config_options()
    flags: dict[str, list[str]] = {}
    for section, options in config.items():
        if not isinstance(options, dict):
            raise SettingsError(
                f"streamlit_config.toml has {section!r} outside a [section].",
                "Put every option under its section, e.g. [server] port = 8501.",
            )
        for key, value in options.items():
            name = f"{section}.{key}"
            if name not in known:
                raise SettingsError(
                    f"streamlit_config.toml sets {name!r}, which Streamlit does not know.",
                    "Check the spelling against `streamlit config show`.",
                )
            flags[name] = _flag_value(value)
    return flags


def _flag_value(value: Any) -> list[str]:
    if isinstance(value, list):
        return [text for item in value for text in _flag_value(item)]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [str(value)]


def _port_of(command: list[str]) -> str:
    ports = [arg.split("=", 1)[1] for arg in command if arg.startswith("--server.port=")]
    return ports[-1] if ports else "8501"
