"""Generated suites: a suite either loads or is refused with a CatalogueError, never any other
exception; through the command line, a refused suite is one line on stderr and exit 2 (issue 27,
point 8, for suite files).

Each document is a valid skeleton in which any key may hold a wrong type, a wrong value, an odd
name or an odd placeholder, so that most examples reach the checks deep inside the loader.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import catalogue, cli
from harness.errors import CatalogueError

EXAMPLES = 150  # bounded: about 10 s here; CI runs the same number
CLI_EXAMPLES = 25

# Any TOML value: the wrong types every key may be given.
scalars = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, -1, 1, 2**63 - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=20),
    st.sampled_from(["", "a\x00b", "日本語", "v1.0", "../x", "{n}", "{n:03d}", "{", "}", "x" * 300, "prog.py", "."]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=8)
good_names = st.sampled_from(["w", "bench", "a-b_c", "x" * 64, "Z9"])
bad_names = st.one_of(st.text(max_size=70), st.sampled_from(["v1.0", "日本語", "x" * 65, "", "..", "a\nb", "c++"]))
arguments = st.one_of(
    st.sampled_from(["{python}", "{n}", "{build_dir}/prog", "./prog.sh", "./noexec.sh", "echo", "{n:03d}", "{n!r}",
                     "{}", "{0}", "{{literal}}", "{", "}", "{nope}", "-L", "/usr/lib", "a\x00b", "/bin/true", "{n.real}"]),
    st.text(max_size=12),
)
bad_params = st.sampled_from([0, -1, math.nan, math.inf, -math.inf, 2.5, "text", [], [1, math.nan], {"quick": 1},
                              {"quick": 1, "full": {"a": 1}}, True, "x" * 200_000])

LAB_PROGRAMS = [{"language": "python", "source": "prog.py"}, {"language": "java", "source": "Prog.java"},
                {"language": "node", "source": "prog.js", "variant": "v-2"}]
COMMAND_PROGRAMS = [{"language": "sh", "command": ["./prog.sh", "{n}"]},
                    {"language": "python", "variant": "cmd", "command": ["{python}", "prog.py", "{n}"], "checksum": "numbers"},
                    {"language": "c", "build": ["./prog.sh", "{build_dir}", "-L", "/usr/lib"], "command": ["{build_dir}/prog"],
                     "checksum": {"regex": "(\\d+)"}},
                    {"language": "echo", "variant": "e", "command": ["echo", "{n}", "{{braces}}"], "args": {"m": 2}}]
SERVER = {"kind": "server", "load": {"generator": "echo"}, "params": {"connections": [1, 4], "duration_s": 0.5},
          "programs": [{"language": "python", "source": "prog.py", "cores": "one"}]}
CLIENT = {"kind": "client", "params": {"n": 3}, "fixture": {"server": "prog.py", "params": ["n"]},
          "programs": [{"language": "node", "source": "prog.js"}]}


@st.composite
def valid_workload(draw) -> dict:
    """A workload the loader accepts: batch (lab or command programs), server or client."""
    body = {"family": "f", "question": "q?"}
    shape = draw(st.sampled_from(["batch", "batch", "batch", "server", "client"]))
    if shape == "server":
        return {**body, **json.loads(json.dumps(SERVER))}
    if shape == "client":
        return {**body, **json.loads(json.dumps(CLIENT))}
    programs = draw(st.lists(st.sampled_from(range(len(LAB_PROGRAMS + COMMAND_PROGRAMS))), min_size=1, max_size=3, unique=True))
    body["params"] = {"n": draw(st.one_of(st.integers(1, 9), st.just({"quick": 1, "full": [2, 3]})))}
    body["programs"] = [json.loads(json.dumps((LAB_PROGRAMS + COMMAND_PROGRAMS)[i])) for i in programs]
    if draw(st.booleans()):
        body |= {"timeout_s": 30, "spawns": "n", "scaling": "n", "claim": "c", "report_metrics": ["wall_s"]}
    return body


def targets(document: dict) -> list:
    """Every (table, key) a mutation may change: top level, workloads, their params and programs."""
    found = [(document, "languages"), (document, "other"), (document, "workloads")]
    for body in document["workloads"].values():
        found += [(body, key) for key in [*body, "kind", "timeout_s", "spawns", "load", "fixture", "key_figure", "nonsense"]]
        if isinstance(body.get("params"), dict):
            found += [(body["params"], key) for key in [*body["params"], "new"]]
        for program in body["programs"]:
            found += [(program, key) for key in [*program, "variant", "args", "params", "build", "image", "parallel",
                                                  "runtime_args", "not_applicable", "source", "command"]]
    return found


@st.composite
def documents(draw) -> dict:
    """A valid suite with zero to three keys changed: a wrong type, a wrong value, an odd name or argv."""
    names = draw(st.lists(good_names, min_size=1, max_size=2, unique=True))
    document: dict = {"workloads": {name: draw(valid_workload()) for name in names}}
    if draw(st.booleans()):
        document["languages"] = {"python": {"root": "."}}
    places = targets(document)  # taken before any change: a change to a table replaced since is harmless
    for _ in range(draw(st.integers(0, 3))):
        table, key = draw(st.sampled_from(places))
        change = draw(st.sampled_from(["value", "value", "name", "argv", "param", "delete", "rename"]))
        if change == "delete":
            table.pop(key, None)
        elif change == "rename" and key in table:
            table[draw(bad_names)] = table.pop(key)
        elif change == "name":
            table[key] = draw(bad_names)
        elif change == "argv":
            table[key] = draw(st.lists(arguments, min_size=0, max_size=4))
        elif change == "param":
            table[key] = draw(bad_params)
        else:
            table[key] = draw(values)
    return document


def toml(value) -> str:
    """A value as TOML, on one line: inline tables and arrays, so any nesting is one document."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        # TOML's basic string: escape every control character (json.dumps leaves DEL raw, TOML refuses it)
        return '"' + "".join(c if 0x20 <= ord(c) != 0x7F and c not in '"\\' else f"\\u{ord(c):04x}" for c in value) + '"'
    if isinstance(value, list):
        return "[" + ", ".join(toml(v) for v in value) + "]"
    return "{ " + ", ".join(f"{toml(str(k))} = {toml(v)}" for k, v in value.items()) + " }"


def document_text(document: dict) -> str:
    return "".join(f"{toml(key)} = {toml(value)}\n" for key, value in document.items())


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A suite folder with the files the skeletons name: sources, an executable and a non-executable script."""
    here = tmp_path_factory.mktemp("fuzz")
    (here / "prog.py").write_text("print('{\"checksum\": 1}')\n")
    (here / "Prog.java").write_text("public class Prog { public static void main(String[] a) {} }\n")
    (here / "prog.js").write_text("console.log('{\"checksum\": 1}')\n")
    (here / "prog.sh").write_text("#!/bin/sh\necho 1\n")
    (here / "prog.sh").chmod(0o755)
    (here / "noexec.sh").write_text("#!/bin/sh\necho 1\n")
    return here


def load_or_refuse(path: Path) -> bool:
    """True if the suite loads, False if it is refused with a CatalogueError; anything else fails the test."""
    try:
        catalogue.load(path)
    except CatalogueError as error:
        assert "\n" not in str(error), str(error)
        return False
    return True


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents())
def test_a_generated_suite_loads_or_is_refused_with_a_catalogue_error(folder, document):
    path = folder / "suite.toml"
    path.write_text(document_text(document))
    load_or_refuse(path)


@settings(max_examples=EXAMPLES // 3, deadline=None)
@given(data=st.binary(max_size=200))
def test_generated_bytes_load_or_are_refused(folder, data):
    path = folder / "bytes.toml"
    path.write_bytes(data)
    load_or_refuse(path)


@settings(max_examples=CLI_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents())
def test_list_on_a_generated_suite_is_one_line_and_exit_2_when_refused(folder, document):
    path = folder / "cli.toml"
    path.write_text(document_text(document))
    loads = load_or_refuse(path)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["list", "--suite", str(path)])
    assert "Traceback" not in err.getvalue()
    if loads:
        assert code == 0, err.getvalue()
    else:
        assert code == 2 and len(err.getvalue().splitlines()) == 1, (code, err.getvalue())
        assert err.getvalue().startswith(f"error: {path}"), err.getvalue()


def test_the_toml_writer_round_trips():
    import tomllib

    document = {"a": [1, -2.5, math.inf, "x\x00\x7f\"\\y", {"k k": True}], "日": {"b": []}}
    loaded = tomllib.loads(document_text(document))
    assert loaded["a"][3] == "x\x00\x7f\"\\y" and loaded["a"][2] == math.inf and loaded["日"] == {"b": []}
    assert json.dumps(loaded["a"][4]) == '{"k k": true}'
