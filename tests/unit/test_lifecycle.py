"""The lifecycle's contract with executors: what it asks of one, and the failures it decides itself."""

from __future__ import annotations

import pytest

from harness.executors.base import Executor, Failure, ServingExecutor
from harness.executors.fake import FakeExecutor
from harness.results.model import Status
from harness.run.lifecycle import NotReady, ServerAnswerError, probe, wait_ready


class Server:
    """A server that prints ``stdout`` and is alive while ``alive`` says so."""

    def __init__(self, stdout="", alive=True, stderr="Traceback\nOSError: address in use\n"):
        self.stdout, self.is_alive, self.stderr = stdout, alive, stderr

    def stdout_so_far(self):
        return self.stdout

    def stderr_tail(self):
        return self.stderr

    def alive(self):
        return self.is_alive


class Neighbour:
    def __init__(self, output, exit_code=0):
        self.output, self.exit_code = output, exit_code

    def run(self, name, arguments, timeout_s):
        return self.output, self.exit_code, 0.0

    def close(self):
        pass


def test_a_fake_executor_is_an_executor_but_runs_no_servers():
    fake = FakeExecutor()
    assert isinstance(fake, Executor) and not isinstance(fake, ServingExecutor)


def test_a_ready_server_gives_its_port():
    assert wait_ready(Server('starting\n{"ready": true, "port": 4321}\n'), "s", 1.0) == 4321


def test_a_server_that_died_before_it_was_ready_failed_with_its_last_words():
    with pytest.raises(NotReady) as raised:
        wait_ready(Server(alive=False), "tcp_echo python/asyncio", 1.0)
    assert raised.value.failure == Failure(Status.FAILED, "server tcp_echo python/asyncio exited before it was ready: "
                                                          "OSError: address in use")


def test_a_server_that_never_says_it_is_ready_timed_out():
    with pytest.raises(NotReady) as raised:
        wait_ready(Server(), "s", 0.05)
    assert raised.value.failure.status == Status.TIMEOUT and "never became ready within 0.05 s" in str(raised.value)


def test_the_probe_reads_the_servers_checksum_or_says_what_went_wrong():
    assert probe(Neighbour('{"checksum": "ab", "body": "hi"}\n'), "http", 1) == ("ab", "hi")
    with pytest.raises(ServerAnswerError, match="printed no checksum"):
        probe(Neighbour("nothing useful\n"), "http", 1)
    with pytest.raises(ServerAnswerError, match="connection refused"):
        probe(Neighbour("connection refused\n", exit_code=1), "http", 1)
