"""The docker backend's pure parts: the wrapper's report, sizes, the engine-missing message."""

import shutil
import signal
import subprocess
import sys

import pytest

from harness.errors import EngineUnavailable
from harness.executors.docker import containers, images
from harness.executors.docker import executor as backend


def run_wrapper(*program) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/sh", "-c", containers.WRAPPER, "lab-wrapper", *program], capture_output=True, text=True)


def test_the_wrapper_keeps_the_programs_output_and_exit_code_and_adds_its_report():
    # The program burns 0.3 s of CPU time (measured as CPU time, so on any machine).
    burn = f"{sys.executable} -c 'import time\nwhile time.process_time() < 0.3: pass'"
    done = run_wrapper("sh", "-c", f"echo out; printf 'no newline' >&2; {burn}; exit 3")
    assert done.returncode == 3 and done.stdout == "out\n"
    stderr, report = containers.split_report(done.stderr)
    assert stderr == "no newline"
    assert report["rc"] == 3
    user, system = report["times"]
    # The shell's ``times`` counts in clock ticks (10 ms): each of the two figures may round one tick down.
    assert 0.3 - 0.02 <= user + system < 5


@pytest.mark.parametrize("program, left", [("exit 0", 0), ("sleep 30 & exit 0", 1),
                                           ("sleep 0.3 & exit 0", 0)])  # a helper that ends by itself within 1 s
def test_the_wrapper_counts_what_the_program_left_running_in_its_pid_namespace(program, left):
    # The wrapper counts every other process it sees: in a container, its own PID namespace. The
    # same here, with unshare (root, or an unprivileged user namespace, is needed for it).
    command = ["unshare", "--pid", "--fork", "--mount-proc", "/bin/sh", "-c", containers.WRAPPER, "lab-wrapper", "sh", "-c", program]
    if not shutil.which("unshare") or subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"]).returncode:
        pytest.skip("unshare cannot make a PID namespace here (needs root or user namespaces)")
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert containers.split_report(done.stderr)[1]["leftovers"] == left


def test_the_wrapper_hands_sigterm_on_to_the_program_and_reports_how_it_ended():
    # The program says it is ready, then exits 7 on SIGTERM: the wrapper must pass the signal on
    # (as PID 1 in a container it would otherwise ignore it) and report the program's own status.
    program = "trap 'exit 7' TERM; echo ready; while :; do sleep 0.05; done"
    wrapper = subprocess.Popen(["/bin/sh", "-c", containers.WRAPPER, "lab-wrapper", "sh", "-c", program],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wrapper.stdout.readline() == "ready\n"
    wrapper.send_signal(signal.SIGTERM)
    _, stderr = wrapper.communicate(timeout=10)
    assert wrapper.returncode == 7
    assert containers.split_report(stderr)[1]["rc"] == 7


def test_a_stderr_without_the_report_is_returned_whole():
    assert containers.split_report("killed before the end\n") == ("killed before the end\n", {})


def test_report_parsing_of_both_cgroup_versions_and_times_formats():
    text = (f"boom\n{containers.MARK}\nrc=137 cgroup=2 peak=1048576 file=4096 anon=8192 cpu_ns=1500000000 oom_kill=1 leftovers=0\n"
            "0m0.001s 0m0.000s\n1m2.500000s 0m0.250000s\n")
    stderr, report = containers.split_report(text)
    assert stderr == "boom"
    assert report["cgroup"] == "2" and report["peak"] == 1048576 and report["oom_kill"] == 1
    assert report["times"] == (62.5, 0.25)


@pytest.mark.parametrize("text, expected", [("512m", 512 << 20), ("4g", 4 << 30), ("1.5g", int(1.5 * 2**30)), ("1048576", 1 << 20)])
def test_memory_sizes(text, expected):
    assert backend.parse_bytes(text) == expected


def test_a_bad_memory_size_says_what_to_give():
    with pytest.raises(backend.LabError, match="512m or 4g"):
        backend.parse_bytes("lots")


def test_no_engine_gives_one_line_that_says_how_to_start_one(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-such.sock")
    with pytest.raises(EngineUnavailable) as raised:
        backend.DockerExecutor()
    message = str(raised.value)
    assert "\n" not in message
    assert "dockerd" in message and "systemctl start docker" in message and "--backend native" in message


def test_the_build_context_hash_follows_the_sources_and_the_bases():
    spec = images.IMAGES["node"]
    context, digest = images.build_context(spec, {"LAB_NODE_BASE": "sha256:aaa"})
    again, same = images.build_context(spec, {"LAB_NODE_BASE": "sha256:aaa"})
    _, other = images.build_context(spec, {"LAB_NODE_BASE": "sha256:bbb"})
    assert context == again and digest == same and digest != other


def test_a_lost_engine_is_not_a_timeout():
    import requests

    from harness.errors import EngineConnectionLost
    from harness.executors.docker.containers import wait_for_exit

    class Container:
        def __init__(self, error):
            self.error = error

        def wait(self, timeout):
            raise self.error

    timed_out = requests.exceptions.ConnectionError("UnixHTTPConnectionPool(host='localhost', port=None): Read timed out.")
    assert wait_for_exit(Container(timed_out), 1) is False
    assert wait_for_exit(Container(requests.exceptions.ReadTimeout("slow")), 1) is False
    with pytest.raises(EngineConnectionLost, match="docker engine connection lost"):
        wait_for_exit(Container(requests.exceptions.ConnectionError("Connection aborted: FileNotFoundError")), 1)
