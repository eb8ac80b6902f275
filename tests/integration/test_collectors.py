"""A JVM collector variant runs the collector it names, or its row fails with the JVM's own words."""

import pytest

from tests.conftest import ROOT, only_run, require_runtime, run_cli

SUITE = """
[languages.java]
root = "{root}"

[workloads.footprint]
family = "memory"
question = "bytes per record, under a chosen collector"
params = {{ n = 20000, iterations = 1 }}

[[workloads.footprint.programs]]
language = "java"
variant = "gc-serial"
source = "lab/memory/ObjectFootprint.java"
args = {{ mode = "class" }}
runtime_args = ["-XX:+UseSerialGC"]

[[workloads.footprint.programs]]
language = "java"
variant = "zgc-generational"
source = "lab/memory/ObjectFootprint.java"
args = {{ mode = "class" }}
runtime_args = ["-XX:+UseZGC", "-XX:+ZGenerational"]
"""


@pytest.fixture(scope="module")
def collector_run(tmp_path_factory, toolchain):
    require_runtime(toolchain, "java")
    folder = tmp_path_factory.mktemp("collectors")
    suite = folder / "suite.toml"
    suite.write_text(SUITE.format(root=ROOT / "java" / "src"))
    done = run_cli("compare", "--suite", suite, "--out", folder / "out", "--runs", "1", "--warmup", "0")
    rows = {m["variant"]: m for m in only_run(folder / "out")["measurements"]}
    return done, rows, toolchain.runtimes["java"].major


def test_a_collector_the_jvm_applied_is_reported_and_the_row_is_ok(collector_run):
    _, rows, _ = collector_run
    row = rows["gc-serial"]
    assert row["status"] == "ok", row["reason"]
    assert row["runtime_args"] == ["-XX:+UseSerialGC"]
    assert row["runs"][0]["metrics"]["vm_option_UseSerialGC"] == 1


def test_a_flag_the_jvm_ignores_or_rejects_fails_the_row_in_its_own_words(collector_run):
    done, rows, major = collector_run
    row = rows["zgc-generational"]
    if major >= 24:  # the option is gone: the JVM warns, ignores it and runs on
        assert row["status"] == "failed"
        assert row["reason"] == "-XX:+ZGenerational did not take: this JVM has no such option (it warned and ignored it)"
        assert "Ignoring option ZGenerational" in row["stderr_tail"]
    elif major >= 21:  # generational ZGC is a choice here, and it is taken
        assert row["status"] == "ok", row["reason"]
        assert row["runs"][0]["metrics"]["vm_option_ZGenerational"] == 1
    else:  # the option does not exist yet: the JVM refuses to start
        assert row["status"] == "failed"
        assert "Unrecognized VM option 'ZGenerational'" in row["stderr_tail"]
    assert done.returncode == (1 if row["status"] == "failed" else 0)
