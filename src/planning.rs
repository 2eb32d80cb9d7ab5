//! Binding of `hrh_core::planning`.

use hrh_core::planning::markov;
use hrh_core::planning::scenario;
use hrh_core::planning::simulate as sim;
use hrh_core::planning::wisn as w;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyString};

use hrh_core::control::Control;

use crate::errors::{option, run, run_controlled, to_pyerr};

type F64<'py> = PyReadonlyArray1<'py, f64>;
type U32<'py> = PyReadonlyArray1<'py, u32>;

/// WISN per group: the category allowances from the support activities applied to each
/// group (`support_group`, `support_value`, `support_per`: 0 percent, 1 hours a day, 2 a
/// week, 3 a year), the individual allowances from the additional activities
/// (`additional_group`, `additional_hours`, `additional_staff`), the staff required and,
/// per activity, the standard workload and staff; with `low`/`high` unit times and
/// `draws`, interval limits too.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (available_time, service_group, workload, unit_time, existing, n_groups, *, support_group, support_value, support_per, additional_group, additional_hours, additional_staff, hours_per_day, days_per_week, low=None, high=None, draws=0, level=0.95, seed=0))]
fn wisn<'py>(
    py: Python<'py>,
    available_time: F64<'py>,
    service_group: U32<'py>,
    workload: F64<'py>,
    unit_time: F64<'py>,
    existing: F64<'py>,
    n_groups: usize,
    support_group: U32<'py>,
    support_value: F64<'py>,
    support_per: PyReadonlyArray1<'py, u8>,
    additional_group: U32<'py>,
    additional_hours: F64<'py>,
    additional_staff: F64<'py>,
    hours_per_day: f64,
    days_per_week: f64,
    low: Option<F64<'py>>,
    high: Option<F64<'py>>,
    draws: usize,
    level: f64,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    const PER: [w::Per; 4] = [w::Per::Percent, w::Per::Day, w::Per::Week, w::Per::Year];
    let per = support_per
        .as_slice()?
        .iter()
        .map(|&p| PER.get(p as usize).copied())
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            to_pyerr(
                py,
                hrh_core::Error::input("per", "codes must be 0 to 3 (percent, day, week, year)"),
            )
        })?;
    let available_time = available_time.as_slice()?;
    let (service_group, workload, unit_time) = (
        service_group.as_slice()?,
        workload.as_slice()?,
        unit_time.as_slice()?,
    );
    let existing = existing.as_slice()?;
    let support = (support_group.as_slice()?, support_value.as_slice()?);
    let additional = (
        additional_group.as_slice()?,
        additional_hours.as_slice()?,
        additional_staff.as_slice()?,
    );
    let bounds = match (&low, &high) {
        (Some(l), Some(h)) => Some((l.as_slice()?, h.as_slice()?)),
        _ => None,
    };
    let (cas, ias, r, activities, interval) = run(py, || {
        let cas = w::category_allowance(
            support.0,
            support.1,
            &per,
            hours_per_day,
            days_per_week,
            available_time,
        )?;
        let ias = w::individual_allowance(additional.0, additional.1, additional.2, n_groups)?;
        let input = w::WisnInput {
            available_time,
            service_group,
            workload,
            unit_time,
            cas_percent: &cas,
            ias_hours: &ias,
            existing,
            n_groups,
        };
        let r = w::wisn(&input)?;
        let activities = w::activities(&input)?;
        let interval = match bounds {
            Some((l, h)) if draws > 0 => Some(w::wisn_interval(&input, l, h, draws, level, seed)?),
            _ => None,
        };
        Ok((cas, ias, r, activities, interval))
    })?;
    let d = PyDict::new(py);
    d.set_item("cas_percent", cas.into_pyarray(py))?;
    d.set_item("ias_hours", ias.into_pyarray(py))?;
    d.set_item("service_staff", r.service_staff.into_pyarray(py))?;
    d.set_item("caf", r.caf.into_pyarray(py))?;
    d.set_item("iaf", r.iaf.into_pyarray(py))?;
    d.set_item("required", r.required.into_pyarray(py))?;
    d.set_item("difference", r.difference.into_pyarray(py))?;
    d.set_item("ratio", r.ratio.into_pyarray(py))?;
    d.set_item("pressure", r.pressure.into_pyarray(py))?;
    d.set_item(
        "standard_workload",
        activities.standard_workload.into_pyarray(py),
    )?;
    d.set_item("staff", activities.staff.into_pyarray(py))?;
    if let Some((lo, hi)) = interval {
        d.set_item("required_lower", lo.into_pyarray(py))?;
        d.set_item("required_upper", hi.into_pyarray(py))?;
    }
    Ok(d)
}

/// Parse and check a JSON scenario; returns its dimensions and names.
#[pyfunction]
#[pyo3(signature = (json, *, stock=None))]
fn check_scenario<'py>(
    py: Python<'py>,
    json: &str,
    stock: Option<Bound<'py, PyList>>,
) -> PyResult<Bound<'py, PyDict>> {
    let stock = stock_of(py, stock)?;
    let m = run_controlled(py, None, "hrh.check_scenario", |c| model(json, stock, c))?;
    describe(py, &m)
}

/// The stock records given apart from the JSON document (read here, with the GIL, without
/// a trip through JSON).
fn stock_of(
    py: Python<'_>,
    stock: Option<Bound<'_, PyList>>,
) -> PyResult<Option<Vec<scenario::StockRow>>> {
    stock
        .map(|rows| stock_records(&rows))
        .transpose()
        .map_err(|e| to_pyerr(py, e))
}

/// The model of a JSON scenario document, with its stock records when given apart; run
/// without the GIL, stopping once `control` is cancelled.
fn model(
    json: &str,
    stock: Option<Vec<scenario::StockRow>>,
    control: &Control,
) -> hrh_core::Result<scenario::Model> {
    let mut doc = scenario::parse(json)?;
    control.check()?;
    if let Some(rows) = stock {
        doc.stock = rows;
    }
    scenario::compile_with(doc, control)
}

/// The Python type of a value, for messages.
fn kind(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map_or_else(|_| "value".to_string(), |n| n.to_string())
}

/// The error for value `v` of stock record `i` under `key`, not of the `expected` type.
fn invalid_type(v: &Bound<'_, PyAny>, i: usize, key: &str, expected: &str) -> hrh_core::Error {
    hrh_core::Error::Scenario {
        path: format!("stock[{i}].{key}"),
        message: format!("invalid type: {}, expected {expected}", kind(v)),
    }
}

/// A number of stock record `i` under `key` (a bool is not one), or an error naming them.
fn number<T>(
    v: &Bound<'_, PyAny>,
    i: usize,
    key: &str,
    expected: &str,
    get: impl Fn(&Bound<'_, PyAny>) -> PyResult<T>,
) -> hrh_core::Result<T> {
    match get(v) {
        Ok(x) if !v.is_instance_of::<PyBool>() => Ok(x),
        _ => Err(invalid_type(v, i, key, expected)),
    }
}

/// Stock records from a list of dicts, with errors naming `stock[i]` and its key as the
/// JSON reader does.
fn stock_records(rows: &Bound<'_, PyList>) -> hrh_core::Result<Vec<scenario::StockRow>> {
    const KEYS: &str = "`region`, `cadre`, `grade`, `age`, `count`";
    let bad = |path: String, message: String| hrh_core::Error::Scenario { path, message };
    let text = |v: &Bound<'_, PyAny>, i: usize, key: &str| -> hrh_core::Result<String> {
        match v.cast::<PyString>() {
            Ok(s) => Ok(s.to_string_lossy().into_owned()),
            Err(_) => Err(invalid_type(v, i, key, "a string")),
        }
    };
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let Ok(row) = row.cast::<PyDict>() else {
            return Err(bad(
                format!("stock[{i}]"),
                format!("invalid type: {}, expected a stock record", kind(&row)),
            ));
        };
        let (mut region, mut cadre, mut grade, mut age, mut count) = (None, None, None, None, None);
        for (k, v) in row.iter() {
            let key = k
                .cast::<PyString>()
                .map(|k| k.to_string_lossy().into_owned());
            match key.as_deref() {
                Ok("region") => region = Some(text(&v, i, "region")?),
                Ok("cadre") => cadre = Some(text(&v, i, "cadre")?),
                Ok("grade") if v.is_none() => {}
                Ok("grade") => grade = Some(text(&v, i, "grade")?),
                Ok("age") if v.is_none() => {}
                Ok("age") => age = Some(number(&v, i, "age", "u32", |v| v.extract())?),
                Ok("count") => count = Some(number(&v, i, "count", "f64", |v| v.extract())?),
                other => {
                    let name = other.map_or_else(|_| k.to_string(), str::to_string);
                    return Err(bad(
                        format!("stock[{i}]"),
                        format!("unknown field `{name}`, expected one of {KEYS}"),
                    ));
                }
            }
        }
        let missing = |f: &str| bad(format!("stock[{i}]"), format!("missing field `{f}`"));
        out.push(scenario::StockRow {
            region: region.ok_or_else(|| missing("region"))?,
            cadre: cadre.ok_or_else(|| missing("cadre"))?,
            grade,
            age,
            count: count.ok_or_else(|| missing("count"))?,
        });
    }
    Ok(out)
}

fn describe<'py>(py: Python<'py>, m: &scenario::Model) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", &m.name)?;
    d.set_item("currency", &m.currency)?;
    d.set_item("start_year", m.start_year)?;
    d.set_item("horizon", m.horizon)?;
    d.set_item("regions", &m.regions)?;
    d.set_item(
        "cadres",
        m.cadres.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "grades",
        m.cadres
            .iter()
            .map(|c| c.grades.clone())
            .collect::<Vec<_>>(),
    )?;
    d.set_item(
        "policies",
        m.policies
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>(),
    )?;
    d.set_item(
        "policy_years",
        m.policies.iter().map(|p| p.from_year).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "parameters",
        m.params
            .iter()
            .filter(|p| !matches!(p.dist, hrh_core::planning::param::Dist::Fixed(_)))
            .count(),
    )?;
    Ok(d)
}

fn summary<'py>(
    py: Python<'py>,
    d: &Bound<'py, PyDict>,
    key: &str,
    s: sim::Summary,
) -> PyResult<()> {
    d.set_item(format!("{key}_mean"), s.mean.into_pyarray(py))?;
    d.set_item(format!("{key}_quantiles"), s.quantiles.into_pyarray(py))?;
    Ok(())
}

/// The indices of the named policies of `m`, or an error naming one it does not have.
fn policy_indices(m: &scenario::Model, policies: &[String]) -> hrh_core::Result<Vec<usize>> {
    policies
        .iter()
        .map(|p| {
            m.policies.iter().position(|q| &q.name == p).ok_or_else(|| {
                let known: Vec<&str> = m.policies.iter().map(|q| q.name.as_str()).collect();
                hrh_core::Error::argument(
                    "policy",
                    format!("unknown policy '{p}' (scenario has: {})", known.join(", ")),
                )
            })
        })
        .collect()
}

/// The options of a simulation, from the arguments of [`simulate`] and its pieces.
struct SimArgs {
    draws: usize,
    seed: u64,
    policies: Vec<String>,
    mode: sim::QuantileMode,
    keep_draws: bool,
    binomial: bool,
    density: bool,
    max_memory: usize,
    max_work: u64,
    horizon_value: bool,
}

impl SimArgs {
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        draws: usize,
        seed: u64,
        policies: Vec<String>,
        quantiles: &Bound<'_, PyAny>,
        keep_draws: bool,
        flows: &Bound<'_, PyAny>,
        density: bool,
        max_memory: usize,
        max_work: u64,
        horizon_value: bool,
    ) -> PyResult<Self> {
        let mode = option(
            py,
            "quantiles",
            quantiles,
            &[
                ("auto", sim::QuantileMode::Auto),
                ("exact", sim::QuantileMode::Exact),
                ("streaming", sim::QuantileMode::Streaming),
            ],
        )?;
        let binomial = option(
            py,
            "flows",
            flows,
            &[("expected", false), ("binomial", true)],
        )?;
        if binomial && draws == 0 {
            return Err(to_pyerr(
                py,
                hrh_core::Error::argument(
                    "flows",
                    "binomial flows need draws > 0 (draws=0 is the expected path)",
                ),
            ));
        }
        Ok(SimArgs {
            draws,
            seed,
            policies,
            mode,
            keep_draws,
            binomial,
            density,
            max_memory,
            max_work,
            horizon_value,
        })
    }

    fn options(&self, m: &scenario::Model) -> hrh_core::Result<sim::Options> {
        Ok(sim::Options {
            draws: self.draws,
            seed: self.seed,
            policies: policy_indices(m, &self.policies)?,
            quantiles: self.mode,
            keep_draws: self.keep_draws,
            binomial: self.binomial,
            general_only: false,
            density: self.density,
            max_memory: self.max_memory,
            max_work: self.max_work,
            horizon_value: self.horizon_value,
        })
    }
}

/// A chunk's draws of one group handed over by Python: supply, demand, flows, costs,
/// each draw's costs and numbers after the horizon (see `simulate_parts`).
type Draws<'py> = Vec<Vec<Vec<F64<'py>>>>;

/// Run a scenario (`quantiles` "auto", "exact" or "streaming"; `flows` "expected" or
/// "binomial"), parsing and compiling it without the GIL. Arrays are flat, row-major over (year, region, cadre[, column]).
/// With `draws_from` (per chunk, per wave: each group's six arrays of `simulate_parts`,
/// over the whole chunk), the draws are taken from it instead of computed.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (json, *, stock=None, draws, seed, policies, quantiles, keep_draws, flows, density=false, max_memory=1 << 32, max_work=sim::MAX_WORK, horizon_value=false, progress_after=None, draws_from=None))]
fn simulate<'py>(
    py: Python<'py>,
    json: &str,
    stock: Option<Bound<'py, PyList>>,
    draws: usize,
    seed: u64,
    policies: Vec<String>,
    quantiles: &Bound<'py, PyAny>,
    keep_draws: bool,
    flows: &Bound<'py, PyAny>,
    density: bool,
    max_memory: usize,
    max_work: u64,
    horizon_value: bool,
    progress_after: Option<f64>,
    draws_from: Option<Draws<'py>>,
) -> PyResult<Bound<'py, PyDict>> {
    let stock = stock_of(py, stock)?;
    let args = SimArgs::new(
        py,
        draws,
        seed,
        policies,
        quantiles,
        keep_draws,
        flows,
        density,
        max_memory,
        max_work,
        horizon_value,
    )?;
    // Owned copies, read without the GIL; each chunk's are dropped once summarised.
    let mut given: Option<Vec<Vec<Vec<sim::GroupDraws>>>> = match draws_from {
        None => None,
        Some(chunks) => Some(
            chunks
                .iter()
                .map(|waves| waves.iter().map(|arrays| group_draws(arrays)).collect())
                .collect::<PyResult<_>>()?,
        ),
    };
    let (m, p) = run_controlled(py, progress_after, "hrh.simulate", |c| {
        let m = model(json, stock, c)?;
        let opts = args.options(&m)?;
        let p = match given.as_mut() {
            None => sim::simulate_with(&m, &opts, c)?,
            Some(chunks) => {
                let mut source = |ci: usize, wi: usize| {
                    let taken = chunks
                        .get_mut(ci)
                        .and_then(|w| w.get_mut(wi))
                        .map(std::mem::take);
                    taken.ok_or_else(|| {
                        hrh_core::Error::argument(
                            "draws_from",
                            format!("has no draws for chunk {ci}, wave {wi}"),
                        )
                    })
                };
                sim::simulate_from(&m, &opts, c, &mut source)?
            }
        };
        Ok((m, p))
    })?;
    let d = describe(py, &m)?;
    d.set_item("years", p.years)?;
    summary(py, &d, "supply", p.supply)?;
    summary(py, &d, "demand", p.demand)?;
    summary(py, &d, "gap", p.gap)?;
    summary(py, &d, "shortage", p.shortage)?;
    summary(py, &d, "surplus", p.surplus)?;
    d.set_item("p_gap", p.p_gap.into_pyarray(py))?;
    summary(py, &d, "total_supply", p.total_supply)?;
    summary(py, &d, "total_demand", p.total_demand)?;
    summary(py, &d, "total_gap", p.total_gap)?;
    d.set_item("total_p_gap", p.total_p_gap.into_pyarray(py))?;
    summary(py, &d, "total_shortage", p.total_shortage)?;
    summary(py, &d, "total_surplus", p.total_surplus)?;
    d.set_item("total_p_short", p.total_p_short.into_pyarray(py))?;
    d.set_item("draws_shortage", p.draws_shortage.into_pyarray(py))?;
    summary(py, &d, "density", p.density)?;
    summary(py, &d, "total_density", p.total_density)?;
    summary(py, &d, "total_theil", p.total_theil)?;
    d.set_item("draws_theil", p.draws_theil.into_pyarray(py))?;
    d.set_item("flow_names", hrh_core::planning::flows::names())?;
    d.set_item("flows", p.flows.into_pyarray(py))?;
    d.set_item("cost_items", p.cost_items)?;
    d.set_item("costs", p.costs.into_pyarray(py))?;
    summary(py, &d, "total_cost", p.total_cost)?;
    d.set_item("draws_total_supply", p.draws_total_supply.into_pyarray(py))?;
    d.set_item("draws_cost", p.draws_cost.into_pyarray(py))?;
    d.set_item("draws_after", p.draws_after.into_pyarray(py))?;
    d.set_item("draws_supply", p.draws_supply.into_pyarray(py))?;
    d.set_item("draws_demand", p.draws_demand.into_pyarray(py))?;
    d.set_item("probs", hrh_core::planning::quantile::PROBS.to_vec())?;
    let used = if p.quantiles == sim::QuantileMode::Streaming {
        "streaming"
    } else {
        "exact"
    };
    d.set_item("quantiles", used)?;
    Ok(d)
}

/// A wave's groups from six arrays per group.
fn group_draws(arrays: &[F64<'_>]) -> PyResult<Vec<sim::GroupDraws>> {
    if arrays.len() % 6 != 0 {
        return Err(pyo3::exceptions::PyValueError::new_err(
            "draws_from: six arrays per group",
        ));
    }
    arrays
        .chunks_exact(6)
        .map(|a| {
            let v = |i: usize| -> PyResult<Vec<f64>> { Ok(a[i].as_slice()?.to_vec()) };
            Ok(sim::GroupDraws {
                supply: v(0)?,
                demand: v(1)?,
                flows: v(2)?,
                costs: v(3)?,
                draw_costs: v(4)?,
                draw_after: v(5)?,
            })
        })
        .collect()
}

/// How `simulate` with these arguments splits its draws, after the checks `simulate`
/// makes before it starts: `layout`, a dict of `chunks` ((first draw, draws, segments)
/// each), `waves` ((first group, end) each) and `bytes` (of all the draws' numbers); and
/// `draws`, the numbers of `pieces`, each (chunk, wave, first segment, end): per piece,
/// per group of the wave, six arrays (see `simulate(draws_from=...)`).
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (json, *, stock=None, draws, seed, policies, quantiles, keep_draws, flows, density=false, max_memory=1 << 32, max_work=sim::MAX_WORK, horizon_value=false, pieces=Vec::new()))]
fn simulate_parts<'py>(
    py: Python<'py>,
    json: &str,
    stock: Option<Bound<'py, PyList>>,
    draws: usize,
    seed: u64,
    policies: Vec<String>,
    quantiles: &Bound<'py, PyAny>,
    keep_draws: bool,
    flows: &Bound<'py, PyAny>,
    density: bool,
    max_memory: usize,
    max_work: u64,
    horizon_value: bool,
    pieces: Vec<(usize, usize, usize, usize)>,
) -> PyResult<Bound<'py, PyDict>> {
    let stock = stock_of(py, stock)?;
    let args = SimArgs::new(
        py,
        draws,
        seed,
        policies,
        quantiles,
        keep_draws,
        flows,
        density,
        max_memory,
        max_work,
        horizon_value,
    )?;
    let (lay, parts) = run_controlled(py, None, "hrh.simulate", |c| {
        let m = model(json, stock, c)?;
        let opts = args.options(&m)?;
        let lay = sim::layout(&m, &opts)?;
        let parts = pieces
            .iter()
            .map(|&(ci, wi, s0, s1)| sim::simulate_draws(&m, &opts, ci, wi, s0..s1, c))
            .collect::<hrh_core::Result<Vec<_>>>()?;
        Ok((lay, parts))
    })?;
    let layout = PyDict::new(py);
    layout.set_item("chunks", lay.chunks)?;
    let waves: Vec<(usize, usize)> = lay.waves.iter().map(|w| (w.start, w.end)).collect();
    layout.set_item("waves", waves)?;
    layout.set_item("bytes", lay.bytes)?;
    let out = PyList::empty(py);
    for groups in parts {
        let list = PyList::empty(py);
        for g in groups {
            for v in [
                g.supply,
                g.demand,
                g.flows,
                g.costs,
                g.draw_costs,
                g.draw_after,
            ] {
                list.append(v.into_pyarray(py))?;
            }
        }
        out.append(list)?;
    }
    let d = PyDict::new(py);
    d.set_item("layout", layout)?;
    d.set_item("draws", out)?;
    Ok(d)
}

/// The values draws `0..n` with `seed` give the scenario's varying parameters: their
/// scenario paths and the values per (draw, parameter), flat.
#[pyfunction]
#[pyo3(signature = (json, *, stock=None, seed, draws))]
fn param_draws<'py>(
    py: Python<'py>,
    json: &str,
    stock: Option<Bound<'py, PyList>>,
    seed: u64,
    draws: usize,
) -> PyResult<(Vec<String>, Bound<'py, numpy::PyArray1<f64>>)> {
    let stock = stock_of(py, stock)?;
    let (m, (which, values)) = run_controlled(py, None, "hrh.param_draws", |c| {
        let m = model(json, stock, c)?;
        let draws = sim::param_draws(&m, seed, draws)?;
        Ok((m, draws))
    })?;
    let paths = which.iter().map(|&p| m.params[p].path.clone()).collect();
    Ok((paths, values.into_pyarray(py)))
}

/// The mean and `p` quantiles of a scenario distribution given as JSON.
#[pyfunction]
fn dist_quantiles(py: Python<'_>, dist: &str, p: Vec<f64>) -> PyResult<(f64, Vec<f64>)> {
    run(py, || {
        let d = hrh_core::planning::param::dist_from_json(dist)?;
        Ok((d.mean(), p.iter().map(|&q| d.quantile(q)).collect()))
    })
}

/// Transition counts of a panel of dense codes (a part holding its people whole): the
/// `k x k` counts and the number of gaps.
#[pyfunction]
#[pyo3(signature = (id, time, state, k))]
fn transition_counts<'py>(
    py: Python<'py>,
    id: PyReadonlyArray1<'py, u32>,
    time: PyReadonlyArray1<'py, i64>,
    state: PyReadonlyArray1<'py, u32>,
    k: usize,
) -> PyResult<(Bound<'py, PyArray1<u64>>, u64)> {
    let (id, time, state) = (id.as_slice()?, time.as_slice()?, state.as_slice()?);
    let t = run_controlled(py, None, "hrh.transitions", |c| {
        markov::TransitionCounts::of_with(id, time, state, k, c)
    })?;
    Ok((t.counts.into_pyarray(py), t.gaps))
}

/// Probabilities and Wilson intervals from (merged) transition counts.
#[pyfunction]
#[pyo3(signature = (counts, k, gaps, *, level))]
fn transitions_from_counts<'py>(
    py: Python<'py>,
    counts: PyReadonlyArray1<'py, u64>,
    k: usize,
    gaps: u64,
    level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let counts = counts.as_slice()?.to_vec();
    let state = markov::TransitionCounts { k, counts, gaps };
    let t = run(py, || state.finish(level))?;
    let d = PyDict::new(py);
    d.set_item("count", t.counts.into_pyarray(py))?;
    d.set_item("probability", t.probability.into_pyarray(py))?;
    d.set_item("lower", t.lower.into_pyarray(py))?;
    d.set_item("upper", t.upper.into_pyarray(py))?;
    d.set_item("gaps", t.gaps)?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(wisn, m)?)?;
    m.add_function(wrap_pyfunction!(check_scenario, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_parts, m)?)?;
    m.add_function(wrap_pyfunction!(transition_counts, m)?)?;
    m.add_function(wrap_pyfunction!(transitions_from_counts, m)?)?;
    m.add_function(wrap_pyfunction!(param_draws, m)?)?;
    m.add_function(wrap_pyfunction!(dist_quantiles, m)?)?;
    Ok(())
}
