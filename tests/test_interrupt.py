"""Long calls stop on Ctrl-C with KeyboardInterrupt and report progress when asked."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import hrh

CHILD = textwrap.dedent(
    """
    import time, hrh
    regions = [f"R{i}" for i in range(200)]
    doc = {"start_year": 2024, "horizon": 40, "regions": regions,
           "cadres": [{"name": "nurse", "retirement_age": 65,
                       "attrition": {"rate": {"dist": "beta", "a": 5, "b": 95}},
                       "entrants": {"per_year": {"dist": "uniform", "low": 5, "high": 10},
                                    "age": {"mean": 25}},
                       "demand": {"method": "quota", "quota": 100}}],
           "stock": [{"region": r, "cadre": "nurse", "age": 30, "count": 100}
                     for r in regions]}
    print("start", flush=True)
    try:
        # Hours of work (8.2e10 draw-cell-years, past the default HRH_MAX_WORK, which
        # the parent raises): it can only end by the interrupt.
        hrh.simulate(doc, draws=10**7, seed=1, progress=True, quantiles="streaming")
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_a_simulation() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HRH_MAX_WORK": "1e12"},
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "start"
    time.sleep(2.5)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert out.strip() == "interrupted", (out, err)
    assert child.returncode == 0
    # progress=True wrote the share done to stderr while it ran.
    assert "hrh.simulate:" in err and "%" in err, err[-500:]


TREND_CHILD = textwrap.dedent(
    """
    import hrh, numpy as np, polars as pl
    rng = np.random.default_rng(1)
    n, t = 2000, 30
    df = pl.DataFrame({"g": np.repeat(np.arange(n), t), "t": np.tile(np.arange(t), n),
                       "v": rng.normal(size=n * t).cumsum()})
    print("start", flush=True)
    try:
        # Minutes of work (automatic ARIMA on 2,000 series).
        hrh.trend(df, time="t", value="v", by="g", model="arima", progress=True)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_many_series_fits() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", TREND_CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "start"
    time.sleep(2.5)
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert out.strip() == "interrupted", (out, err)
    assert "hrh.trend:" in err, err[-500:]


def test_progress_argument() -> None:
    doc = {
        "start_year": 2024,
        "horizon": 2,
        "regions": ["A"],
        "cadres": [
            {
                "name": "n",
                "retirement_age": 60,
                "attrition": {"rate": 0.1},
                "demand": {"method": "quota", "quota": 10},
            }
        ],
        "stock": [{"region": "A", "cadre": "n", "age": 30, "count": 10}],
    }
    quiet = hrh.simulate(doc, draws=10, seed=1, progress=False)
    loud = hrh.simulate(doc, draws=10, seed=1, progress=True)
    assert quiet.table.equals(loud.table)
    with pytest.raises(hrh.InputError, match="argument 'progress'"):
        hrh.simulate(doc, draws=10, seed=1, progress="yes")  # type: ignore[arg-type]


FIT_CHILD = textwrap.dedent(
    """
    import numpy as np
    from hrh import _core
    rng = np.random.default_rng(1)
    n, p = 50_000, 800
    t = rng.exponential(size=n) + 0.001
    e = rng.integers(0, 2, n).astype(np.uint32)
    c = rng.integers(0, 3, n).astype(np.uint32)
    x = rng.normal(size=(n, p))
    names = [f"x{{j}}" for j in range(p)]
    print("start", flush=True)
    try:
        # Minutes of work (each pass over the rows costs n p^2), past the 60 s the
        # parent waits: only a fit that stops on the interrupt ends in time. The core
        # is called directly (what hrh.cox, hrh.parametric and hrh.fine_gray call) so
        # that the interrupt lands in the fit, not in the preparation of the data.
        {call}
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    """
)

FITS = {
    "cox": '_core.cox(t, e, x, names, None, None, None, ties="efron")',
    "parametric": '_core.parametric_fit(t, e, x, names, None, None, dist="weibull")',
    "fine_gray": "_core.fine_gray(t, c, x, names, max_iter=25, tol=1e-6)",
}

GRAY_CHILD = textwrap.dedent(
    """
    import numpy as np, hrh
    from hrh import _core
    rng = np.random.default_rng(1)
    n = 100_000
    t = rng.exponential(size=n)
    cause = rng.integers(0, 3, n).astype(np.uint32)
    group = (np.arange(n) % 200).astype(np.uint32)
    print("start", flush=True)
    try:
        # Minutes of work (200 groups). Called directly so that the interrupt
        # lands in Gray's test itself, not in the curves hrh.cumulative_incidence
        # computes first.
        _core.gray_test(t, cause, group, 200, 1)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    """
)


def _interrupted(script: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "start"
        time.sleep(2.5)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        # A call that does not stop would otherwise run on for minutes.
        child.kill()
        child.wait()
    assert out.strip() == "interrupted", (out, err[-2000:])
    assert child.returncode == 0


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("fit", sorted(FITS))
def test_ctrl_c_stops_a_model_fit(fit: str) -> None:
    _interrupted(FIT_CHILD.format(call=FITS[fit]))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_grays_test() -> None:
    _interrupted(GRAY_CHILD)


PREDICT_CHILD = textwrap.dedent(
    """
    import numpy as np
    from hrh import _core
    rng = np.random.default_rng(1)
    n, p = 1_000, 300
    t = rng.exponential(size=n) + 0.001
    e = rng.integers(0, 2, n).astype(np.uint32)
    x = rng.normal(size=(n, p))
    names = [f"x{j}" for j in range(p)]
    _, model = _core.cox(t, e, x, names, None, None, None, ties="breslow")
    m = 10_000
    x_new = rng.normal(size=(m, p))
    times = np.linspace(0.01, 2.0, 200)
    print("start", flush=True)
    try:
        # Minutes of work (each of the m x 200 points costs p^2): only a prediction
        # that stops on the interrupt ends in time.
        model.predict(x_new, np.zeros(m, dtype=np.uint32), None, times, level=0.95)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_a_cox_prediction() -> None:
    _interrupted(PREDICT_CHILD)


PARAMETRIC_PREDICT_CHILD = textwrap.dedent(
    """
    import numpy as np
    from hrh import _core
    rng = np.random.default_rng(1)
    n, p = 2_000, 300
    t = rng.exponential(size=n) + 0.001
    e = rng.integers(0, 2, n).astype(np.uint32)
    x = rng.normal(size=(n, p))
    names = [f"x{j}" for j in range(p)]
    _, model = _core.parametric_fit(t, e, x, names, None, None, dist="weibull")
    m = 20_000
    x_new = rng.normal(size=(m, p))
    at = np.linspace(0.01, 2.0, 200)
    print("start", flush=True)
    try:
        # Minutes of work (each of the m x 200 points costs p^2 for its standard
        # error): only a prediction that stops on the interrupt ends in time.
        model.predict(x_new, at, kind="survival", level=0.95)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_a_parametric_prediction() -> None:
    _interrupted(PARAMETRIC_PREDICT_CHILD)
