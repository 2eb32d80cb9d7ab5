"""PEP 517 build backend of hrh: maturin's hooks, after checking that Rust is installed.

Building hrh from source (``pip install .`` or the sdist) compiles the Rust core, so it
needs ``cargo``. Without it maturin would try to download a toolchain and end in a long
traceback; every hook here first checks for a working ``cargo`` and otherwise stops with
one line that says how to get Rust or a prebuilt wheel. With Rust present the hooks are
maturin's own, unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import maturin

if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, TypeAlias

    Settings: TypeAlias = Mapping[str, Any] | None

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]

RUSTUP_URL = "https://rustup.rs"


def _missing_rust() -> str | None:
    """Why ``cargo`` cannot be used, or ``None`` when it runs."""
    cargo = shutil.which("cargo")
    if cargo is None:
        return "cargo was not found on PATH"
    try:
        done = subprocess.run(
            [cargo, "--version"], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"`cargo --version` failed ({exc.__class__.__name__})"
    if done.returncode != 0 or not done.stdout.startswith("cargo "):
        return f"`cargo --version` failed (exit status {done.returncode})"
    return None


def _require_rust() -> None:
    reason = _missing_rust()
    if reason is not None:
        sys.stderr.write(
            f"error: building hrh from source needs Rust ({reason}): install it from "
            f"{RUSTUP_URL} and retry, or install a prebuilt wheel from PyPI with "
            "`pip install hrh`\n"
        )
        sys.stderr.flush()
        raise SystemExit(1)
    # cargo is there: never let maturin fall back to downloading a toolchain.
    os.environ.setdefault("MATURIN_NO_INSTALL_RUST", "1")


def get_requires_for_build_wheel(config_settings: Settings = None) -> list[str]:
    _require_rust()
    return list(maturin.get_requires_for_build_wheel(config_settings))


def get_requires_for_build_editable(config_settings: Settings = None) -> list[str]:
    _require_rust()
    return list(maturin.get_requires_for_build_editable(config_settings))


def get_requires_for_build_sdist(config_settings: Settings = None) -> list[str]:
    _require_rust()
    return list(maturin.get_requires_for_build_sdist(config_settings))


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: Settings = None
) -> str:
    _require_rust()
    return str(maturin.prepare_metadata_for_build_wheel(metadata_directory, config_settings))


def prepare_metadata_for_build_editable(
    metadata_directory: str, config_settings: Settings = None
) -> str:
    _require_rust()
    return str(maturin.prepare_metadata_for_build_editable(metadata_directory, config_settings))


def build_wheel(
    wheel_directory: str, config_settings: Settings = None, metadata_directory: str | None = None
) -> str:
    _require_rust()
    return str(maturin.build_wheel(wheel_directory, config_settings, metadata_directory))


def build_editable(
    wheel_directory: str, config_settings: Settings = None, metadata_directory: str | None = None
) -> str:
    _require_rust()
    return str(maturin.build_editable(wheel_directory, config_settings, metadata_directory))


def build_sdist(sdist_directory: str, config_settings: Settings = None) -> str:
    _require_rust()
    return str(maturin.build_sdist(sdist_directory, config_settings))
