"""Sizes that come from user input are checked before anything is allocated: each of
these used to panic (an index or capacity overflow) or abort the interpreter when the
allocator failed. Each runs in a fresh process, so that a regression that aborts shows as
a failed test rather than killing the run."""

from __future__ import annotations

import subprocess
import sys

import pytest

CASES = [
    (
        'hrh.life_table({"years": [1.0, 1e308], "left": [1, 1]}, duration="years", '
        'event="left", width=1)',
        "argument 'width': 1 cuts durations up to 1e308",
    ),
    (
        'hrh.life_table({"years": [1.0, 2.5], "left": [1, 0]}, duration="years", '
        'event="left", width=1e-308)',
        "into inf intervals",
    ),
    (
        'hrh.life_table({"years": [1, 2**63 - 1], "left": [1, 1]}, duration="years", '
        'event="left", width=1)',
        "more than 1000000: use a wider interval",
    ),
    (
        'hrh.life_table({"years": [1.0, 1e12], "left": [1, 1]}, duration="years", '
        'event="left", width=1)',
        "into 1e12 intervals",
    ),
    (
        "hrh.trend(time=[1, 2, 3, 4, 5], value=[1.0, 2, 3, 4, 5.5], horizon=2**62)",
        "must be an integer from 1 to 10,000",
    ),
    (
        "hrh.trend(time=[1, 2, 3, 4, 5], value=[1.0, 2, 3, 4, 5.5], horizon=10**9)",
        "must be an integer from 1 to 10,000",
    ),
    (
        'hrh.trend({"t": [1, 2, 3, 10**12], "v": [1.0, 2, 3, 4]}, time="t", value="v", '
        'fill="linear")',
        "would make 1e+12 time points",
    ),
    (
        'hrh.wisn({"workload": [100.0], "unit_time": [1.0], "unit_time_low": [0.5], '
        '"unit_time_high": [2.0]}, available_time=1760, draws=2**63, seed=1)',
        "argument 'draws': 9223372036854775808 must be an integer from 0 to 2**63 - 1",
    ),
    (
        'hrh.wisn({"workload": [100.0], "unit_time": [1.0], "unit_time_low": [0.5], '
        '"unit_time_high": [2.0]}, available_time=1760, draws=10**9, seed=1)',
        "must be from 2 to 10000000",
    ),
    (
        'hrh.equity({"staff": [10, 20, 30], "pop": [1000, 2000, 3000]}, staff="staff", '
        'population="pop", bootstrap=2**40, seed=1)',
        "replicates is more than 1000000",
    ),
]


@pytest.mark.parametrize(("call", "message"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_sizes_are_checked_before_allocation(call: str, message: str) -> None:
    script = (
        "import hrh\n"
        f"try:\n    {call}\n"
        "except hrh.InputError as e:\n    print('InputError:', e)\n"
        "else:\n    print('no error')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("InputError:"), done.stdout + done.stderr[-2000:]
    assert message in done.stdout, done.stdout
