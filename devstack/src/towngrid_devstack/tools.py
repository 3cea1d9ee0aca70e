"""Checks of the external tools (Java, Maven, Go) and of the ports, and a streaming runner."""

from __future__ import annotations

import collections
import os
import re
import shlex
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Callable, Mapping, Sequence

from .errors import StackError

Echo = Callable[[str], None]
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

JAVA_HINT = ("install a Java 17+ runtime, e.g. `apt-get install openjdk-17-jre-headless` "
             "(Debian/Ubuntu) or `brew install openjdk@17`, or set JAVA_HOME")
MAVEN_HINT = "install Maven 3.6+, e.g. `apt-get install maven` or `brew install maven`"
GO_HINT = "install Go 1.24+ from https://go.dev/dl/ (and put its bin directory on PATH)"


def find_java() -> str:
    """The `java` to run Kafka with ($JAVA_HOME/bin/java, else PATH); checks it is 17+."""
    java = None
    if os.environ.get("JAVA_HOME"):
        candidate = Path(os.environ["JAVA_HOME"]) / "bin" / "java"
        if os.access(candidate, os.X_OK):
            java = str(candidate)
    java = java or shutil.which("java")
    if not java:
        raise StackError(f"[kafka] Java is needed to run Kafka, but `java` was not found on PATH "
                         f"(nor in $JAVA_HOME). To fix: {JAVA_HINT}.")
    major = java_major_version(java)
    if major < 17:
        raise StackError(f"[kafka] Kafka {_kafka_version()} needs Java 17 or newer, but {java} is "
                         f"Java {major}. To fix: {JAVA_HINT}.")
    return java


def _kafka_version() -> str:
    from .config import KAFKA_VERSION

    return KAFKA_VERSION


def java_major_version(java: str) -> int:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except OSError as exc:
        raise StackError(f"[kafka] could not run `{java} -version`: {exc}. To fix: {JAVA_HINT}.")
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise StackError(f"[kafka] could not read the Java version from `{java} -version`:\n"
                         f"{(out.stderr + out.stdout).strip()}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" means Java 8


def find_maven() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise StackError("[kafka] Maven (`mvn`) is needed once, to resolve Kafka's jars from Maven "
                         f"Central, but it was not found on PATH. To fix: {MAVEN_HINT}.")
    return mvn


def find_go() -> str:
    go = shutil.which("go")
    if not go:
        raise StackError("[ferretdb] Go is needed once, to build FerretDB from the Go module proxy, "
                         f"but `go` was not found on PATH. To fix: {GO_HINT}.")
    out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, timeout=60)
    match = re.match(r"go(\d+)\.(\d+)", out.stdout.strip())
    if match and (int(match.group(1)), int(match.group(2))) < (1, 24):
        raise StackError(f"[ferretdb] FerretDB needs Go 1.24 or newer, but {go} is "
                         f"{out.stdout.strip()}. To fix: {GO_HINT}.")
    return go


def port_is_free(host: str, port: int) -> bool:
    """True if nothing listens on host:port (SO_REUSEADDR: a TIME_WAIT leftover is not 'taken')."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def check_port(host: str, port: int, component: str, how_to_change: str) -> None:
    if not port_is_free(host, port):
        raise StackError(f"[{component}] port {port} on {host} is already in use, so {component} "
                         f"cannot listen on it. Stop whatever uses it (`ss -ltnp 'sport = :{port}'` "
                         f"shows the process; maybe a stack started earlier: `towngrid-stack stop`) "
                         f"or choose another port: {how_to_change}.")


def run_streaming(argv: Sequence[str], *, step: str, echo: Echo, cwd: Path | None = None,
                  env: Mapping[str, str] | None = None, hint: str = "",
                  prefix: str = "    ") -> str:
    """Run a set-up command, echo its output line by line, return the output;
    raise StackError naming the step, the command and the tail of the output on failure."""
    tail: collections.deque[str] = collections.deque(maxlen=40)
    lines: list[str] = []
    cmd = shlex.join(str(a) for a in argv)
    try:
        proc = subprocess.Popen([str(a) for a in argv], cwd=cwd, env=dict(env) if env else None,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, text=True, errors="replace")
    except OSError as exc:
        raise StackError(f"{step} failed: could not run `{cmd}`: {exc}") from exc
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            line = _ANSI.sub("", line.rstrip("\n"))
            tail.append(line)
            lines.append(line)
            echo(prefix + line)
        rc = proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    if rc != 0:
        raise StackError(f"{step} failed (exit code {rc}).\nCommand: {cmd}\n"
                         f"Last lines of its output:\n" + "\n".join(tail)
                         + (f"\nWhat to do: {hint}" if hint else ""))
    return "\n".join(lines)
