//! Property tests over the scenario parser and the core kernels: no input makes them
//! panic, and their outputs keep the invariants the documentation states. CI runs
//! proptest's default 256 cases per property; `PROPTEST_CASES=20000 cargo test -p
//! hrh-core --test proptests --release` is the long profile.

use hrh_core::density::garwood;
use hrh_core::equity::gini::gini;
use hrh_core::equity::Distribution;
use hrh_core::planning::quantile::{exact, type7, PROBS};
use hrh_core::planning::scenario::from_json;
use hrh_core::planning::simulate::{simulate, Options, QuantileMode};
use hrh_core::special::qgamma;
use proptest::prelude::*;
use serde_json::{json, Value};

/// A small valid scenario to mutate.
fn base() -> Value {
    json!({
        "start_year": 2024, "horizon": 3, "regions": ["A", "B"], "min_age": 20,
        "cadres": [{"name": "nurse", "grades": ["g1", "g2"], "retirement_age": 60,
                    "salary": {"g1": 10, "g2": 12},
                    "attrition": {"rate": {"dist": "beta", "a": 5, "b": 95},
                                  "by_age": [{"from": 50, "rate": 0.1}]},
                    "entrants": {"per_year": 10, "age": {"mean": 25}},
                    "training": [{"name": "t", "from_grade": "g1", "to_grade": "g2",
                                  "places": 2, "duration": 1, "bond_years": 1,
                                  "rate_during_bond": 0.2, "buyout": 3}],
                    "demand": {"method": "quota", "quota": {"A": 100, "B": 50}}}],
        "migration": [{"from": "A", "to": "B", "rate": 0.01}],
        "stock": [{"region": "A", "cadre": "nurse", "grade": "g1", "age": 30, "count": 80},
                  {"region": "B", "cadre": "nurse", "grade": "g2", "age": 40, "count": 30}],
        "policies": [{"name": "p", "extra_entrants": [{"cadre": "nurse", "value": 5}],
                      "costs": [{"item": "x", "kind": "one_off_per_extra_entrant",
                                 "cadre": "nurse", "amount": 7}]}]
    })
}

/// Hostile JSON values.
fn hostile() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|v| json!(v)),
        any::<u64>().prop_map(|v| json!(v)),
        prop::num::f64::NORMAL.prop_map(|v| json!(v)),
        prop_oneof![
            Just(0.0),
            Just(-1.0),
            Just(1e308),
            Just(-1e308),
            Just(5e-324),
            Just(0.5)
        ]
        .prop_map(|v| json!(v)),
        "[a-z_]{0,8}".prop_map(Value::String),
        Just(json!([])),
        Just(json!({})),
        Just(json!({"dist": "gamma", "shape": 1e-300, "rate": 1e300})),
        Just(json!({"dist": "normal", "mean": 1e12, "sd": 1e12})),
        Just(json!({"dist": "empirical", "values": []})),
    ]
}

/// Every path to a leaf or container of `v`.
fn paths(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let mut p = at.clone();
                p.push(k.clone());
                paths(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let mut p = at.clone();
                p.push(i.to_string());
                paths(x, p, out);
            }
        }
        _ => {}
    }
}

fn set(v: &mut Value, path: &[String], new: Value) {
    let mut cur = v;
    for k in path {
        cur = match cur {
            Value::Object(m) => m.get_mut(k).unwrap(),
            Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
            _ => return,
        };
    }
    *cur = new;
}

fn run_small(json: &str) {
    if let Ok(m) = from_json(json) {
        if m.horizon > 30 || m.regions.len() > 20 {
            return;
        }
        for draws in [0, 3] {
            let opts = Options {
                draws,
                seed: 1,
                policies: (0..m.policies.len()).collect(),
                quantiles: QuantileMode::Auto,
                keep_draws: false,
                binomial: false,
                general_only: false,
                density: false,
                max_memory: 1 << 28,
                max_work: hrh_core::planning::simulate::MAX_WORK,
                horizon_value: true,
            };
            // Ok or a named error; a panic fails the property.
            let _ = simulate(&m, &opts);
        }
    }
}

proptest! {
    #[test]
    fn mutated_scenarios_never_panic(
        picks in prop::collection::vec((any::<prop::sample::Index>(), hostile()), 1..4)
    ) {
        let mut doc = base();
        for (pick, value) in picks {
            let mut all = Vec::new();
            paths(&doc, Vec::new(), &mut all);
            let path = pick.get(&all).clone();
            if path.is_empty() {
                doc = value;
            } else {
                set(&mut doc, &path, value);
            }
        }
        run_small(&doc.to_string());
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = from_json(&text);
    }

    #[test]
    fn exact_quantiles_are_type7(mut x in prop::collection::vec(-1e6f64..1e6, 1..700)) {
        let mut sorted = x.clone();
        sorted.sort_by(f64::total_cmp);
        let q = exact(&mut x);
        for (got, p) in q.iter().zip(PROBS) {
            prop_assert_eq!(*got, type7(&sorted, p));
        }
    }

    #[test]
    fn gini_lies_in_zero_one(
        v in prop::collection::vec(0.0f64..1e9, 1..50),
        w in prop::collection::vec(1e-3f64..1e3, 50)
    ) {
        let d = Distribution::new(&v, Some(&w[..v.len()]));
        if let Ok(d) = d {
            if let Ok(g) = gini(&d, false, true) {
                prop_assert!((0.0..1.0).contains(&g) || g.abs() < 1e-12, "{g}");
            }
        }
    }

    #[test]
    fn poisson_limits_bracket_the_count(count in 0.0f64..1e18, level in 0.5f64..0.999) {
        let (lo, hi) = garwood(count, level);
        prop_assert!(lo.is_finite() && hi.is_finite());
        prop_assert!(lo <= count && count <= hi, "{lo} {count} {hi}");
        let (lo2, hi2) = garwood(count * 1.5 + 1.0, level);
        prop_assert!(lo2 >= lo && hi2 >= hi);
    }

    #[test]
    fn gamma_quantiles_are_monotone(shape in 1e-3f64..1e12, p in 1e-9f64..(1.0 - 1e-9)) {
        let a = qgamma(p, shape);
        let b = qgamma((p * 1.01).min(1.0 - 1e-10), shape);
        prop_assert!(a.is_finite() && a >= 0.0);
        prop_assert!(b >= a, "{shape} {p}: {a} > {b}");
    }
}

#[test]
fn the_base_scenario_runs() {
    let m = from_json(&base().to_string()).unwrap();
    assert_eq!(m.policies.len(), 1);
    let opts = Options {
        draws: 3,
        seed: 1,
        policies: vec![0],
        quantiles: QuantileMode::Auto,
        keep_draws: false,
        binomial: false,
        general_only: false,
        density: false,
        max_memory: 1 << 28,
        max_work: hrh_core::planning::simulate::MAX_WORK,
        horizon_value: true,
    };
    let p = simulate(&m, &opts).unwrap();
    assert!(p.costs.iter().any(|&c| c > 0.0));
}

// Grouped sums: any split of the rows into partial states, merged in any order, gives
// the same counts and the same bits as one pass (the sums are exact).
proptest! {
    #[test]
    fn grouped_sums_merge_in_any_order(
        rows in proptest::collection::vec((0u32..6, -1e9f64..1e9, 0u32..4), 1..400),
        cuts in proptest::collection::vec(0usize..400, 0..5),
        tiny in proptest::bool::ANY,
    ) {
        use hrh_core::sums::GroupedSums;
        let cell: Vec<u32> = rows.iter().map(|r| r.0).collect();
        // Mix in values of very different magnitudes to reach the partials path.
        let values: Vec<f64> = rows
            .iter()
            .map(|r| if tiny && r.2 == 0 { r.1 * 1e-250 } else { r.1 })
            .collect();
        let mut whole = GroupedSums::new(6, 1).unwrap();
        whole.add(&cell, &[&values]).unwrap();
        let mut bounds: Vec<usize> = cuts.iter().map(|&c| c.min(rows.len())).collect();
        bounds.push(0);
        bounds.push(rows.len());
        bounds.sort_unstable();
        let mut parts: Vec<GroupedSums> = bounds
            .windows(2)
            .map(|w| {
                let mut s = GroupedSums::new(6, 1).unwrap();
                s.add(&cell[w[0]..w[1]], &[&values[w[0]..w[1]]]).unwrap();
                s
            })
            .collect();
        // Merge back to front, then as a tree, against the single pass.
        let mut back = parts.last().unwrap().clone();
        for p in parts.iter().rev().skip(1) {
            back.merge(p).unwrap();
        }
        prop_assert_eq!(back.finish(), whole.finish());
        while parts.len() > 1 {
            let right = parts.pop().unwrap();
            let mut left = parts.remove(0);
            left.merge(&right).unwrap();
            parts.push(left);
        }
        prop_assert_eq!(parts[0].finish(), whole.finish());
    }
}
