"""Open loop: a server that stalls shows it in the open-loop p99, which a closed loop understates."""

from tests.conftest import flawed_http_suite, only_run, run_cli


def test_a_stalling_server_shows_its_stalls_only_in_the_open_loop_p99(tmp_path):
    suite = flawed_http_suite(tmp_path / "suite.toml", "stall", duration_s=2)
    done = run_cli("compare", "--suite", suite, "--out", tmp_path / "out", "--runs", "1", "--open-loop")
    row = only_run(tmp_path / "out")["measurements"][0]
    assert row["status"] == "ok", row["reason"]
    run = row["runs"][0]
    windows = run["load"]["open_loop"]
    assert [w["fraction"] for w in windows] == [0.5, 0.8]
    for window in windows:
        assert abs(window["requests_per_s"] / window["target_rps"] - 1) < 0.1  # the schedule was kept
    # A stall of 100 ms every 500 ms delays a fifth of the due requests by up to 100 ms: the
    # open-loop p99 sees it; a closed loop sends nothing during a stall, so only 4 requests wait.
    assert run["open_p99_at_50_us"] > 50_000
    assert run["open_p99_at_50_us"] > 3 * run["latency_p99_us"]
    assert done.returncode == 0
