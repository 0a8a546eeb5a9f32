"""Fuzzing loading and validation: any YAML, any text and any mangled record give errors, never an exception."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import LEDGER_YML, OWNERS_YML, PROBLEM, REPO
from taizhang.ledger import repository as ledger
from taizhang import text
from taizhang.errors import Error

pytestmark = pytest.mark.slow  # builds sites, starts servers or browsers, or runs long: `make test` runs it, `-m "not slow"` leaves it out

# Derandomized by default, so CI runs the same examples every time; TAIZHANG_FUZZ=explore searches wider.
settings.register_profile("fuzz", max_examples=200, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ = settings.get_profile(os.environ.get("TAIZHANG_FUZZ", "fuzz"))

PATH = "records/A1/P01.md"
AS_OF = date(2023, 9, 15)


def assert_errors(errors: list[Error]) -> None:
    """Every error is the ledger's own kind and prints as one SPEC section 4 line: PATH:LINE: FIELD: MESSAGE."""
    for error in errors:
        assert isinstance(error, Error)
        line = str(error)
        where, field, message = line.split(": ", 2)
        assert where == f"{error.path}:{error.line}" and error.line >= 1, line
        assert field.strip() and message.strip() and "\n" not in line and "\r" not in line, line


def parse(data: bytes) -> None:
    problem, errors = ledger.parse_problem(data, PATH)
    assert_errors(errors)
    assert problem is not None or errors


# -- arbitrary YAML documents ------------------------------------------------------------------------

KEYS = ["id", "area", "title", "public", "manifestations", "measures", "text", "addresses", "leader", "department",
        "owner", "due", "status", "progress", "outcome", "done_on", "evidence", "path", "url", "closed_on", "closed_by",
        "extensions", "from", "to", "approved_by", "approved_on", "reason", "rechecks", "date", "by", "result", "note",
        "extra", "on", "yes", "<<"]
VALUES = ["P01", "A1", "P01-1", "P01-M1", "zhangsan", "dzb", "long_term", "done", "closed", "in_progress",
          "not_started", "passed", "relapsed", "2023-09-30", "2023-02-30", "2023-9-1", "true", "yes", "~", "",
          "evidence/x.pdf", "../x", "/etc/passwd", "javascript:alert(1)", "<script>", "{{ 7*7 }}", "a: b", "- x"]

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.dates()
           | st.sampled_from(VALUES) | st.text(max_size=20))
keys = st.sampled_from(KEYS) | st.text(max_size=10) | st.integers(-3, 3) | st.booleans()
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=6),
                         max_leaves=40)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
                      max_leaves=8)


@FUZZ
@given(documents)
def test_any_yaml_document(document: object) -> None:
    parse(f"---\n{yaml.safe_dump(document, allow_unicode=True)}---\nbody\n".encode())


@FUZZ
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=8))
def test_any_problem_shaped_mapping(document: dict[str, object]) -> None:
    parse(f"---\n{yaml.safe_dump(document, allow_unicode=True)}---\n".encode())


# -- raw text and bytes ------------------------------------------------------------------------------

yaml_text = st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>'\"#%@`?,\n\t \\") + ["a", "1", "中", "\ufeff", "\r", "\x00", "\x85", "\u2028"]),
                    max_size=80)


@FUZZ
@given(yaml_text)
def test_any_front_matter_text(source: str) -> None:
    parse(f"---\n{source}\n---\n".encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_any_bytes(data: bytes) -> None:
    parse(data)
    parse(b"---\n" + data)


# -- mutated reference records -----------------------------------------------------------------------

def reference_records() -> list[bytes]:
    found = [PROBLEM.encode()]
    if (REPO / "records").is_dir():
        found += [p.read_bytes() for p in sorted((REPO / "records").glob("*/*.md"))[:6]]
    return found


RECORDS = reference_records()


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A reference record with a few lines or bytes deleted, inserted, duplicated or swapped."""
    lines = draw(st.sampled_from(RECORDS)).split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "bytes", "indent"]))
        if action == "delete" and len(lines) > 1:
            del lines[i]
        elif action == "duplicate":
            lines.insert(j, lines[i])
        elif action == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "insert":
            lines.insert(i, draw(st.binary(max_size=12) | st.sampled_from([b"---", b"  - id: P01-M1", b"status: closed", b"\t", b"&a", b"*a"])))
        elif action == "bytes":
            line = lines[i]
            k = draw(st.integers(0, len(line)))
            lines[i] = line[:k] + draw(st.binary(max_size=4)) + line[k + draw(st.integers(0, 3)):]
        elif action == "indent":
            lines[i] = draw(st.sampled_from([b" ", b"  ", b"\t"])) + lines[i]
    return b"\n".join(lines)


@FUZZ
@given(mutated())
def test_mutated_record(data: bytes) -> None:
    parse(data)


# -- the whole ledger: loading and cross-record rules ------------------------------------------------

def small_ledger(folder: Path) -> Path:
    for name, content in {"records/ledger.yml": LEDGER_YML, "records/owners.yml": OWNERS_YML, PATH: PROBLEM}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def mangle(data: bytes, draw: st.DrawFn) -> bytes:
    lines = data.split(b"\n")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(st.sampled_from([b"", lines[i][: len(lines[i]) // 2], lines[i] + b": x", b"  " + lines[i],
                                         lines[i].replace(b":", b""), lines[i - 1]]))
    return b"\n".join(lines)


@FUZZ
@given(st.data())
def test_mutated_ledger_loads(data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = small_ledger(Path(folder))
        name = data.draw(st.sampled_from(["records/ledger.yml", "records/owners.yml", PATH]))
        (root / name).write_bytes(mangle((root / name).read_bytes(), data.draw))
        loaded, errors = ledger.load(root, AS_OF)
        assert_errors(errors)


def test_reference_ledger_mangled_once_each_way(tmp_path: Path) -> None:
    """Every record of the reference ledger with its last front matter line dropped still loads."""
    if not (REPO / "records").is_dir():
        return
    shutil.copytree(REPO / "records", tmp_path / "records")
    for path in sorted((tmp_path / "records").glob("*/*.md")):
        lines = path.read_bytes().split(b"\n")
        end = lines.index(b"---", 1)
        path.write_bytes(b"\n".join(lines[: end - 1] + lines[end:]))
    loaded, errors = ledger.load(tmp_path, AS_OF)
    assert_errors(errors)
    assert errors


# -- text helpers: any string goes through ------------------------------------------------------------

@FUZZ
@given(st.text())
def test_text_helpers_take_any_string(value: str) -> None:
    assert "\n" not in text.inline(value) and "<" not in text.inline(value) and "|" not in text.inline(value)
    assert "<" not in text.body(value) and "{" not in text.body(value)
    title = yaml.safe_load("title: " + text.title(value))["title"]
    assert "<" not in title
