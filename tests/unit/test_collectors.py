"""JVM collectors and layouts as variants: --full only, a Java version floor, and a flag that must take."""

from types import SimpleNamespace

import pytest

from harness import catalogue
from harness.analyse import verify
from harness.errors import CatalogueError
from harness.plan import jobs_for
from harness.run.measurement import Measurement
from tests.conftest import builtin_catalogue


def java_row(runtime_args, metrics_per_run):
    program = SimpleNamespace(label="java/gc-zgc", language="java", variant="gc-zgc", runtime_args=tuple(runtime_args))
    m = Measurement(SimpleNamespace(case=("w", ()), program=program, params=(), workload=SimpleNamespace(name="w")))
    m.runs = [{"metrics": metrics} for metrics in metrics_per_run]
    return m


def test_a_flag_the_jvm_applied_keeps_the_row():
    m = java_row(["-Xmx1g", "-XX:+UseZGC"], [{"vm_option_UseZGC": 1}, {"vm_option_UseZGC": 1}])
    verify.check_vm_options([m])
    assert m.status == "ok"


def test_a_flag_the_jvm_has_no_option_for_fails_the_row_saying_so():
    m = java_row(["-XX:+ZGenerational"], [{"vm_option_ZGenerational": -1}])
    verify.check_vm_options([m])
    assert m.status == "failed"
    assert m.reason == "-XX:+ZGenerational did not take: this JVM has no such option (it warned and ignored it)"


def test_a_flag_overruled_in_one_run_fails_the_row_with_what_the_jvm_reports():
    m = java_row(["-XX:-UseCompressedOops"], [{"vm_option_UseCompressedOops": 0}, {"vm_option_UseCompressedOops": 1}])
    verify.check_vm_options([m])
    assert m.status == "failed" and "the JVM reports UseCompressedOops=true" in m.reason


def test_a_program_that_does_not_report_its_options_fails_rather_than_passing_unchecked():
    m = java_row(["-XX:+UseSerialGC"], [{}])
    verify.check_vm_options([m])
    assert m.status == "failed" and "did not report" in m.reason


def test_rows_without_boolean_xx_flags_and_other_languages_are_not_checked():
    plain = java_row(["-Xmx256m", "-XX:MaxRAMPercentage=50"], [{}])
    node = java_row(["--max-old-space-size=256"], [{}])
    node.job.program.language = "node"
    verify.check_vm_options([plain, node])
    assert (plain.status, node.status) == ("ok", "ok")


def test_the_last_of_repeated_flags_is_the_one_checked_as_in_the_jvm():
    m = java_row(["-XX:+UseZGC", "-XX:-UseZGC"], [{"vm_option_UseZGC": 0}])
    verify.check_vm_options([m])
    assert m.status == "ok"


def collector_variants(workload_name):
    workload = builtin_catalogue().workloads[workload_name]
    return workload, {p.variant: p for p in workload.programs if p.language == "java"}


def test_each_collector_is_a_full_only_variant_of_the_memory_workloads():
    for name in ("alloc_churn", "cyclic_garbage", "drop_observe", "object_footprint"):
        _, java = collector_variants(name)
        flags = {variant: p.runtime_args for variant, p in java.items() if variant.startswith("gc-")}
        assert flags == {"gc-parallel": ("-XX:+UseParallelGC",), "gc-serial": ("-XX:+UseSerialGC",),
                         "gc-zgc": ("-XX:+UseZGC",), "gc-shenandoah": ("-XX:+UseShenandoahGC",)}, name
        assert all(java[v].profiles == ("full",) for v in flags)


def test_the_quick_profile_leaves_collector_variants_out_unless_they_are_named():
    workload, java = collector_variants("object_footprint")
    quick = {job.program.variant for job in jobs_for([workload], "quick", languages=("java",))}
    full = {job.program.variant for job in jobs_for([workload], "full", languages=("java",))}
    named = {job.program.variant for job in jobs_for([workload], "quick", languages=("java",), variants=("gc-zgc",))}
    assert quick == {"class"}
    assert full == set(java)
    assert named == {"gc-zgc"}


def test_compact_headers_need_java_25():
    _, java = collector_variants("object_footprint")
    assert java["compact-headers"].requires == 25
    assert java["compact-headers"].runtime_args == ("-XX:+UseCompactObjectHeaders",)


SUITE = """
[languages.java]
root = "{root}"

[workloads.w]
family = "memory"
question = "q"
params = {{ n = 1 }}

[[workloads.w.programs]]
language = "{language}"
source = "{source}"
{extra}
"""


@pytest.mark.parametrize(("extra", "message"), [
    ('profiles = ["nightly"]', "expected a non-empty list of quick and full"),
    ("profiles = []", "expected a non-empty list"),
    ('requires = "25"', "expected a Java feature version"),
    ("requires = 3", "expected a Java feature version"),
])
def test_bad_profiles_and_requires_are_one_line_errors(tmp_path, extra, message):
    (tmp_path / "A.java").write_text("class A {}\n")
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE.format(root=tmp_path, language="java", source="A.java", extra=extra))
    with pytest.raises(CatalogueError, match=message):
        catalogue.load(suite)
