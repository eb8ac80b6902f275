"""Bad suites end with one line naming the key, when the suite loads: never a traceback, never a
run measured in full and then refused (issue 27, points 1, 2 and 5, and its tracebacks).

Each test writes a suite as a user would, runs ``python -m harness list --suite FILE`` in this
process and asserts the exact error line: exit 2, one line on stderr, the file, workload and key.
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from harness import catalogue
from harness.catalogue.loader import Program, _shown
from harness.catalogue.names import NAME_RULE, is_safe_name
from harness.runtimes import command_programs
from tests.conftest import ROOT, main_in_process

PROGRAM = 'print(\'{"checksum": 1}\')\n'


def suite(tmp_path: Path, workload: str, *, name: str = "w", programs: str | None = None, head: str = "") -> Path:
    """A suite of one workload ``name`` whose table ends with ``workload`` (TOML lines)."""
    (tmp_path / "prog.py").write_text(PROGRAM)
    if programs is None:
        programs = f'[[workloads.{name}.programs]]\nlanguage = "python"\nsource = "prog.py"\n'
    path = tmp_path / "suite.toml"
    path.write_text(f'{head}[workloads.{name}]\nfamily = "f"\nquestion = "q?"\n{workload}\n{programs}')
    return path


def command_suite(tmp_path: Path, command: str, params: str = "n = 3", extra: str = "") -> Path:
    """A suite of one command program: ``command`` is its TOML list."""
    return suite(tmp_path, f"params = {{ {params} }}",
                 programs=f'[[workloads.w.programs]]\nlanguage = "sh"\ncommand = {command}\n{extra}')


def refused(capsys, path) -> str:
    """The one line ``list --suite PATH`` prints, after checking it is one line and exit 2."""
    done = main_in_process(capsys, "list", "--suite", path)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


# Point 1: command programs are checked when the suite loads ------------------------------------


def test_a_command_file_without_the_execute_bit_says_chmod(tmp_path, capsys):
    script = tmp_path / "prog.sh"
    script.write_text("#!/bin/sh\necho 1\n")
    script.chmod(0o644)
    path = command_suite(tmp_path, '["./prog.sh", "{n}"]')
    line = refused(capsys, path)
    assert line == (f"error: {path.resolve()}: workload 'w': key 'programs[0].command': './prog.sh' may not be run "
                    f"(no execute permission); chmod +x {path.resolve().parent / 'prog.sh'}")
    script.chmod(0o755)
    assert main_in_process(capsys, "list", "--suite", path).returncode == 0


def test_a_build_step_without_the_execute_bit_says_chmod(tmp_path, capsys):
    (tmp_path / "make.sh").write_text("#!/bin/sh\n")
    path = command_suite(tmp_path, '["{build_dir}/prog"]', extra='build = ["./make.sh", "{build_dir}"]')
    assert "key 'programs[0].build': './make.sh' may not be run (no execute permission); chmod +x" in refused(capsys, path)


@pytest.mark.parametrize("placeholder", ["{n:03d}", "{n!r}", "{n:>{n}}", "{n.real}", "{n[0]}", "x{n:x}y"])
def test_a_placeholder_with_a_format_spec_is_refused(tmp_path, capsys, placeholder):
    path = command_suite(tmp_path, f'["echo", "{placeholder}"]')
    line = refused(capsys, path)
    assert line == (f"error: {path.resolve()}: workload 'w': key 'programs[0].command': placeholder in {placeholder!r} "
                    "is not a plain {name}: format specs, conversions, attributes and indexes are not supported "
                    "(values are passed as text)")


def test_literal_braces_and_plain_placeholders_still_load(tmp_path, capsys):
    path = command_suite(tmp_path, '["echo", "{{n:03d}}", "{n}", "{{}}"]')
    assert main_in_process(capsys, "list", "--suite", path).returncode == 0


def test_one_argument_over_the_kernels_per_argument_limit_is_refused(tmp_path, capsys):
    size = 32 * os.sysconf("SC_PAGESIZE")
    path = command_suite(tmp_path, '["echo", "{text}"]', params=f'text = "{"x" * size}"')
    line = refused(capsys, path)
    assert line.startswith(f"error: {path.resolve()}: workload 'w': key 'programs[0].command': an argument of {size} "
                           "bytes is longer than the kernel takes")


def test_an_argument_list_over_arg_max_is_refused(tmp_path, capsys):
    limit = os.sysconf("SC_ARG_MAX")
    count = limit // 100_000 + 2
    params = ", ".join(f'p{i} = "{"x" * 100_000}"' for i in range(count))
    command = "[" + ", ".join(['"echo"'] + [f'"{{p{i}}}"' for i in range(count)]) + "]"
    line = refused(capsys, command_suite(tmp_path, command, params=params))
    assert "key 'programs[0].command': the arguments and the environment take" in line
    assert f"over the kernel's limit of {limit} (ARG_MAX)" in line


def test_a_lab_program_whose_arguments_do_not_fit_is_refused(tmp_path, capsys):
    size = 32 * os.sysconf("SC_PAGESIZE")
    line = refused(capsys, suite(tmp_path, f'params = {{ text = "{"x" * size}" }}'))
    assert "workload 'w': key 'programs[0]': an argument of" in line


def test_the_build_digest_takes_absolute_paths_without_a_traceback(tmp_path):
    folder, library = tmp_path / "suite", tmp_path / "lib" / "libx.so"
    folder.mkdir()
    library.parent.mkdir()
    library.write_bytes(b"one")
    (folder / "main.c").write_text("int main(void) { return 0; }\n")
    build = ("cc", "-L", "/usr/lib", "-L/usr/lib", str(library), "main.c", "-o", "{build_dir}/main")
    program = Program(language="c", variant="default", source=folder, root=folder, command=("{build_dir}/main",),
                      build=build, cwd=folder)
    first = command_programs._digest(program, {})
    assert first == command_programs._digest(program, {})
    library.write_bytes(b"two")  # a library outside the suite counts by its content
    assert command_programs._digest(program, {}) != first
    (folder / "main.c").write_text("int main(void) { return 1; }\n")  # and a file inside, as before
    assert len({first, command_programs._digest(program, {})}) == 2


def test_a_build_naming_usr_lib_runs_and_is_cached(tmp_path):
    (tmp_path / "make.sh").write_text('#!/bin/sh\nmkdir -p "$1" && touch "$1/done"\n')
    (tmp_path / "make.sh").chmod(0o755)
    build = ("./make.sh", "{build_dir}", "/usr/lib", "/nowhere/libx.so")
    program = Program(language="sh", variant="default", source=tmp_path, root=tmp_path, command=("true",),
                      build=build, cwd=tmp_path)
    toolchain = SimpleNamespace(runtimes={}, build_dirs={}, build_failures={})
    command_programs.build_all(toolchain, [program], tmp_path / "cache")
    assert toolchain.build_failures == {}
    assert (toolchain.build_dirs[command_programs.build_key(program)] / "done").is_file()


# Point 2: names are checked once, up front, by the rule the report uses -------------------------


@pytest.mark.parametrize("name", ["日本語", "v1.0", "a" * 65, "c++", "a b"])
def test_a_variant_that_cannot_name_a_file_is_refused_at_load(tmp_path, capsys, name):
    programs = f'[[workloads.w.programs]]\nlanguage = "python"\nvariant = "{name}"\nsource = "prog.py"\n'
    path = suite(tmp_path, "", programs=programs)
    assert refused(capsys, path) == (f"error: {path.resolve()}: workload 'w': key 'programs[0].variant': {_shown(name)} "
                                     f"is not a name: expected {NAME_RULE} (it names files)")


@pytest.mark.parametrize("name", ["日本語", "v1.0", "a" * 65])
def test_a_workload_name_that_cannot_name_a_file_is_refused_at_load(tmp_path, capsys, name):
    path = suite(tmp_path, "", name=f'"{name}"')
    assert refused(capsys, path) == (f"error: {path.resolve()}: workload '{name}': a workload name must be {NAME_RULE} "
                                     "(it names files and report headings)")


@pytest.mark.parametrize("name", ["日本語", "go1.22", ""])
def test_a_command_programs_language_that_cannot_name_a_file_is_refused(tmp_path, capsys, name):
    path = suite(tmp_path, "", programs=f'[[workloads.w.programs]]\nlanguage = "{name}"\ncommand = ["echo"]\n')
    assert f"workload 'w': key 'programs[0].language': str {name!r} is not a name: expected {NAME_RULE}" in refused(capsys, path)


@pytest.mark.parametrize("name", ["a.b", "x=y", "日本"])
def test_a_parameter_name_that_cannot_be_an_argument_is_refused(tmp_path, capsys, name):
    line = refused(capsys, suite(tmp_path, f'params = {{ "{name}" = 1 }}'))
    assert f"workload 'w': key 'params.{name}': a parameter or argument name must be {NAME_RULE}" in line


def test_the_loader_and_the_report_use_one_rule(tmp_path):
    from harness import report
    from harness.errors import StoreError

    assert catalogue.is_safe_name is is_safe_name
    assert report.is_safe_name is is_safe_name
    for name in ["v1.0", "日本語", "a" * 65]:
        with pytest.raises(StoreError, match="not a safe name"):
            report.check_names({"measurements": [{"workload": name, "variant": "default"}]})
    report.check_names({"measurements": [{"workload": "a" * 64, "variant": "x-1_Y"}]})


def test_two_names_never_map_to_one_file():
    assert not is_safe_name("v1.0") and not is_safe_name("v1.5") and not is_safe_name("..")


# Point 5 and the tracebacks: suite values --------------------------------------------------------


@pytest.mark.parametrize(("body", "key", "message"), [
    ("params = 5", "params", "expected a table, e.g. params = { ... }, not int 5"),
    ('params = "n"', "params", "expected a table, e.g. params = { ... }, not str 'n'"),
    ("params = { n = { a = 1 } }", "params.n", "a per-profile value needs exactly the keys quick and full, not a table of a"),
    ("params = { n = { quick = { a = 1 }, full = 1 } }", "params.n.quick",
     "expected a number, a text, or a non-empty list of them (a sweep), not dict {'a': 1}"),
    ("params = { n = nan }", "params.n", "numbers must be finite, not float nan"),
    ("params = { n = inf }", "params.n", "numbers must be finite, not float inf"),
    ("params = { n = [1, -inf] }", "params.n", "numbers must be finite, not list [1, -inf]"),
    ("params = { n = 0 }", "params.n", "numbers must be above 0, not int 0"),
    ("params = { n = -2.5 }", "params.n", "numbers must be above 0, not float -2.5"),
    ("params = { n = [] }", "params.n", "expected a number, a text, or a non-empty list of them (a sweep), not list []"),
    ('params = { n = "a\\u0000b" }', "params.n", "a text cannot hold a NUL character: no program can receive it as an argument"),
    ("timeout_s = nan", "timeout_s", "expected a positive, finite number of seconds, not float nan"),
    ("timeout_s = inf", "timeout_s", "expected a positive, finite number of seconds, not float inf"),
    ("timeout_s = 0", "timeout_s", "expected a positive, finite number of seconds, not int 0"),
    ("timeout_s = -1", "timeout_s", "expected a positive, finite number of seconds, not int -1"),
    ('timeout_s = "10"', "timeout_s", "expected a positive, finite number of seconds, not str '10'"),
    ("timeout_s = 1e12", "timeout_s", "1000000000000.0 s is more than a week; a timeout that long is no timeout (at most 604800)"),
    ("report_metrics = 5", "report_metrics", "expected a list of texts, not int 5"),
])
def test_a_wrong_suite_value_names_its_key(tmp_path, capsys, body, key, message):
    path = suite(tmp_path, body)
    assert refused(capsys, path) == f"error: {path.resolve()}: workload 'w': key '{key}': {message}"


@pytest.mark.parametrize(("program", "key", "message"), [
    ("params = 5", "programs[0].params", "expected a table, e.g. params = { ... }, not int 5"),
    ("args = 5", "programs[0].args", "expected a table of key = number or text, not int 5"),
    ("args = { n = nan }", "programs[0].args.n", "numbers must be finite, not nan"),
    ("runtime_args = [5]", "programs[0].runtime_args", "expected a list of texts, not list [5]"),
])
def test_a_wrong_program_value_names_its_key(tmp_path, capsys, program, key, message):
    programs = f'[[workloads.w.programs]]\nlanguage = "python"\nsource = "prog.py"\n{program}\n'
    path = suite(tmp_path, "", programs=programs)
    assert refused(capsys, path) == f"error: {path.resolve()}: workload 'w': key '{key}': {message}"


@pytest.mark.parametrize(("params", "key", "message"), [
    ('connections = "many", duration_s = 1', "params.connections", "the load generator needs a whole number of connections, not 'many'"),
    ("connections = 2.5, duration_s = 1", "params.connections", "the load generator needs a whole number of connections, not 2.5"),
    ("connections = 0, duration_s = 1", "params.connections", "numbers must be above 0, not int 0"),
    ("connections = 1, duration_s = inf", "params.duration_s", "numbers must be finite, not float inf"),
    ('connections = 1, duration_s = "1"', "params.duration_s", "the load generator needs a number of seconds, not '1'"),
    ("connections = 1, duration_s = 1e9", "params.duration_s", "1000000000.0 s is more than a week (at most 604800)"),
])
def test_a_servers_load_needs_numbers(tmp_path, capsys, params, key, message):
    path = suite(tmp_path, f'kind = "server"\nload = {{ generator = "echo" }}\nparams = {{ {params} }}')
    assert refused(capsys, path) == f"error: {path.resolve()}: workload 'w': key '{key}': {message}"


@pytest.mark.parametrize(("head", "message"), [
    ("languages = 5\n", "key 'languages': expected a table, e.g. languages = { ... }, not int 5"),
    ('languages = { python = { root = "a\\u0000b" } }\n', "key 'languages.python.root': a path cannot hold a NUL character"),
    ('languages = { go = { root = "." } }\n', "key 'languages.go': unknown language; expected one of python, java, node"),
])
def test_a_wrong_languages_table_names_its_key(tmp_path, capsys, head, message):
    path = suite(tmp_path, "", head=head)
    assert refused(capsys, path) == f"error: {path.resolve()}: {message}"


def test_a_source_path_with_a_nul_is_refused(tmp_path, capsys):
    programs = '[[workloads.w.programs]]\nlanguage = "python"\nsource = "a\\u0000.py"\n'
    assert "key 'programs[0].source': a path cannot hold a NUL character" in refused(capsys, suite(tmp_path, "", programs=programs))


def test_suite_naming_a_folder_is_one_line(tmp_path, capsys):
    assert refused(capsys, tmp_path) == f"error: {tmp_path}: is a folder; give the suite's .toml file"


def test_a_suite_that_is_not_utf8_is_one_line(tmp_path, capsys):
    path = tmp_path / "suite.toml"
    path.write_bytes('[workloads.w]\nfamily = "caf\u00e9"\n'.encode("latin-1"))
    assert refused(capsys, path) == (f"error: {path}: not UTF-8 text (line 2); a suite is a TOML file, saved as UTF-8")


def test_an_unreadable_suite_is_one_line(tmp_path, capsys):
    path = tmp_path / "suite.toml"
    path.write_text("")
    path.chmod(0)
    if os.geteuid() != 0:
        assert refused(capsys, path) == f"error: {path}: cannot be read: Permission denied"
        return
    # Root reads any file: run the lab as root without the capabilities that let it read through
    # permission bits, as any other user is (CI runs as root).
    if not shutil.which("setpriv"):
        pytest.skip("root reads any file, and setpriv (util-linux) is missing to drop that power")
    done = subprocess.run(["setpriv", "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-m", "harness",
                           "compare", "--suite", str(path)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == f"error: {path}: cannot be read: Permission denied"


def test_a_suite_nested_too_deeply_is_one_line(tmp_path, capsys):
    path = tmp_path / "suite.toml"
    path.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert refused(capsys, path).startswith(f"error: {path}: not valid TOML")


def test_good_values_still_load(tmp_path):
    path = suite(tmp_path, 'timeout_s = 30\nparams = { n = { quick = 1, full = [2.5, 3] }, s = "text" }')
    loaded = catalogue.load(path)
    assert loaded.workloads["w"].timeout_s == 30.0
    assert not math.isnan(loaded.workloads["w"].params["n"]["full"][0])


@pytest.mark.parametrize("name", ["line\\nbreak", "rs\\u001e", "\\u2028", ""])
def test_a_name_with_a_line_break_is_still_one_line(tmp_path, capsys, name):
    path = suite(tmp_path, "", name=f'"{name}"')
    shown = name.replace("\\u001e", "\\x1e")
    assert refused(capsys, path) == (f"error: {path.resolve()}: workload '{shown}': a workload name must be {NAME_RULE} "
                                     "(it names files and report headings)")


def test_a_suite_that_never_ends_is_refused(capsys):
    assert refused(capsys, "/dev/zero") == "error: /dev/zero: over 64 MiB; a suite is a small TOML file"


def test_two_workloads_differing_by_case_alone_are_refused(tmp_path, capsys):
    path = suite(tmp_path, "")
    text = path.read_text()
    path.write_text(text + text.replace("workloads.w", "workloads.W"))
    assert refused(capsys, path) == (f"error: {path.resolve()}: workload 'W': differs from workload 'w' by case alone; "
                                     "their plots would be one file")
