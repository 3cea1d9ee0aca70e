"""Unit tests: the StackError messages a person sees."""

import os
import socket
import stat
import sys

import pytest

from towngrid_devstack import LocalStack, StackConfig, StackError, cli, tools


def _listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_port_taken_names_port_component_and_remedy(tmp_path):
    with _listening_socket() as sock:
        port = sock.getsockname()[1]
        cfg = StackConfig(kafka_port=port, mongo_port=port + 7, data_dir=tmp_path)
        with pytest.raises(StackError) as err:
            LocalStack(cfg, echo=lambda _l: None).start()
    message = str(err.value)
    assert f"port {port}" in message and "[kafka]" in message
    assert "TOWNGRID_KAFKA_PORT" in message and "--kafka-port" in message


def test_mongo_port_taken(tmp_path):
    with _listening_socket() as sock:
        port = sock.getsockname()[1]
        cfg = StackConfig(kafka_port=port + 10, mongo_port=port, data_dir=tmp_path)
        with pytest.raises(StackError, match=rf"\[ferretdb\] port {port} .*TOWNGRID_MONGO_PORT"):
            LocalStack(cfg, echo=lambda _l: None).start()


def test_cli_prints_error_and_exits_2(tmp_path, capsys):
    with _listening_socket() as sock:
        port = sock.getsockname()[1]
        code = cli.main(["start", "--kafka-port", str(port), "--mongo-port", str(port + 7),
                         "--data-dir", str(tmp_path)])
    assert code == 2
    assert f"port {port}" in capsys.readouterr().err


def _empty_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)


def test_missing_java(monkeypatch, tmp_path):
    _empty_path(monkeypatch, tmp_path)
    with pytest.raises(StackError) as err:
        tools.find_java()
    assert "`java` was not found" in str(err.value)
    assert "apt-get install openjdk-17-jre-headless" in str(err.value)


def test_missing_java_through_start(monkeypatch, tmp_path):
    _empty_path(monkeypatch, tmp_path / "bin")
    cfg = StackConfig(kafka_port=29392, mongo_port=29399, data_dir=tmp_path / "data")
    with pytest.raises(StackError, match="Java"):
        LocalStack(cfg, echo=lambda _l: None).start()


def test_old_java(monkeypatch, tmp_path):
    fake = tmp_path / "java"
    fake.write_text('#!/bin/sh\necho \'openjdk version "11.0.22" 2024-01-16\' >&2\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    _empty_path(monkeypatch, tmp_path)
    with pytest.raises(StackError, match="needs Java 17 or newer.*Java 11"):
        tools.find_java()


def test_missing_maven_and_go(monkeypatch, tmp_path):
    _empty_path(monkeypatch, tmp_path)
    with pytest.raises(StackError, match="apt-get install maven"):
        tools.find_maven()
    with pytest.raises(StackError, match="install Go 1.24"):
        tools.find_go()


def test_failed_step_shows_command_tail_and_hint():
    lines = []
    argv = [sys.executable, "-c", "import sys; print('Downloading a.jar'); "
            "print('Could not transfer artifact', file=sys.stderr); sys.exit(3)"]
    with pytest.raises(StackError) as err:
        tools.run_streaming(argv, step="[kafka] resolving", echo=lines.append,
                            hint="check network / proxy, then retry")
    message = str(err.value)
    assert "[kafka] resolving failed (exit code 3)" in message
    assert "Could not transfer artifact" in message and "Command: " in message
    assert "check network / proxy" in message
    assert any("Downloading a.jar" in line for line in lines)  # progress was streamed


def test_reset_refuses_foreign_directory(tmp_path):
    (tmp_path / "precious.txt").write_text("mine")
    with pytest.raises(StackError, match="refusing to delete"):
        LocalStack(StackConfig(data_dir=tmp_path), echo=lambda _l: None).reset()
    assert (tmp_path / "precious.txt").exists()
    assert os.path.exists(tmp_path)


def test_one_component_needs_a_known_name_and_a_started_stack(tmp_path):
    stack = LocalStack(StackConfig(data_dir=tmp_path), echo=lambda _l: None)
    with pytest.raises(StackError, match="unknown component 'zookeeper'"):
        stack.stop_component("zookeeper")
    with pytest.raises(StackError, match=r"\[kafka\] the stack was never started"):
        stack.start_component("kafka")
