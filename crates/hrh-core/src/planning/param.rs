//! Uncertain numbers in a scenario: a plain number or a distribution, optionally per region.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::rng::Rng;

/// A number in a scenario: fixed, or drawn once per Monte Carlo draw from a distribution.
///
/// In a document: `0.05`, `{ dist = "beta", a = 2, b = 38 }`,
/// `{ dist = "normal", mean = 100, sd = 10 }`, `{ dist = "lognormal", meanlog = 0, sdlog = 0.2 }`,
/// `{ dist = "uniform", low = 0.8, high = 1.0 }`, `{ dist = "gamma", shape = 11.5, rate = 1251 }`
/// or `{ dist = "empirical", values = [...] }` (one of the values, equally likely).
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// A fixed number.
    Fixed(f64),
    /// Normal(mean, sd).
    Normal { mean: f64, sd: f64 },
    /// Log-normal with log-scale mean and sd.
    LogNormal { meanlog: f64, sdlog: f64 },
    /// Beta(a, b) on [0, 1].
    Beta { a: f64, b: f64 },
    /// Uniform on [low, high].
    Uniform { low: f64, high: f64 },
    /// Gamma with shape and rate (mean shape / rate): an event rate from counts.
    Gamma { shape: f64, rate: f64 },
    /// One of the given values, each with probability 1/n (a scenario needs at least one;
    /// an empty one built by hand has NaN for its mean, quantiles and draws).
    Empirical(Vec<f64>),
}

impl Dist {
    /// The distribution's mean: the value used by the deterministic path (`draws = 0`).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Normal { mean, .. } => *mean,
            Dist::LogNormal { meanlog, sdlog } => (meanlog + 0.5 * sdlog * sdlog).exp(),
            Dist::Beta { a, b } => a / (a + b),
            Dist::Uniform { low, high } => 0.5 * (low + high),
            Dist::Gamma { shape, rate } => shape / rate,
            Dist::Empirical(v) => v.iter().sum::<f64>() / v.len() as f64,
        }
    }

    /// The `p` quantile (0 < p < 1): exact for every kind (the empirical one is R's type
    /// 1, the smallest value with at least `p` of the values at or below it).
    pub fn quantile(&self, p: f64) -> f64 {
        use crate::special::{qbeta, qgamma, qnorm};
        if !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        match self {
            Dist::Fixed(v) => *v,
            Dist::Normal { mean, sd } => mean + sd * qnorm(p),
            Dist::LogNormal { meanlog, sdlog } => (meanlog + sdlog * qnorm(p)).exp(),
            Dist::Beta { a, b } => qbeta(p, *a, *b),
            Dist::Uniform { low, high } => low + (high - low) * p,
            Dist::Gamma { shape, rate } => qgamma(p, *shape) / rate,
            Dist::Empirical(v) if v.is_empty() => f64::NAN,
            Dist::Empirical(v) => {
                let mut s = v.clone();
                s.sort_by(f64::total_cmp);
                let k = ((p * s.len() as f64).ceil() as usize).clamp(1, s.len());
                s[k - 1]
            }
        }
    }

    /// Smallest and largest value a draw can take.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Fixed(v) => (*v, *v),
            Dist::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Dist::LogNormal { .. } => (0.0, f64::INFINITY),
            Dist::Beta { .. } => (0.0, 1.0),
            Dist::Uniform { low, high } => (*low, *high),
            Dist::Gamma { .. } => (0.0, f64::INFINITY),
            Dist::Empirical(v) => v
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                }),
        }
    }

    /// One draw. A normal restricted to `lower..` (non-negative quantities) is sampled by
    /// rejection, which the scenario check only allows when `P(X < lower) < 0.5`.
    pub fn sample(&self, rng: &mut Rng, lower: f64) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Normal { mean, sd } => loop {
                let x = mean + sd * rng.normal_ziggurat();
                if x >= lower {
                    return x;
                }
            },
            Dist::LogNormal { meanlog, sdlog } => (meanlog + sdlog * rng.normal_ziggurat()).exp(),
            Dist::Beta { a, b } => rng.beta(*a, *b),
            Dist::Uniform { low, high } => low + (high - low) * rng.uniform(),
            Dist::Gamma { shape, rate } => rng.gamma(*shape) / rate,
            Dist::Empirical(v) if v.is_empty() => f64::NAN,
            // `v` is not empty (just above), so `below` gets n > 0 and returns an index.
            Dist::Empirical(v) => v[rng.below(v.len() as u64) as usize],
        }
    }
}

const DIST_KEYS: [&str; 12] = [
    "dist", "mean", "sd", "meanlog", "sdlog", "a", "b", "low", "high", "shape", "rate", "values",
];

fn dist_from_map<'de, A: MapAccess<'de>>(first: String, mut map: A) -> Result<Dist, A::Error> {
    let mut kind: Option<String> = None;
    let mut nums: BTreeMap<&'static str, f64> = BTreeMap::new();
    let mut values: Option<Vec<f64>> = None;
    let mut key = Some(first);
    while let Some(k) = key {
        match k.as_str() {
            "dist" => kind = Some(map.next_value()?),
            "values" => values = Some(map.next_value()?),
            other => match DIST_KEYS.iter().find(|&&d| d == other) {
                Some(&d) => {
                    nums.insert(d, map.next_value()?);
                }
                None => return Err(de::Error::unknown_field(other, &DIST_KEYS)),
            },
        }
        key = map.next_key()?;
    }
    let kind = kind.ok_or_else(|| de::Error::missing_field("dist"))?;
    let allowed: &[&str] = match kind.as_str() {
        "normal" => &["mean", "sd"],
        "lognormal" => &["meanlog", "sdlog"],
        "beta" => &["a", "b"],
        "uniform" => &["low", "high"],
        "gamma" => &["shape", "rate"],
        "empirical" => &[],
        other => {
            return Err(de::Error::unknown_variant(
                other,
                &[
                    "normal",
                    "lognormal",
                    "beta",
                    "uniform",
                    "gamma",
                    "empirical",
                ],
            ))
        }
    };
    for k in nums.keys() {
        if !allowed.contains(k) {
            return Err(de::Error::custom(format!(
                "'{k}' is not a parameter of the {kind} distribution (expected {})",
                if allowed.is_empty() {
                    "values".to_string()
                } else {
                    allowed.join(", ")
                }
            )));
        }
    }
    for k in allowed {
        if !nums.contains_key(k) {
            return Err(de::Error::missing_field(k));
        }
    }
    let vals = if kind == "empirical" {
        let v = values.ok_or_else(|| de::Error::missing_field("values"))?;
        if v.is_empty() {
            return Err(de::Error::custom(
                "empirical distribution needs at least one value",
            ));
        }
        v
    } else {
        if values.is_some() {
            return Err(de::Error::custom(format!(
                "'values' is not a parameter of the {kind} distribution"
            )));
        }
        Vec::new()
    };
    let n = |k: &str| nums.get(k).copied().unwrap_or(f64::NAN);
    let d = match kind.as_str() {
        "normal" => Dist::Normal {
            mean: n("mean"),
            sd: n("sd"),
        },
        "lognormal" => Dist::LogNormal {
            meanlog: n("meanlog"),
            sdlog: n("sdlog"),
        },
        "beta" => Dist::Beta {
            a: n("a"),
            b: n("b"),
        },
        "uniform" => Dist::Uniform {
            low: n("low"),
            high: n("high"),
        },
        "gamma" => Dist::Gamma {
            shape: n("shape"),
            rate: n("rate"),
        },
        _ => Dist::Empirical(vals),
    };
    check_dist(&d).map_err(de::Error::custom)?;
    Ok(d)
}

fn check_dist(d: &Dist) -> Result<(), String> {
    let finite = |name: &str, v: f64| {
        if v.is_finite() {
            Ok(())
        } else {
            Err(format!("{name} must be a finite number, got {v}"))
        }
    };
    let positive = |name: &str, v: f64| {
        if v > 0.0 && v.is_finite() {
            Ok(())
        } else {
            Err(format!("{name} must be > 0, got {v}"))
        }
    };
    match d {
        Dist::Fixed(v) => finite("value", *v),
        Dist::Normal { mean, sd } => finite("mean", *mean).and(positive("sd", *sd)),
        Dist::LogNormal { meanlog, sdlog } => {
            finite("meanlog", *meanlog).and(positive("sdlog", *sdlog))
        }
        Dist::Beta { a, b } => positive("a", *a).and(positive("b", *b)),
        Dist::Gamma { shape, rate } => positive("shape", *shape).and(positive("rate", *rate)),
        Dist::Uniform { low, high } => {
            finite("low", *low)?;
            finite("high", *high)?;
            if low < high {
                Ok(())
            } else {
                Err(format!(
                    "uniform needs low < high, got low = {low}, high = {high}"
                ))
            }
        }
        Dist::Empirical(v) => v.iter().try_for_each(|&x| finite("each value", x)),
    }
}

/// A number or distribution from its JSON text (as in a scenario document).
pub fn dist_from_json(json: &str) -> crate::error::Result<Dist> {
    serde_json::from_str(json).map_err(|e| crate::error::Error::argument("dist", e.to_string()))
}

struct DistVisitor;

impl<'de> Visitor<'de> for DistVisitor {
    type Value = Dist;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a distribution table such as { dist = \"beta\", a = 2, b = 30 }")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Dist, E> {
        check_dist(&Dist::Fixed(v)).map_err(E::custom)?;
        Ok(Dist::Fixed(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Dist, E> {
        Ok(Dist::Fixed(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Dist, E> {
        Ok(Dist::Fixed(v as f64))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dist, A::Error> {
        match map.next_key::<String>()? {
            Some(first) => dist_from_map(first, map),
            None => Err(de::Error::missing_field("dist")),
        }
    }
}

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DistVisitor)
    }
}

/// A number that may differ by region: one value (or distribution) for all regions, or a
/// table keyed by region name, e.g. `{ Beijing = 120, Tianjin = 80, Hebei = 150 }`.
#[derive(Clone, Debug, PartialEq)]
pub enum ByRegion {
    /// The same value in every region.
    All(Dist),
    /// One value per named region (regions not named get the value under `"*"`, if any).
    Each(Vec<(String, Dist)>),
}

struct ByRegionVisitor;

impl<'de> Visitor<'de> for ByRegionVisitor {
    type Value = ByRegion;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number, a distribution table, or a table of values by region")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<ByRegion, E> {
        DistVisitor.visit_f64(v).map(ByRegion::All)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ByRegion, E> {
        DistVisitor.visit_i64(v).map(ByRegion::All)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ByRegion, E> {
        DistVisitor.visit_u64(v).map(ByRegion::All)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ByRegion, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return Err(de::Error::custom(
                "empty table: give a number or values by region",
            ));
        };
        if DIST_KEYS.contains(&first.as_str()) {
            return dist_from_map(first, map).map(ByRegion::All);
        }
        let mut out = vec![(first, map.next_value::<Dist>()?)];
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value::<Dist>()?;
            out.push((k, v));
        }
        Ok(ByRegion::Each(out))
    }
}

impl<'de> Deserialize<'de> for ByRegion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ByRegionVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse<T: for<'de> Deserialize<'de>>(s: &str) -> Result<T, String> {
        serde_json::from_str(s).map_err(|e| e.to_string())
    }

    #[test]
    fn numbers_and_distributions() {
        assert_eq!(parse::<Dist>("0.5").unwrap(), Dist::Fixed(0.5));
        assert_eq!(parse::<Dist>("3").unwrap(), Dist::Fixed(3.0));
        assert_eq!(
            parse::<Dist>(r#"{"a": 2, "dist": "beta", "b": 3}"#).unwrap(),
            Dist::Beta { a: 2.0, b: 3.0 }
        );
        assert!(parse::<Dist>(r#"{"dist": "beta", "a": 2}"#)
            .unwrap_err()
            .contains("missing field `b`"));
        assert!(
            parse::<Dist>(r#"{"dist": "beta", "a": 2, "b": 1, "sd": 1}"#)
                .unwrap_err()
                .contains("'sd' is not a parameter of the beta")
        );
        assert!(parse::<Dist>(r#"{"dist": "gauss"}"#)
            .unwrap_err()
            .contains("unknown variant `gauss`"));
        assert!(parse::<Dist>(r#"{"dist": "normal", "mean": 1, "sd": -1}"#)
            .unwrap_err()
            .contains("sd must be > 0"));
        assert!(parse::<Dist>(r#""x""#).is_err());
    }

    #[test]
    fn empty_empirical() {
        // A scenario cannot hold one ...
        assert!(parse::<Dist>(r#"{"dist": "empirical", "values": []}"#)
            .unwrap_err()
            .contains("needs at least one value"));
        assert!(dist_from_json(r#"{"dist": "empirical", "values": []}"#).is_err());
        // ... and one built by hand used to panic when drawn from or asked a quantile.
        let d = Dist::Empirical(Vec::new());
        assert!(d.sample(&mut Rng::stream(1, 0), 0.0).is_nan());
        assert!(d.quantile(0.5).is_nan());
        assert!(d.mean().is_nan());
    }

    #[test]
    fn by_region() {
        assert_eq!(
            parse::<ByRegion>("2").unwrap(),
            ByRegion::All(Dist::Fixed(2.0))
        );
        let r = parse::<ByRegion>(r#"{"A": 1, "B": {"dist": "uniform", "low": 0, "high": 1}}"#)
            .unwrap();
        assert_eq!(
            r,
            ByRegion::Each(vec![
                ("A".into(), Dist::Fixed(1.0)),
                (
                    "B".into(),
                    Dist::Uniform {
                        low: 0.0,
                        high: 1.0
                    }
                )
            ])
        );
    }

    #[test]
    fn sample_moments() {
        let mut rng = Rng::stream(1, 0);
        let n = 200_000;
        let b = Dist::Beta { a: 2.0, b: 6.0 };
        let m: f64 = (0..n)
            .map(|_| b.sample(&mut rng, f64::NEG_INFINITY))
            .sum::<f64>()
            / n as f64;
        assert!((m - 0.25).abs() < 0.003, "{m}");
        let g: f64 = (0..n).map(|_| rng.gamma(0.5)).sum::<f64>() / n as f64;
        assert!((g - 0.5).abs() < 0.01, "{g}");
        let k: f64 = (0..n).map(|_| rng.binomial(40, 0.1) as f64).sum::<f64>() / n as f64;
        assert!((k - 4.0).abs() < 0.03, "{k}");
        let k: f64 = (0..n).map(|_| rng.binomial(10, 0.8) as f64).sum::<f64>() / n as f64;
        assert!((k - 8.0).abs() < 0.02, "{k}");
    }
}
