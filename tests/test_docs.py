"""The documentation: the site builds in strict mode, every public name's docstring has
its numpydoc sections, and the scenario reference matches the parser both ways."""

from __future__ import annotations

import builtins
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import hrh
import hrh.exceptions

ROOT = Path(__file__).resolve().parent.parent


def _load_script(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


ref = _load_script("scenario_reference")


# --- the site -----------------------------------------------------------------------


def _docs_tools_missing() -> str | None:
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python", "mkdocs_jupyter"):
        if importlib.util.find_spec(module) is None:
            return module
    return None


def test_site_builds_in_strict_mode(tmp_path: Path) -> None:
    missing = _docs_tools_missing()
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the docs dependencies are missing ({missing}): pip install -e '.[dev]'")
        pytest.skip(f"docs dependencies not installed ({missing}); pip install -e '.[dev]'")
    site = tmp_path / "site"
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=900,
    )
    problems = [line for line in run.stderr.splitlines() if not line.startswith("INFO")]
    assert run.returncode == 0, "\n".join(problems)[-6000:]
    # The generated pages are there: the scenario reference, one API page per module
    # with every public name, every notebook.
    scenario = (site / "reference" / "scenario" / "index.html").read_text(encoding="utf-8")
    assert "retirement_age" in scenario and "fill_vacancies" in scenario
    api = "".join(p.read_text(encoding="utf-8") for p in (site / "api").rglob("*.html"))
    for name in hrh.__all__:
        obj = getattr(hrh, name)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            assert f'id="hrh.exceptions.{name}"' in api, f"hrh.{name} has no API entry"
        elif inspect.isclass(obj) or inspect.isfunction(obj):
            assert f'id="hrh.{name}"' in api, f"hrh.{name} has no API entry"
    for book in (ROOT / "notebooks").glob("*.ipynb"):
        assert (site / "notebooks" / book.stem / "index.html").exists(), book.name
    assert (site / "architecture" / "index.html").exists()


# --- docstrings ---------------------------------------------------------------------

SECTION = re.compile(r"^([A-Z][A-Za-z ]+)\n-{3,}\s*$", re.M)


def _sections(doc: str) -> dict[str, str]:
    """numpydoc sections of a docstring: title -> body."""
    heads = list(SECTION.finditer(doc))
    return {
        h.group(1): doc[h.end() : heads[i + 1].start() if i + 1 < len(heads) else len(doc)]
        for i, h in enumerate(heads)
    }


def _entries(body: str) -> list[str]:
    """The names an indented numpydoc list documents (``a, b : type`` -> a, b)."""
    names: list[str] = []
    for line in body.splitlines():
        if line and not line[0].isspace():
            head = line.split(" : ")[0].strip()
            names += [n.strip().lstrip("*") for n in head.split(",")]
    return [n for n in names if n]


def _prose_types(label: str, section: str, body: str) -> list[str]:
    """numpydoc puts a type after ``name :``, the description on the lines below; a
    sentence in the type's place renders as a type in the API reference."""
    out = []
    for line in body.splitlines():
        if line and not line[0].isspace() and " : " in line:
            kind = line.split(" : ", 1)[1]
            if len(kind) > 40 or re.search(r"[a-z]{3,} [a-z]{3,} [a-z]{3,}", kind):
                out.append(f"{label}: {section} line {line[:50]!r}... has prose as its type")
    return out


def _public() -> list[tuple[str, Any]]:
    out = []
    for name in hrh.__all__:
        obj = getattr(hrh, name)
        if inspect.ismodule(obj) or isinstance(obj, str):
            continue
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            continue
        out.append((name, obj))
    return out


def _params(func: Any) -> list[str]:
    sig = inspect.signature(func)
    return [p for p in sig.parameters if p not in ("self", "cls")]


def _check_function(label: str, func: Any, need_all: bool = True) -> list[str]:
    doc = inspect.getdoc(func) or ""
    secs = _sections(doc)
    problems = []
    params = _params(func)
    wanted = ["Returns", "Raises", "Examples", "References"] if need_all else ["Returns"]
    if params:
        wanted.insert(0, "Parameters")
    for s in wanted:
        if s not in secs:
            problems.append(f"{label}: no {s} section")
    if params and "Parameters" in secs:
        documented = _entries(secs["Parameters"])
        for p in params:
            if p not in documented:
                problems.append(f"{label}: argument '{p}' not in Parameters")
        for d in documented:
            if d not in params:
                problems.append(f"{label}: Parameters names '{d}', which is not an argument")
    for s in ("Parameters", "Returns"):
        problems += _prose_types(label, s, secs.get(s, ""))
    if "Raises" in secs:
        for cls in _entries(secs["Raises"]):
            known = hasattr(hrh.exceptions, cls) or isinstance(getattr(builtins, cls, None), type)
            if not known:
                problems.append(f"{label}: Raises names '{cls}', not an exception class")
    if "Examples" in secs and ">>>" not in secs["Examples"]:
        problems.append(f"{label}: Examples has no doctest")
    return problems


def _docstring_problems() -> list[str]:
    problems: list[str] = []
    for name, obj in _public():
        if inspect.isclass(obj):
            secs = _sections(inspect.getdoc(obj) or "")
            for s in ("Attributes", "Examples", "References"):
                if s not in secs:
                    problems.append(f"hrh.{name}: no {s} section")
            if "Examples" in secs and ">>>" not in secs["Examples"]:
                problems.append(f"hrh.{name}: Examples has no doctest")
            problems += _prose_types(f"hrh.{name}", "Attributes", secs.get("Attributes", ""))
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not inspect.isfunction(member):
                    continue
                if _params(member):
                    problems += _check_function(f"hrh.{name}.{attr}", member, need_all=False)
        else:
            problems += _check_function(f"hrh.{name}", obj)
    return problems


def test_docstrings_have_numpydoc_sections() -> None:
    """Every public function: Parameters (naming exactly its arguments), Returns,
    Raises (hrh exception classes), Examples (doctests) and References. Every result
    class: Attributes, Examples and References, and its methods that take arguments
    Parameters and Returns."""
    problems = _docstring_problems()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_docstring_check_catches_a_missing_section() -> None:
    def f(x: int) -> int:
        """Do it.

        Returns
        -------
        int
        """
        return x

    problems = _check_function("f", f)
    assert "f: no Parameters section" in problems
    assert "f: no References section" in problems

    def g(x: int) -> int:
        """Do it.

        Parameters
        ----------
        x : the number that comes back unchanged
        y : int

        Returns
        -------
        int

        Raises
        ------
        NoSuchError
        """
        return x

    problems = _check_function("g", g)
    assert "g: Parameters names 'y', which is not an argument" in problems
    assert "g: Raises names 'NoSuchError', not an exception class" in problems
    assert any("has prose as its type" in p for p in problems)


# --- the scenario reference ----------------------------------------------------------


def test_every_serde_field_is_documented_and_every_entry_is_a_field() -> None:
    structs = ref.rust_structs()
    fields = {f"{s}.{f.name}" for s, fs in structs.items() for f in fs}
    assert len(structs) >= 15 and len(fields) >= 100  # the parser was read
    assert sorted(fields - set(ref.NOTES)) == [], "serde fields missing from NOTES"
    assert sorted(set(ref.NOTES) - fields) == [], "NOTES entries that are not serde fields"
    assert set(structs) == set(ref.PLACES)
    for s, fs in structs.items():
        for f in fs:
            note = ref.NOTES[f"{s}.{f.name}"]
            assert f.doc or len(note) > 2, f"{s}.{f.name} has no description"
            # A default is given exactly for the keys serde lets a document leave out.
            assert (note[0] is None) == f.required, f"{s}.{f.name}: default vs required"


def test_every_documented_key_is_accepted_by_the_parser() -> None:
    structs = ref.rust_structs()
    fields = {f"{s}.{f.name}" for s, fs in structs.items() for f in fs}
    used: set[str] = set()
    for label, doc in ref.EXAMPLES.items():
        info = hrh.check_scenario(doc)  # raises ScenarioError on any bad key
        assert info["start_year"] == doc["start_year"], label
        used |= ref.used_keys(doc)
    assert sorted(fields - used) == [], "keys no example uses"
    kinds = {f"Dist.{k}" for k in ref.dist_keys()}
    assert sorted(kinds - used) == [], "distributions no example uses"
    assert used <= fields | kinds


def test_an_undocumented_key_is_refused() -> None:
    doc = ref.EXAMPLES["plain"]
    bad = {**doc, "cadres": [{**doc["cadres"][0], "retire_age": 60}]}
    with pytest.raises(hrh.ScenarioError, match=r"cadres\[0\]\.retire_age"):
        hrh.check_scenario(bad)


def test_reference_parser_reads_new_fields() -> None:
    text = (
        "#[derive(Debug, Deserialize)]\n#[serde(deny_unknown_fields)]\npub struct X {\n"
        "    /// A.\n    pub a: u32,\n    #[serde(default)]\n    pub b: Vec<String>,\n"
        "    pub c: Option<Dist>,\n}\n"
    )
    fields = ref.rust_structs(text)["X"]
    assert [(f.name, f.required, f.doc) for f in fields] == [
        ("a", True, "A."),
        ("b", False, ""),
        ("c", False, ""),
    ]


def test_reference_page_lists_every_key() -> None:
    page = ref.render()
    for s, fs in ref.rust_structs().items():
        for f in fs:
            assert f"| `{f.name}` |" in page, f"{s}.{f.name}"


# --- the user guide's code ------------------------------------------------------------


def _python_blocks(text: str) -> list[tuple[int, str]]:
    found = re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M)
    return [(text[: m.start()].count("\n") + 2, m.group(1)) for m in found]


GUIDE = ["density", "equity", "attrition", "forecast", "planning", "economics", "scale"]


def test_user_guide_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guide's pages run as pasted, page after page in one session."""
    import shutil

    data = os.environ.get("HRH_DATA") or str(ROOT.parent / "shared" / "data")
    if not Path(data).is_dir():
        pytest.skip(f"the guide reads real data sets: HRH_DATA ({data}) is not a folder")
    pytest.importorskip("matplotlib")
    monkeypatch.setenv("HRH_DATA", data)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__guide__"}
    ran = 0
    for page in GUIDE:
        path = ROOT / "docs" / "guide" / f"{page}.md"
        for line, code in _python_blocks(path.read_text(encoding="utf-8")):
            try:
                exec(compile(code, f"{path.name}:{line}", "exec"), namespace)
            except Exception as e:
                raise AssertionError(f"docs/guide/{page}.md block at line {line}: {e!r}") from e
            ran += 1
    assert ran >= len(GUIDE)
    import matplotlib.pyplot as plt

    plt.close("all")
