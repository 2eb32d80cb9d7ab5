#!/usr/bin/env bash
# Set up and run the whole test suite: Rust format, lints and unit tests, the Python
# package built from source, the release wheel (manylinux2014, abi3) and sdist, ruff,
# mypy (strict), stubtest of the compiled module, pytest with doctests, and the notebooks.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '==> %s\n' "$*"; }

export HRH_DATA="${HRH_DATA:-$(cd .. && pwd)/shared/data}"
step "pip install -e '.[dev]' (builds the extension)"
python3 -m pip install --quiet --upgrade pip
python3 -m pip install --quiet -e '.[dev]'

step "cargo fmt --check"
cargo fmt --all --check
step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
step "cargo test -p hrh-core"
cargo test -p hrh-core --quiet

# The wheel a release publishes: abi3, manylinux2014 (glibc 2.17) through zig, stripped;
# tests/test_wheel.py installs it where there is no Rust. Its own target folder keeps the
# editable build's artefacts in target/ untouched.
dist=target/wheelbuild/dist
step "maturin build --zig --compatibility manylinux2014 and maturin sdist (into $dist)"
python3 -m pip install --quiet 'maturin>=1.9.4,<2' ziglang auditwheel
rm -rf "$dist"
CARGO_TARGET_DIR=target/wheelbuild python3 -m maturin build --release --zig \
    --compatibility manylinux2014 --strip --out "$dist" --quiet
python3 -m maturin sdist --out "$dist" >"$dist/sdist.log" 2>&1 || { cat "$dist/sdist.log"; exit 1; }
HRH_WHEEL="$(ls "$dist"/hrh-*-manylinux*.whl)"
HRH_SDIST="$(ls "$dist"/hrh-*.tar.gz)"
export HRH_WHEEL HRH_SDIST
step "built $(basename "$HRH_WHEEL") ($(du -k "$HRH_WHEEL" | cut -f1) KiB), $(basename "$HRH_SDIST")"

step "ruff check"
python3 -m ruff check .
step "ruff format --check"
python3 -m ruff format --check .
step "mypy --strict"
python3 -m mypy
step "mypy.stubtest hrh._core"
python3 -m mypy.stubtest hrh._core
step "pytest (with doctests, the wheel test and the notebooks)"
python3 -m pytest -q -rs
