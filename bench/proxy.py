"""nginx in front of `leadline serve --workers N`, for the load test (the set-up of docs/deploy.md).

Sticky sessions with open-source nginx: the first request of a browser gets a random
``leadline_worker`` cookie (nginx's ``$request_id``); the upstream is chosen by a consistent
hash of that cookie, so every later request and the WebSocket of that browser reach the same
worker. A protocol session of bench/load_protocol.py sends no cookie: each of its WebSockets is
placed by a fresh random key, which spreads sessions over the workers as browsers would be.

    python -m bench.proxy --port 8600 --workers 8501,8502   # prints the config
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CONFIG = """worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;

    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    # Sticky sessions: a browser without the cookie gets a random one, kept for its later requests.
    map $cookie_leadline_worker $leadline_worker {{
        ""      $request_id;
        default $cookie_leadline_worker;
    }}
    upstream leadline {{
        hash $leadline_worker consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            add_header Set-Cookie "leadline_worker=$leadline_worker; Path=/; HttpOnly; SameSite=Lax";
            proxy_pass http://leadline;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 86400s;
            proxy_buffering off;
        }}
    }}
}}
"""


def nginx_binary(given: str | None = None) -> str | None:
    """The nginx to run: ``given``, or the one on PATH, or None."""
    return given or shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def nginx_config(port: int, worker_ports: list[int], folder: Path) -> str:
    """The configuration text: nginx on 127.0.0.1:``port`` in front of the workers."""
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in worker_ports)
    return CONFIG.format(folder=folder, port=port, servers=servers)


def start_nginx(binary: str, port: int, worker_ports: list[int]) -> subprocess.Popen[bytes]:
    """nginx in the foreground (its own process group), configured in a new temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="leadline-nginx-"))
    (folder / "nginx.conf").write_text(nginx_config(port, worker_ports, folder))
    return subprocess.Popen(
        [binary, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8600)
    parser.add_argument("--workers", default="8501,8502", help="comma-separated worker ports")
    args = parser.parse_args(argv)
    ports = [int(p) for p in args.workers.split(",")]
    print(nginx_config(args.port, ports, Path("/var/lib/leadline-nginx")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
