"""Server workloads: a broken server gets a clear status naming it, and nothing is left running."""

import time
import uuid

import pytest

from tests.conftest import PROGRAMS, only_run, require_runtime, run_cli
from tests.measure.test_native import leftovers

SUITE = """
[workloads.broken_servers]
family = "t"
kind = "server"
question = "Are broken servers caught?"
load = {{ generator = "echo" }}
params = {{ connections = 4, duration_s = 3, warmup_s = 0.2 }}

[[workloads.broken_servers.programs]]
language = "python"
variant = "never_ready"
source = "{servers}/never_ready.py"
args = {{ tag = "{tag}" }}

[[workloads.broken_servers.programs]]
language = "python"
variant = "port_taken"
source = "{servers}/port_taken.py"
args = {{ tag = "{tag}" }}

[[workloads.broken_servers.programs]]
language = "python"
variant = "crash_under_load"
source = "{servers}/crash_under_load.py"
args = {{ tag = "{tag}" }}
"""


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    out = tmp_path_factory.mktemp("servers")
    tag = uuid.uuid4().hex
    suite = out / "suite.toml"
    suite.write_text(SUITE.format(servers=PROGRAMS / "servers", tag=tag))
    started = time.monotonic()
    done = run_cli("compare", "--suite", suite, "--out", out, "--runs", "1", "--timeout", "4")
    rows = {m["variant"]: m for m in only_run(out)["measurements"]}
    return done, rows, tag, time.monotonic() - started


def test_a_server_that_never_becomes_ready_times_out_naming_it(broken):
    row = broken[1]["never_ready"]
    assert row["status"] == "timeout"
    assert "server broken_servers python/never_ready never became ready within 4 s" in row["reason"]


def test_a_port_in_use_is_a_clear_failure_naming_the_server(broken):
    row = broken[1]["port_taken"]
    assert row["status"] == "failed"
    assert "python/port_taken exited before it was ready" in row["reason"] and "Address already in use" in row["reason"]


def test_a_server_that_crashes_mid_load_fails_and_the_load_stops(broken):
    done, rows, _, elapsed = broken
    assert rows["crash_under_load"]["status"] == "failed"
    assert "failed during the load" in rows["crash_under_load"]["reason"]
    assert elapsed < 60, "the load generator hung on a dead server"
    assert "Traceback" not in done.stderr


def test_no_server_is_left_running(broken):
    assert leftovers(f"tag={broken[2]}") == []


@pytest.fixture(scope="module")
def async_servers(tmp_path_factory):
    out = tmp_path_factory.mktemp("async-servers")
    # --full: every server, those quick leaves to --full (a second core count) included
    done = run_cli("compare", "--full", "--only", "tcp_echo,http_hello", "--out", out, "--runs", "1",
                   "--param", "connections=4", "--param", "duration_s=0.5", "--param", "warmup_s=0.2")
    assert "Traceback" not in done.stderr, done.stderr
    return only_run(out)


@pytest.mark.integration
@pytest.mark.parametrize("language", ["python", "java", "node"])
def test_every_server_serves_and_agrees_on_the_probe(async_servers, toolchain, language):
    require_runtime(toolchain, language)
    rows = [m for m in async_servers["measurements"] if m["language"] == language]
    assert rows
    for row in rows:
        if row["status"] == "skipped":
            assert row["reason"].startswith(("not available:", "needs Java 21")), row["reason"]
            continue
        assert row["status"] == "ok", f"{row['workload']} {row['variant']}: {row['reason']}\n{row['stderr_tail']}"
        run = row["runs"][0]
        load = run["load"]
        assert load["requests"] > 0 and load["errors"] == 0
        # The rate is the requests counted over the window asked for (--param duration_s=0.5).
        assert load["duration_s"] == pytest.approx(0.5, abs=0.2)
        assert run["requests_per_s"] == pytest.approx(load["requests"] / load["duration_s"], rel=0.01)
        assert run["latency_p50_us"] > 0
        assert run["peak_rss_bytes"] > 1e6 and run["cpu_s"] > 0
    probes = {m["workload"]: set() for m in async_servers["measurements"]}
    for row in async_servers["measurements"]:
        if row["status"] == "ok":
            probes[row["workload"]].add(row["checksum"])
    assert probes and all(len(sums) == 1 for sums in probes.values()), probes  # each workload: an ok row, one answer
