"""A local Apache Spark SQL Thrift server, started and stopped with a safe configuration.

The ``pyspark`` package (the ``[spark]`` extra) carries Spark's jars and ``sbin/spark-daemon.sh``
but no start script for the Thrift server; ``spark-daemon.sh submit`` runs its class directly.
Everything listens on 127.0.0.1 only: the Thrift port, the driver and block-manager ports
(fixed, so nothing picks a public interface) and no web UI. The metastore (Derby), the
warehouse folder, logs, pid files and temporary files all live in one scratch folder, so two
servers (a test session and a developer's) never share state. Java 17 must be on the path.

SQLAlchemy reaches the server with PyHive: ``hive://leadline@127.0.0.1:<port>/default``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from common.errors import SettingsError, WarehouseUnavailable

THRIFT_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
# Few shuffle partitions: Spark's default of 200 costs seconds per query on small data.
SHUFFLE_PARTITIONS = 4
# For test warehouses of a few rows: compiling code per query and re-planning stages cost more
# than they save (a page table in under a second instead of several).
SMALL_DATA_SETTINGS: Mapping[str, str] = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.shuffle.partitions": "1",
}


def spark_home() -> Path:
    """The Spark distribution inside the installed ``pyspark`` package."""
    try:
        import pyspark
    except ModuleNotFoundError:
        raise SettingsError(
            "pyspark is not installed, so no local Spark server can be started.",
            "Install Leadline's Spark extra: pip install -e '.[spark]'",
        ) from None
    return Path(pyspark.__file__).parent


def java_missing() -> str | None:
    """None when a Java runtime is on the path, else what to install."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "No Java runtime found; Spark needs Java 17 (Debian: apt-get install openjdk-17-jre-headless)."
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass(frozen=True)
class SparkServer:
    """One local Thrift server: its scratch ``folder``, ``port`` and ``master`` (``local[2]`` or ``spark://...``).

    ``settings`` are added to (and override) the safe defaults, e.g. ``SMALL_DATA_SETTINGS``.
    """

    folder: Path
    port: int = 10000
    master: str = "local[2]"
    driver_memory: str = "2g"
    settings: Mapping[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the server's ``default`` database."""
        return f"hive://leadline@127.0.0.1:{self.port}/default"

    def defaults(self) -> dict[str, str]:
        """The contents of ``spark-defaults.conf``: loopback only, UTC, small shuffles, scratch paths."""
        scratch = self.folder.resolve()
        temp = scratch / "tmp"
        java_options = f"-Dderby.system.home={scratch} -Djava.io.tmpdir={temp}"
        return {
            "spark.master": self.master,
            "spark.driver.memory": self.driver_memory,
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.port": str(free_port()),
            "spark.blockManager.port": str(free_port()),
            "spark.ui.enabled": "false",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.shuffle.partitions": str(SHUFFLE_PARTITIONS),
            "spark.sql.adaptive.coalescePartitions.initialPartitionNum": str(SHUFFLE_PARTITIONS),
            "spark.sql.warehouse.dir": str(scratch / "warehouse"),
            "spark.local.dir": str(temp),
            "spark.driver.extraJavaOptions": java_options,
            "spark.executor.extraJavaOptions": java_options,
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={scratch / 'metastore_db'};create=true"
            ),
            **self.settings,
        }

    def environment(self) -> dict[str, str]:
        """Environment of ``spark-daemon.sh``: configuration, logs and pid files in the scratch folder."""
        scratch = self.folder.resolve()
        return {
            **os.environ,
            "SPARK_HOME": str(spark_home()),
            "SPARK_CONF_DIR": str(scratch / "conf"),
            "SPARK_LOG_DIR": str(scratch / "logs"),
            "SPARK_PID_DIR": str(scratch / "run"),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_IDENT_STRING": "leadline",
        }

    def write_configuration(self) -> None:
        """Create the scratch folders and ``conf/spark-defaults.conf``."""
        for name in ("conf", "logs", "run", "tmp", "warehouse"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        lines = [f"{key} {value}" for key, value in self.defaults().items()]
        (self.folder / "conf" / "spark-defaults.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def daemon(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``sbin/spark-daemon.sh`` with this server's configuration, logs and pid folder."""
        script = spark_home() / "sbin" / "spark-daemon.sh"
        return subprocess.run(  # noqa: S603 - our own script and arguments
            [shutil.which("bash") or "/bin/bash", str(script), *args],
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def start(self, timeout_seconds: float = 180) -> None:
        """Start the server and return once it answers ``SELECT 1``; raise with its log if it does not."""
        missing = java_missing()
        if missing:
            raise SettingsError(missing, "Install a Java 17 runtime, then try again.")
        self.write_configuration()
        result = self.daemon(
            "submit", THRIFT_CLASS, "1", "--name", "Leadline Thrift server",
            "--hiveconf", f"hive.server2.thrift.port={self.port}",
            "--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1",
        )  # fmt: skip
        if result.returncode != 0:
            raise WarehouseUnavailable(
                f"spark-daemon.sh could not start the Thrift server: {result.stdout}{result.stderr}"
            )
        self.wait_until_ready(timeout_seconds)

    def wait_until_ready(self, timeout_seconds: float) -> None:
        """Poll until a PyHive connection runs ``SELECT 1``."""
        from pyhive import hive

        deadline = time.monotonic() + timeout_seconds
        last_error = ""
        while time.monotonic() < deadline:
            if not self.running():
                break
            if not _listening(self.port):
                time.sleep(1)
                continue
            try:
                connection = hive.connect(host="127.0.0.1", port=self.port, username="leadline")
                try:
                    cursor = connection.cursor()
                    cursor.execute("SELECT 1")
                    cursor.fetchall()
                    return
                finally:
                    connection.close()
            except Exception as exc:  # not listening yet, or still opening its session
                last_error = f"{type(exc).__name__}: {exc}"
                time.sleep(2)
        raise WarehouseUnavailable(
            f"The Spark Thrift server on 127.0.0.1:{self.port} did not answer ({last_error[:300]}).",
            f"See its log: {self.log_tail()}",
        )

    def pid(self) -> int | None:
        """Process id of the running server, from its pid file."""
        files = sorted((self.folder / "run").glob("*HiveThriftServer2-1.pid"))
        if not files:
            return None
        try:
            return int(files[0].read_text().strip())
        except ValueError:
            return None

    def running(self) -> bool:
        """Whether the server's process is alive."""
        pid = self.pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's log."""
        logs = sorted((self.folder / "logs").glob("*HiveThriftServer2*.out"))
        if not logs:
            return "(no log yet)"
        return "\n".join(logs[-1].read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the server (its pid file names the process; nothing else is touched)."""
        if self.running():
            self.daemon("stop", THRIFT_CLASS, "1")
