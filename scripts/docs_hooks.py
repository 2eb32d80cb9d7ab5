"""MkDocs hooks: pages generated on every build, so that they cannot drift.

- ``reference/scenario.md``: the scenario document's reference, from the parser's serde
  structs (``scripts/scenario_reference.py``);
- ``api/<module>.md``: one API page per module, with every name in ``hrh.__all__``
  (mkdocstrings renders each from its docstring);
- ``notebooks/*.ipynb``: every notebook in ``notebooks/`` as it is stored, with its
  outputs (mkdocs-jupyter renders them without executing them).

The navigation's "API reference" and "Notebooks" sections are filled in here too.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

# API pages: (page, title, module whose public names it lists).
API_PAGES = [
    ("density", "Density", "hrh.density"),
    ("equity", "Equity", "hrh.equity"),
    ("attrition", "Attrition", "hrh.attrition"),
    ("forecast", "Forecasting", "hrh.forecast"),
    ("planning", "Planning", "hrh.planning"),
    ("economics", "Economics", "hrh.economics"),
    ("evidence", "Evidence", "hrh.evidence"),
    ("datasets", "Data sets", "hrh.datasets"),
    ("norms", "Norms", "hrh.norms"),
    ("exceptions", "Exceptions", "hrh.exceptions"),
]


def _scenario_reference() -> Any:
    spec = importlib.util.spec_from_file_location(
        "scenario_reference", ROOT / "scripts" / "scenario_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["scenario_reference"] = module
    spec.loader.exec_module(module)
    return module


def api_names() -> dict[str, list[str]]:
    """Every callable or class of ``hrh.__all__`` under the module that defines it."""
    import hrh

    pages: dict[str, list[str]] = {module: [] for _, _, module in API_PAGES}
    for name in hrh.__all__:
        obj = getattr(hrh, name)
        if inspect.ismodule(obj) or not (inspect.isclass(obj) or callable(obj)):
            continue
        # A package's private submodules (hrh.attrition._cox) share the package's page;
        # a private package named after its main function (hrh._density, whose function
        # is hrh.density) has the page of that name.
        parts = obj.__module__.split(".")
        public = next((i for i, part in enumerate(parts) if part.startswith("_")), len(parts))
        module = ".".join(parts[:public]) if public > 1 else f"hrh.{parts[1].lstrip('_')}"
        if module not in pages:
            raise RuntimeError(f"hrh.{name} is defined in {module}, which has no API page")
        pages[module].append(name)
    return pages


def _api_page(title: str, module: str, names: list[str]) -> str:
    if module in ("hrh.evidence", "hrh.datasets", "hrh.norms"):
        # Modules used as namespaces (`hrh.evidence.rate`): every public name they export.
        return f"# {title}\n\n::: {module}\n"
    if module == "hrh.exceptions":
        # Defined in the compiled core and re-exported: the module's text, then each class.
        lines = [f"# {title}", "", f"::: {module}", "    options:", "      members: false", ""]
        return "\n".join(lines + [f"::: {module}.{name}\n" for name in names])
    lines = [f"# {title}", "", f"Every name here is imported from `hrh` (`hrh.{names[0]}`).", ""]
    for name in names:
        lines += [f"::: hrh.{name}", "    options:", "      show_root_full_path: false", ""]
    return "\n".join(lines)


def _title(path: Path) -> str:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                for line in "".join(cell.get("source", [])).splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
    except (OSError, ValueError):
        pass
    return path.stem.replace("_", " ").capitalize()


def on_config(config: Any) -> Any:
    nav = config["nav"]
    for i, entry in enumerate(nav):
        if isinstance(entry, dict) and "API reference" in entry:
            nav[i] = {"API reference": [{t: f"api/{p}.md"} for p, t, _ in API_PAGES]}
        if isinstance(entry, dict) and "Notebooks" in entry:
            books = sorted(NOTEBOOKS.glob("*.ipynb"))
            nav[i] = {"Notebooks": [{_title(b): f"notebooks/{b.name}"} for b in books]}
    return config


@event_priority(100)  # before mkdocs-jupyter, which turns .ipynb files into pages
def on_files(files: Files, config: Any) -> Files:
    files.append(
        File.generated(config, "reference/scenario.md", content=_scenario_reference().render())
    )
    names = api_names()
    for page, title, module in API_PAGES:
        files.append(
            File.generated(
                config, f"api/{page}.md", content=_api_page(title, module, names[module])
            )
        )
    for book in sorted(NOTEBOOKS.glob("*.ipynb")):
        # A real file (not File.generated): mkdocs-jupyter reads it through `src_dir`.
        files.append(
            File(
                f"notebooks/{book.name}",
                src_dir=str(ROOT),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files
