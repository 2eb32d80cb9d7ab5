#!/usr/bin/env bash
# Set up and run the whole test suite: Rust format, lints and unit tests, the Python
# package built from source, ruff, mypy (strict), stubtest of the compiled module,
# pytest with doctests, and the notebooks.
set -euo pipefail
cd "$(dirname "$0")/.."

export HRH_DATA="${HRH_DATA:-$(cd .. && pwd)/shared/data}"
python3 -m pip install --quiet --upgrade pip
python3 -m pip install --quiet -e '.[dev]'

cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test -p hrh-core --quiet

python3 -m ruff check .
python3 -m ruff format --check .
python3 -m mypy
python3 -m mypy.stubtest hrh._core
python3 -m pytest -q
