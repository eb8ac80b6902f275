"""The catalogue loader accepts the lab's and a user's catalogue and names the place of every error."""

import json

import pytest

from harness import catalogue
from harness.errors import CatalogueError
from tests.conftest import SUITE


def write(tmp_path, text, program="print('{\"checksum\": 1}')"):
    (tmp_path / "prog.py").write_text(program)
    path = tmp_path / "suite.toml"
    path.write_text(text)
    return path


GOOD = """
[workloads.w]
family = "f"
question = "q?"
params = { n = { quick = 1, full = [10, 20] } }
[[workloads.w.programs]]
language = "python"
source = "prog.py"
"""


def test_builtin_catalogue_loads_and_every_program_exists():
    loaded = catalogue.load()
    assert "eager_lazy" in loaded.workloads
    for workload in loaded.workloads.values():
        assert workload.question and workload.family
        for program in workload.programs:
            assert program.source.is_file() or program.not_applicable, program.label


def test_user_suite_loads_with_its_own_roots():
    loaded = catalogue.load(SUITE)
    triangle = loaded.workloads["triangle"]
    assert triangle.languages() == ["python", "java", "node"]
    assert triangle.programs[1].root.name == "src"


def test_a_scalar_param_applies_to_both_profiles_and_a_list_is_a_sweep(tmp_path):
    workload = catalogue.load(write(tmp_path, GOOD)).workloads["w"]
    assert workload.params["n"] == {"quick": 1, "full": [10, 20]}
    assert workload.programs[0].variant == "default"


@pytest.mark.parametrize(
    "change, expected",
    [
        (("family = \"f\"", ""), "workload 'w': key 'family': missing"),
        (("language = \"python\"", "language = \"ruby\""), "key 'programs[0].language': 'ruby' is not one of"),
        (("source = \"prog.py\"", "source = \"nope.py\""), "key 'programs[0].source':"),
        (("quick = 1,", "quick = true,"), "key 'params.n.quick': expected a number"),
        (("{ quick = 1, full = [10, 20] }", "{ quick = 1 }"), "key 'params.n': a per-profile value needs"),
        (("question = \"q?\"", "question = \"q?\"\ncolour = 1"), "unknown key(s) ['colour']"),
    ],
)
def test_errors_name_the_file_the_workload_and_the_key(tmp_path, change, expected):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(CatalogueError) as error:
        catalogue.load(path)
    assert str(path) in str(error.value)
    assert expected in str(error.value)


def test_malformed_toml_is_a_catalogue_error(tmp_path):
    with pytest.raises(CatalogueError, match="not valid TOML"):
        catalogue.load(write(tmp_path, "[workloads.w\nfamily="))


def test_a_missing_file_says_to_check_the_path(tmp_path):
    with pytest.raises(CatalogueError, match="check the --suite path"):
        catalogue.load(tmp_path / "absent.toml")


def test_duplicate_variants_are_refused(tmp_path):
    text = GOOD + '[[workloads.w.programs]]\nlanguage = "python"\nsource = "prog.py"\n'
    with pytest.raises(CatalogueError, match="both python/default"):
        catalogue.load(write(tmp_path, text))


@pytest.mark.parametrize("name", ["../../x", "a b", "line\nbreak", ".."])
def test_a_workload_name_that_could_leave_the_run_folder_is_refused(tmp_path, name):
    suite = tmp_path / "suite.toml"
    suite.write_text(f'[workloads.{json.dumps(name)}]\nfamily = "f"\nquestion = "q"\n'
                     '[[workloads.' + json.dumps(name) + '.programs]]\nlanguage = "python"\nsource = "x.py"\n')
    with pytest.raises(CatalogueError, match="workload name must be"):
        catalogue.load(suite)


def test_report_refuses_a_results_file_with_an_unsafe_name(tmp_path):
    from harness import report
    from harness.errors import StoreError

    document = {"measurements": [{"workload": "../../escape", "variant": "default"}]}
    with pytest.raises(StoreError, match="not a safe name"):
        report.write_reports(document, tmp_path)


# Command programs -------------------------------------------------------------------------------

COMMAND = """
[workloads.w]
family = "f"
question = "q?"
params = { n = 3 }
[[workloads.w.programs]]
language = "go"
command = ["{python}", "prog.py", "{n}"]
checksum = "numbers"
"""


def test_a_command_program_may_name_any_language_and_keeps_its_argv(tmp_path):
    program = catalogue.load(write(tmp_path, COMMAND)).workloads["w"].programs[0]
    assert program.language == "go" and program.command == ("{python}", "prog.py", "{n}")
    assert program.checksum == "numbers" and program.cwd == tmp_path
    assert catalogue.load(write(tmp_path, COMMAND)).workloads["w"].languages() == ["go"]


@pytest.mark.parametrize(
    "change, expected",
    [
        (('"{n}"]', '"{m}"]'), "key 'programs[0].command': placeholder {m} names no parameter or runtime"),
        (('checksum = "numbers"', 'checksum = "numbers"\nsource = "prog.py"'), "key 'programs[0].source': a command program cannot"),
        (('["{python}", "prog.py"', '["no-such-tool-here", "prog.py"'), "executable 'no-such-tool-here' not found on PATH"),
        (('["{python}", "prog.py"', '["./missing.sh", "prog.py"'), "executable './missing.sh' not found"),
        (('["{python}", "prog.py"', '["{build_dir}/x", "prog.py"'), "no build step"),
        (('checksum = "numbers"', 'checksum = { regex = "\\\\d+" }'), "needs at least one (group)"),
        (('checksum = "numbers"', 'checksum = "md5"'), "key 'programs[0].checksum': expected one of"),
        (('checksum = "numbers"', 'checksum = "numbers"\nbuild = ["cc", "{n}"]'), "placeholder {n} names no parameter"),
    ],
)
def test_command_errors_name_the_file_the_workload_and_the_key(tmp_path, change, expected):
    path = write(tmp_path, COMMAND.replace(*change))
    with pytest.raises(CatalogueError) as error:
        catalogue.load(path)
    assert str(path) in str(error.value) and "workload 'w'" in str(error.value)
    assert expected in str(error.value)


def test_a_source_program_cannot_take_a_checksum_rule(tmp_path):
    with pytest.raises(CatalogueError, match="only a command program takes this"):
        catalogue.load(write(tmp_path, GOOD + 'checksum = "stdout"\n'))
