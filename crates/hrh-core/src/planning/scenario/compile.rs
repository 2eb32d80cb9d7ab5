//! From a scenario document to the model: names resolved, numbers turned into
//! parameters, and every rule a document can break checked, with the path of the key.

use super::doc::*;
use super::model::*;
use crate::control::Control;
use crate::error::{Error, Result};
use crate::planning::param::{ByRegion, Dist};

fn err(path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Scenario {
        path: path.into(),
        message: message.into(),
    }
}

/// Parse a JSON scenario document; serde errors carry the path of the bad key.
pub fn parse(json: &str) -> Result<ScenarioDoc> {
    // A valid document parses without tracking paths; an invalid one is parsed again with
    // them, for the message.
    if let Ok(doc) = serde_json::from_str(json) {
        return Ok(doc);
    }
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let mut msg = inner.to_string();
        // serde_json appends " at line L column C", which means nothing for a dict or TOML.
        if let Some(i) = msg.rfind(" at line ") {
            msg.truncate(i);
        }
        err(if path == "." { String::new() } else { path }, msg)
    })
}

/// Parse and compile a JSON scenario document.
pub fn from_json(json: &str) -> Result<Model> {
    compile(parse(json)?)
}

struct Builder {
    params: Vec<Param>,
    regions: Vec<String>,
    index: std::collections::HashMap<String, usize>,
}

impl Builder {
    fn param(&mut self, d: &Dist, path: String, range: Range) -> Result<P> {
        let (lo, hi) = d.support();
        // Numbers a projection can carry without overflowing: counts far above any
        // workforce or population are typing errors.
        let mean = d.mean();
        let spread = match d {
            Dist::Normal { sd, .. } => *sd,
            _ => 0.0,
        };
        if !(mean.is_finite()
            && mean.abs() <= MAX_VALUE
            && (hi.is_infinite() || hi <= MAX_VALUE)
            && spread <= MAX_VALUE)
        {
            return Err(err(
                path,
                format!(
                    "must be a finite number of at most {MAX_VALUE:e}, got {}",
                    show(d)
                ),
            ));
        }
        let lower = match range {
            Range::Rate => {
                if let Dist::Normal { .. } | Dist::LogNormal { .. } = d {
                    return Err(err(
                        path,
                        "a rate must lie in [0, 1]: use a beta, uniform or empirical distribution",
                    ));
                }
                // A gamma (an event rate from counts) serves when all but 1e-12 of it
                // lies below 1: its rare draws above 1 meet the cap of every hazard at 1.
                let hi = match d {
                    Dist::Gamma { shape, rate } => {
                        crate::special::qgamma(1.0 - 1e-12, *shape) / rate
                    }
                    _ => hi,
                };
                if !(lo >= 0.0 && hi <= 1.0) {
                    return Err(err(
                        path,
                        format!("a rate must lie in [0, 1], got {}", show(d)),
                    ));
                }
                0.0
            }
            Range::NonNegative => {
                if let Dist::Normal { mean, .. } = d {
                    if *mean <= 0.0 {
                        return Err(err(
                            path,
                            format!(
                                "must be >= 0, but a normal with mean {mean} is mostly negative"
                            ),
                        ));
                    }
                } else if lo < 0.0 {
                    return Err(err(path, format!("must be >= 0, got {}", show(d))));
                }
                0.0
            }
            Range::Growth => {
                if let Dist::Normal { .. } = d {
                    -1.0
                } else if lo <= -1.0 {
                    return Err(err(
                        path,
                        format!("a growth rate must be > -1, got {}", show(d)),
                    ));
                } else {
                    f64::NEG_INFINITY
                }
            }
        };
        self.params.push(Param {
            dist: d.clone(),
            lower,
            path,
        });
        Ok(self.params.len() - 1)
    }

    fn fixed(&mut self, v: f64, path: String) -> P {
        self.params.push(Param {
            dist: Dist::Fixed(v),
            lower: f64::NEG_INFINITY,
            path,
        });
        self.params.len() - 1
    }

    /// An optional number: the given one, or `default` when absent.
    fn param_or(
        &mut self,
        d: &Option<Dist>,
        default: f64,
        path: String,
        range: Range,
    ) -> Result<P> {
        match d {
            Some(d) => self.param(d, path, range),
            None => Ok(self.fixed(default, path)),
        }
    }

    fn by_region(&mut self, b: &ByRegion, path: &str, range: Range) -> Result<Vec<P>> {
        match b {
            ByRegion::All(d) => {
                let p = self.param(d, path.to_string(), range)?;
                Ok(vec![p; self.regions.len()])
            }
            ByRegion::Each(items) => {
                let mut out: Vec<Option<P>> = vec![None; self.regions.len()];
                let mut default = None;
                for (name, d) in items {
                    let sub = format!("{path}.{name}");
                    if name == "*" {
                        default = Some(self.param(d, sub, range)?);
                        continue;
                    }
                    let r = self.region(name, &sub)?;
                    out[r] = Some(self.param(d, sub, range)?);
                }
                out.iter()
                    .enumerate()
                    .map(|(r, p)| {
                        p.or(default).ok_or_else(|| {
                            err(
                                path,
                                format!(
                                    "no value for region '{}' (name every region, or give a default under \"*\")",
                                    self.regions[r]
                                ),
                            )
                        })
                    })
                    .collect()
            }
        }
    }

    fn region(&self, name: &str, path: impl std::fmt::Display) -> Result<usize> {
        self.index.get(name).copied().ok_or_else(|| {
            err(
                path.to_string(),
                format!(
                    "unknown region '{name}' (regions: {})",
                    self.regions.join(", ")
                ),
            )
        })
    }
}

fn show(d: &Dist) -> String {
    match d {
        Dist::Fixed(v) => format!("{v}"),
        Dist::Gamma { shape, rate } => format!(
            "gamma(shape = {shape}, rate = {rate}), whose draws can exceed 1 (its 1 - 1e-12 \
             quantile is {:.3})",
            crate::special::qgamma(1.0 - 1e-12, *shape) / rate
        ),
        other => {
            let (lo, hi) = other.support();
            format!("a distribution over [{lo}, {hi}]")
        }
    }
}

fn lookup(names: &[String], name: &str, what: &str, path: impl std::fmt::Display) -> Result<usize> {
    names.iter().position(|n| n == name).ok_or_else(|| {
        err(
            path.to_string(),
            format!("unknown {what} '{name}' (known: {})", names.join(", ")),
        )
    })
}

fn unique(names: &[String], path: &str, what: &str) -> Result<()> {
    for (i, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(err(format!("{path}[{i}]"), format!("{what} name is empty")));
        }
        if names[..i].contains(n) {
            return Err(err(
                format!("{path}[{i}]"),
                format!("duplicate {what} '{n}'"),
            ));
        }
    }
    Ok(())
}

fn std_normal_cdf(x: f64) -> f64 {
    0.5 * statrs::function::erf::erfc(-x / std::f64::consts::SQRT_2)
}

/// Shares over age indices `0..limit` (ages `min_age + i`).
fn age_shares(
    a: &AgeDoc,
    min_age: u32,
    limit: usize,
    n_ages: usize,
    path: &str,
) -> Result<Vec<f64>> {
    let mut shares = vec![0.0; n_ages];
    let max_age = min_age + limit as u32 - 1;
    match (a.mean, a.sd, &a.ages, &a.shares) {
        (Some(mean), sd, None, None) => {
            let sd = sd.unwrap_or(0.0);
            if !(mean.is_finite() && sd >= 0.0 && sd.is_finite()) {
                return Err(err(
                    path,
                    format!("needs a finite mean and sd >= 0, got mean {mean}, sd {sd}"),
                ));
            }
            if mean < min_age as f64 || mean > max_age as f64 + 1.0 {
                return Err(err(
                    format!("{path}.mean"),
                    format!("{mean} is outside the working ages {min_age} to {max_age}"),
                ));
            }
            if sd == 0.0 {
                let i = ((mean.floor() as u32).clamp(min_age, max_age) - min_age) as usize;
                shares[i] = 1.0;
            } else {
                for (i, s) in shares.iter_mut().enumerate().take(limit) {
                    let lo = (min_age as f64 + i as f64 - mean) / sd;
                    *s = std_normal_cdf(lo + 1.0 / sd) - std_normal_cdf(lo);
                }
            }
        }
        (None, None, Some(ages), Some(sh)) => {
            if ages.len() != sh.len() || ages.is_empty() {
                return Err(err(
                    format!("{path}.shares"),
                    format!(
                        "needs one share per age ({} ages, {} shares)",
                        ages.len(),
                        sh.len()
                    ),
                ));
            }
            for (j, (&age, &s)) in ages.iter().zip(sh).enumerate() {
                if age < min_age || age > max_age {
                    return Err(err(
                        format!("{path}.ages[{j}]"),
                        format!("age {age} is outside the working ages {min_age} to {max_age}"),
                    ));
                }
                if !(s >= 0.0 && s.is_finite()) {
                    return Err(err(
                        format!("{path}.shares[{j}]"),
                        format!("must be >= 0, got {s}"),
                    ));
                }
                shares[(age - min_age) as usize] += s;
            }
        }
        _ => return Err(err(path, "give either mean (and sd) or ages with shares")),
    }
    let total: f64 = shares.iter().sum();
    if total.is_nan() || total <= 0.0 {
        return Err(err(path, "the age shares sum to 0"));
    }
    shares.iter_mut().for_each(|s| *s /= total);
    Ok(shares)
}

/// The largest number a scenario may hold (counts, populations, rates per unit).
pub const MAX_VALUE: f64 = 1e12;

/// The largest salary or cost amount (per person or per year) a scenario may hold.
pub const MAX_AMOUNT: f64 = 1e15;

/// The longest bond, or time after a bond with its own exit rate, of a training
/// programme: a working life (retirement ages are at most 100).
pub const MAX_BOND_YEARS: u32 = 100;

/// Check a parsed document and build the model.
pub fn compile(doc: ScenarioDoc) -> Result<Model> {
    compile_with(doc, &Control::default())
}

/// [`compile`], stopping with [`crate::Error::Interrupted`] once `control` is cancelled
/// (checked before the work starts and every 65,536 stock records).
pub fn compile_with(doc: ScenarioDoc, control: &Control) -> Result<Model> {
    control.check()?;
    if !(1800..=2500).contains(&doc.start_year) {
        return Err(err(
            "start_year",
            format!("must be between 1800 and 2500, got {}", doc.start_year),
        ));
    }
    if doc.horizon == 0 || doc.horizon > 200 {
        return Err(err(
            "horizon",
            format!("must be between 1 and 200 years, got {}", doc.horizon),
        ));
    }
    if doc.regions.is_empty() {
        return Err(err("regions", "needs at least one region"));
    }
    unique(&doc.regions, "regions", "region")?;
    if doc.cadres.is_empty() {
        return Err(err("cadres", "needs at least one cadre"));
    }
    let cadre_names: Vec<String> = doc.cadres.iter().map(|c| c.name.clone()).collect();
    unique(&cadre_names, "cadres", "cadre")?;
    let min_age = doc.min_age;
    let mut b = Builder {
        params: Vec::new(),
        regions: doc.regions.clone(),
        index: doc
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.clone(), i))
            .collect(),
    };
    let max_retire = doc
        .cadres
        .iter()
        .map(|c| c.retirement_age)
        .max()
        .unwrap_or(0);
    for (i, c) in doc.cadres.iter().enumerate() {
        if c.retirement_age <= min_age || c.retirement_age > 100 {
            return Err(err(
                format!("cadres[{i}].retirement_age"),
                format!(
                    "{} must be above min_age ({min_age}) and at most 100",
                    c.retirement_age
                ),
            ));
        }
    }
    let n_ages = (max_retire - min_age) as usize;
    let mut cadres = Vec::with_capacity(doc.cadres.len());
    // Visits by age group: (cadre, key path, (group name, parameter)).
    let mut age_group_visits: AgeGroupVisits = Vec::new();
    let mut offset = 0;
    for (i, c) in doc.cadres.iter().enumerate() {
        let path = format!("cadres[{i}]");
        let grades = c.grades.clone().unwrap_or_else(|| vec!["all".to_string()]);
        if grades.is_empty() {
            return Err(err(format!("{path}.grades"), "needs at least one grade"));
        }
        unique(&grades, &format!("{path}.grades"), "grade")?;
        let retire_idx = (c.retirement_age - min_age) as usize;
        let death = b.param_or(
            &c.death_rate,
            0.0,
            format!("{path}.death_rate"),
            Range::Rate,
        )?;
        let attrition = b.by_region(
            &c.attrition.rate,
            &format!("{path}.attrition.rate"),
            Range::Rate,
        )?;
        let mut by_age = Vec::new();
        for (j, band) in c.attrition.by_age.iter().enumerate() {
            let p = format!("{path}.attrition.by_age[{j}]");
            if band.from < min_age || band.from >= c.retirement_age {
                return Err(err(
                    format!("{p}.from"),
                    format!(
                        "age {} is outside the working ages {min_age} to {}",
                        band.from,
                        c.retirement_age - 1
                    ),
                ));
            }
            if j > 0 && band.from <= c.attrition.by_age[j - 1].from {
                return Err(err(
                    format!("{p}.from"),
                    "age bands must be in increasing order",
                ));
            }
            by_age.push((
                (band.from - min_age) as usize,
                b.param(&band.rate, format!("{p}.rate"), Range::Rate)?,
            ));
        }
        let grade_mult = match &c.attrition.grade_multipliers {
            Some(m) => {
                if m.len() != grades.len() {
                    return Err(err(
                        format!("{path}.attrition.grade_multipliers"),
                        format!(
                            "needs one multiplier per grade ({} grades, {} given)",
                            grades.len(),
                            m.len()
                        ),
                    ));
                }
                m.iter()
                    .enumerate()
                    .map(|(g, d)| {
                        b.param(
                            d,
                            format!("{path}.attrition.grade_multipliers[{g}]"),
                            Range::NonNegative,
                        )
                    })
                    .collect::<Result<Vec<_>>>()?
            }
            None => (0..grades.len())
                .map(|g| b.fixed(1.0, format!("{path}.grade[{g}]")))
                .collect(),
        };
        let entrants = match &c.entrants {
            None => None,
            Some(e) => {
                let p = format!("{path}.entrants");
                let grade = match &e.grade {
                    Some(g) => lookup(&grades, g, "grade", format_args!("{p}.grade"))?,
                    None => 0,
                };
                let growth = b.param_or(&e.growth, 0.0, format!("{p}.growth"), Range::Growth)?;
                let mut schedule = vec![None; doc.horizon as usize];
                for (j, s) in e.schedule.iter().enumerate() {
                    let sp = format!("{p}.schedule[{j}]");
                    // In i64: a year far from the start would overflow i32.
                    let t = i64::from(s.year) - i64::from(doc.start_year);
                    if t < 1 || t > i64::from(doc.horizon) {
                        return Err(err(
                            format!("{sp}.year"),
                            format!(
                                "{} is not a projected year ({} to {})",
                                s.year,
                                doc.start_year + 1,
                                doc.start_year + doc.horizon as i32
                            ),
                        ));
                    }
                    if schedule[t as usize - 1].is_some() {
                        return Err(err(
                            format!("{sp}.year"),
                            format!("year {} is scheduled twice", s.year),
                        ));
                    }
                    schedule[t as usize - 1] =
                        Some(b.by_region(&s.value, &format!("{sp}.value"), Range::NonNegative)?);
                }
                let education = match &e.education {
                    None => None,
                    Some(ed) => {
                        if ed.duration < 1 || ed.duration > 20 {
                            return Err(err(
                                format!("{p}.education.duration"),
                                format!("{} must be 1 to 20 years", ed.duration),
                            ));
                        }
                        let done = b.param_or(
                            &ed.completion_rate,
                            1.0,
                            format!("{p}.education.completion_rate"),
                            Range::Rate,
                        )?;
                        Some((ed.duration as usize, done))
                    }
                };
                let age_shares =
                    age_shares(&e.age, min_age, retire_idx, n_ages, &format!("{p}.age"))?;
                let first = age_shares.iter().position(|&s| s != 0.0).unwrap_or(0);
                let end = age_shares
                    .iter()
                    .rposition(|&s| s != 0.0)
                    .map_or(0, |i| i + 1);
                Some(Entrants {
                    schedule,
                    per_year: b.by_region(
                        &e.per_year,
                        &format!("{p}.per_year"),
                        Range::NonNegative,
                    )?,
                    growth,
                    grade,
                    share_span: (first, end.max(first)),
                    share_total: age_shares.iter().sum(),
                    age_shares,
                    fill_vacancies: e.fill_vacancies,
                    education,
                })
            }
        };
        let mut promotions = Vec::with_capacity(c.promotions.len());
        for (j, pr) in c.promotions.iter().enumerate() {
            let p = format!("{path}.promotions[{j}]");
            let from = lookup(
                &grades,
                &pr.from_grade,
                "grade",
                format_args!("{p}.from_grade"),
            )?;
            let to = lookup(&grades, &pr.to_grade, "grade", format_args!("{p}.to_grade"))?;
            if from == to {
                return Err(err(format!("{p}.to_grade"), "must differ from from_grade"));
            }
            let rate = b.by_region(&pr.rate, &format!("{p}.rate"), Range::Rate)?;
            promotions.push((from, to, rate));
        }
        let mut programmes = Vec::new();
        let mut n_s = 1;
        for (j, t) in c.training.iter().enumerate() {
            let p = format!("{path}.training[{j}]");
            let from = lookup(
                &grades,
                &t.from_grade,
                "grade",
                format_args!("{p}.from_grade"),
            )?;
            let to = lookup(&grades, &t.to_grade, "grade", format_args!("{p}.to_grade"))?;
            if to == from {
                return Err(err(format!("{p}.to_grade"), "must differ from from_grade"));
            }
            if to < from && !t.to_lower_grade {
                return Err(err(
                    format!("{p}.to_grade"),
                    format!(
                        "'{}' is below '{}' in the cadre's grades: a programme moves staff up \
                         (declare to_lower_grade = true for one that does not)",
                        t.to_grade, t.from_grade
                    ),
                ));
            }
            if t.duration == 0 || t.duration > 20 {
                return Err(err(
                    format!("{p}.duration"),
                    format!("must be 1 to 20 years, got {}", t.duration),
                ));
            }
            let duration = t.duration as usize;
            let max_age = match t.max_age {
                Some(a) => {
                    // Saturating: a huge max_age would overflow u32.
                    if a < min_age || a.saturating_add(t.duration + 1) >= c.retirement_age {
                        return Err(err(
                            format!("{p}.max_age"),
                            format!(
                                "{a} must be at least min_age ({min_age}) and leave time to return before retirement at {} (max_age + duration + 1 < retirement_age)",
                                c.retirement_age
                            ),
                        ));
                    }
                    (a - min_age) as usize
                }
                None => {
                    if retire_idx < duration + 2 {
                        return Err(err(format!("{p}.duration"), "longer than a working life"));
                    }
                    retire_idx - duration - 2
                }
            };
            let name = t
                .name
                .clone()
                .unwrap_or_else(|| format!("{}->{}", t.from_grade, t.to_grade));
            if programmes.iter().any(|q: &Programme| q.name == name) {
                return Err(err(
                    format!("{p}.name"),
                    format!("duplicate programme '{name}'"),
                ));
            }
            let opt_rate = |b: &mut Builder, d: &Option<Dist>, key: &str| -> Result<Option<P>> {
                d.as_ref()
                    .map(|d| b.param(d, format!("{p}.{key}"), Range::Rate))
                    .transpose()
            };
            let return_rate =
                b.param_or(&t.return_rate, 1.0, format!("{p}.return_rate"), Range::Rate)?;
            let during = opt_rate(&mut b, &t.rate_during_bond, "rate_during_bond")?;
            let after = opt_rate(&mut b, &t.rate_after_bond, "rate_after_bond")?;
            if t.years_after_bond > 0 && after.is_none() {
                return Err(err(
                    format!("{p}.rate_after_bond"),
                    "years_after_bond > 0 needs rate_after_bond",
                ));
            }
            for (v, key) in [
                (t.cost_per_trainee_year, "cost_per_trainee_year"),
                (t.cost_one_off, "cost_one_off"),
                (t.buyout, "buyout"),
            ] {
                if !(0.0..=MAX_AMOUNT).contains(&v) {
                    return Err(err(
                        format!("{p}.{key}"),
                        format!("must be >= 0 and at most {MAX_AMOUNT:e}, got {v}"),
                    ));
                }
            }
            if t.buyout > 0.0 && t.bond_years == 0 {
                return Err(err(
                    format!("{p}.buyout"),
                    "a buy-out is repaid by those who leave during a bond: give bond_years",
                ));
            }
            for (v, key) in [
                (t.bond_years, "bond_years"),
                (t.years_after_bond, "years_after_bond"),
            ] {
                if v > MAX_BOND_YEARS {
                    return Err(err(
                        format!("{p}.{key}"),
                        format!("must be at most {MAX_BOND_YEARS} years, got {v}"),
                    ));
                }
            }
            let s_offset = n_s;
            n_s += (t.bond_years + t.years_after_bond) as usize;
            programmes.push(Programme {
                name,
                from,
                to,
                places: b.by_region(&t.places, &format!("{p}.places"), Range::NonNegative)?,
                duration,
                return_rate,
                max_age,
                s_offset,
                bond: t.bond_years as usize,
                during,
                after_years: t.years_after_bond as usize,
                after,
                cost_year: t.cost_per_trainee_year,
                cost_one_off: t.cost_one_off,
                buyout: t.buyout,
            });
        }
        let demand = match &c.demand {
            None => Demand::None,
            Some(d) => {
                let dpath = format!("{path}.demand");
                if d.grade.is_some() {
                    return Err(err(
                        format!("{dpath}.grade"),
                        "a demand by grade goes in demand_by_grade, one per grade",
                    ));
                }
                let (demand, named) = compile_demand(&mut b, d, &dpath)?;
                if let Some(named) = named {
                    age_group_visits.push((cadres.len(), None, dpath, named));
                }
                demand
            }
        };
        let grade_demand = compile_grade_demand(
            &mut b,
            c,
            &grades,
            &path,
            cadres.len(),
            &mut age_group_visits,
        )?;
        if entrants.as_ref().is_some_and(|e| e.fill_vacancies) {
            let quota = |d: &Demand| matches!(d, Demand::Quota(_));
            let by_quota = if grade_demand.is_empty() {
                quota(&demand)
            } else {
                grade_demand.iter().all(quota)
            };
            if !by_quota {
                return Err(err(
                    format!("{path}.entrants.fill_vacancies"),
                    "hiring into vacancies needs posts: give the cadre demand by quota \
                     (method 'quota', by grade or not)",
                ));
            }
        }
        let salary = compile_salary(&c.salary, &grades, &c.name, &path)?;
        let cadre = Cadre {
            name: c.name.clone(),
            grades,
            n_s,
            retire_idx,
            death,
            attrition,
            by_age,
            grade_mult,
            entrants,
            programmes,
            promotions,
            demand,
            grade_demand,
            salary,
            offset,
            grade_cell0: None,
        };
        offset += cadre.size(n_ages);
        cadres.push(cadre);
    }
    let region_size = offset;
    // Output cells: the cadres', then the grades' of cadres with several grades.
    let mut n_cells = cadres.len();
    for c in &mut cadres {
        if c.grades.len() > 1 {
            c.grade_cell0 = Some(n_cells);
            n_cells += c.grades.len();
        }
    }
    let needs_population = cadres.iter().any(|c| {
        std::iter::once(&c.demand)
            .chain(&c.grade_demand)
            .any(|d| !matches!(d, Demand::None | Demand::Quota(_) | Demand::Wisn(_)))
    });
    let (population, age_groups, pop_by_group) =
        compile_population(&mut b, &doc, needs_population)?;
    resolve_age_groups(&mut cadres, age_group_visits, &age_groups)?;

    // Starting stock.
    let mut stock = vec![0.0; doc.regions.len() * region_size];
    for (i, row) in doc.stock.iter().enumerate() {
        if i % 65_536 == 0 {
            control.check()?;
        }
        // Paths are written out only for an error.
        let path = format_args!("stock[{i}]");
        let r = b.region(&row.region, format_args!("{path}.region"))?;
        let ci = lookup(
            &cadre_names,
            &row.cadre,
            "cadre",
            format_args!("{path}.cadre"),
        )?;
        let c = &cadres[ci];
        let g = match &row.grade {
            Some(g) => lookup(&c.grades, g, "grade", format_args!("{path}.grade"))?,
            None => 0,
        };
        if !(row.count >= 0.0 && row.count <= MAX_VALUE) {
            return Err(err(
                format!("{path}.count"),
                format!(
                    "must be a number >= 0 and at most {MAX_VALUE:e}, got {}",
                    row.count
                ),
            ));
        }
        let base = r * region_size + c.offset + g * c.n_s * n_ages;
        match row.age {
            Some(age) => {
                if age < min_age || age >= min_age + c.retire_idx as u32 {
                    return Err(err(
                        format!("{path}.age"),
                        format!(
                            "age {age} is outside the working ages {min_age} to {} of cadre '{}'",
                            min_age + c.retire_idx as u32 - 1,
                            c.name
                        ),
                    ));
                }
                stock[base + (age - min_age) as usize] += row.count;
            }
            None => {
                let default = AgeDoc {
                    mean: None,
                    sd: None,
                    ages: Some((min_age..min_age + c.retire_idx as u32).collect()),
                    shares: Some(vec![1.0; c.retire_idx]),
                };
                let doc_age = doc.cadres[ci].stock_age.as_ref().unwrap_or(&default);
                let shares = age_shares(
                    doc_age,
                    min_age,
                    c.retire_idx,
                    n_ages,
                    &format!("cadres[{ci}].stock_age"),
                )?;
                for (a, s) in shares.iter().enumerate() {
                    stock[base + a] += row.count * s;
                }
            }
        }
    }

    let mut migration = Vec::new();
    for (i, m) in doc.migration.iter().enumerate() {
        let path = format!("migration[{i}]");
        let cadre = m
            .cadre
            .as_ref()
            .map(|c| lookup(&cadre_names, c, "cadre", format_args!("{path}.cadre")))
            .transpose()?;
        let from = b.region(&m.from, format_args!("{path}.from"))?;
        let to = b.region(&m.to, format_args!("{path}.to"))?;
        if from == to {
            return Err(err(
                format!("{path}.to"),
                format!("'{}' is also the origin", m.to),
            ));
        }
        let rate = b.param(&m.rate, format!("{path}.rate"), Range::Rate)?;
        migration.push(Migration {
            cadre,
            from,
            to,
            rate,
        });
    }
    // The shares leaving one region must not add up to more than everyone on average (a
    // draw above 1 is capped in the simulation).
    for (ci, c) in cadres.iter().enumerate() {
        for r in 0..doc.regions.len() {
            let hi: f64 = migration
                .iter()
                .filter(|m| m.from == r && m.cadre.is_none_or(|x| x == ci))
                .map(|m| b.params[m.rate].dist.mean())
                .sum();
            if hi > 1.0 {
                return Err(err(
                    "migration",
                    format!(
                        "the shares of cadre '{}' leaving '{}' add up to {hi} > 1",
                        c.name, doc.regions[r]
                    ),
                ));
            }
        }
    }

    let mut policies = Vec::new();
    for (i, p) in doc.policies.iter().enumerate() {
        policies.push(compile_policy(
            &mut b,
            p,
            &format!("policies[{i}]"),
            &cadres,
            doc.start_year,
        )?);
        if doc.policies[..i].iter().any(|q| q.name == p.name) {
            return Err(err(
                format!("policies[{i}].name"),
                format!("duplicate policy '{}'", p.name),
            ));
        }
    }

    Ok(Model {
        name: doc.name.unwrap_or_else(|| "scenario".to_string()),
        currency: doc.currency.unwrap_or_default(),
        start_year: doc.start_year,
        horizon: doc.horizon as usize,
        regions: doc.regions,
        min_age,
        n_ages,
        cadres,
        region_size,
        params: b.params,
        migration,
        population,
        age_groups,
        pop_by_group,
        policies,
        stock,
        n_cells,
    })
}

/// A cadre's demand by grade (empty without `demand_by_grade`): one per grade, in grade
/// order, each named once.
fn compile_grade_demand(
    b: &mut Builder,
    c: &CadreDoc,
    grades: &[String],
    path: &str,
    ci: usize,
    visits: &mut AgeGroupVisits,
) -> Result<Vec<Demand>> {
    if c.demand_by_grade.is_empty() {
        return Ok(Vec::new());
    }
    if c.demand.is_some() {
        return Err(err(
            format!("{path}.demand_by_grade"),
            "give demand or demand_by_grade, not both",
        ));
    }
    let mut out: Vec<Option<Demand>> = vec![None; grades.len()];
    for (j, d) in c.demand_by_grade.iter().enumerate() {
        let dpath = format!("{path}.demand_by_grade[{j}]");
        let name = d.grade.as_ref().ok_or_else(|| {
            err(
                format!("{dpath}.grade"),
                "missing: each demand by grade names its grade",
            )
        })?;
        let g = lookup(grades, name, "grade", format_args!("{dpath}.grade"))?;
        if out[g].is_some() {
            return Err(err(
                format!("{dpath}.grade"),
                format!("grade '{name}' has a demand already"),
            ));
        }
        let (demand, named) = compile_demand(b, d, &dpath)?;
        if let Some(named) = named {
            visits.push((ci, Some(g), dpath, named));
        }
        out[g] = Some(demand);
    }
    grades
        .iter()
        .zip(out)
        .map(|(name, d)| {
            d.ok_or_else(|| {
                err(
                    format!("{path}.demand_by_grade"),
                    format!("no demand for grade '{name}' (every grade needs one)"),
                )
            })
        })
        .collect()
}

/// A cadre's demand, and the age groups it names (resolved against the population table
/// by [`resolve_age_groups`]).
fn compile_demand(b: &mut Builder, d: &DemandDoc, path: &str) -> Result<(Demand, Option<Named>)> {
    let mut by_group = Vec::new();
    let need = |v: &Option<ByRegion>, key: &str| -> Result<ByRegion> {
        v.clone().ok_or_else(|| {
            err(
                format!("{path}.{key}"),
                format!("method '{}' needs '{key}'", d.method),
            )
        })
    };
    let allowed: &[&str] = match d.method.as_str() {
        "norm" => &["per_1000", "per_100000", "age_groups"],
        "quota" => &["quota"],
        "service_use" => &[
            "visits_per_capita",
            "visits_by_age_group",
            "hours_per_visit",
            "available_hours",
        ],
        "wisn" => &["required"],
        "none" => &[],
        other => {
            return Err(err(
                format!("{path}.method"),
                format!("unknown method '{other}' (norm, quota, service_use, wisn, none)"),
            ))
        }
    };
    let given = [
        ("per_1000", d.per_1000.is_some()),
        ("per_100000", d.per_100000.is_some()),
        ("age_groups", d.age_groups.is_some()),
        ("quota", d.quota.is_some()),
        ("visits_per_capita", d.visits_per_capita.is_some()),
        ("visits_by_age_group", d.visits_by_age_group.is_some()),
        ("hours_per_visit", d.hours_per_visit.is_some()),
        ("available_hours", d.available_hours.is_some()),
        ("required", d.required.is_some()),
    ];
    for (k, g) in given {
        if g && !allowed.contains(&k) {
            return Err(err(
                format!("{path}.{k}"),
                format!("is not used by method '{}'", d.method),
            ));
        }
    }
    let demand = match d.method.as_str() {
        "norm" => {
            let (key, value, per) = match (&d.per_1000, &d.per_100000) {
                (Some(_), Some(_)) => {
                    return Err(err(
                        format!("{path}.per_100000"),
                        "give per_1000 or per_100000, not both",
                    ))
                }
                (None, Some(v)) => ("per_100000", v.clone(), 1e-5),
                _ => ("per_1000", need(&d.per_1000, "per_1000")?, 1e-3),
            };
            let rate = b.by_region(&value, &format!("{path}.{key}"), Range::NonNegative)?;
            if let Some(names) = &d.age_groups {
                if names.is_empty() {
                    return Err(err(format!("{path}.age_groups"), "names no age group"));
                }
                return Ok((
                    Demand::Norm {
                        rate,
                        per,
                        groups: Vec::new(),
                    },
                    Some(Named::Target(names.clone())),
                ));
            }
            Demand::Norm {
                rate,
                per,
                groups: Vec::new(),
            }
        }
        "quota" => Demand::Quota(b.by_region(
            &need(&d.quota, "quota")?,
            &format!("{path}.quota"),
            Range::NonNegative,
        )?),
        "wisn" => Demand::Wisn(b.by_region(
            &need(&d.required, "required")?,
            &format!("{path}.required"),
            Range::NonNegative,
        )?),
        "service_use" => {
            let (visits, by_age_group) = match (&d.visits_per_capita, &d.visits_by_age_group) {
                (Some(_), Some(_)) => {
                    return Err(err(
                        format!("{path}.visits_by_age_group"),
                        "give visits_per_capita or visits_by_age_group, not both",
                    ))
                }
                (_, Some(by)) => {
                    // Group names are checked against the population table later.
                    let mut out = Vec::with_capacity(by.len());
                    for (name, dist) in by {
                        let sub = format!("{path}.visits_by_age_group.{name}");
                        out.push((name.clone(), b.param(dist, sub, Range::NonNegative)?));
                    }
                    (Vec::new(), out)
                }
                _ => (
                    b.by_region(
                        &need(&d.visits_per_capita, "visits_per_capita")?,
                        &format!("{path}.visits_per_capita"),
                        Range::NonNegative,
                    )?,
                    Vec::new(),
                ),
            };
            by_group = by_age_group;
            let hours = d.hours_per_visit.as_ref().ok_or_else(|| {
                err(
                    format!("{path}.hours_per_visit"),
                    "method 'service_use' needs 'hours_per_visit'",
                )
            })?;
            let avail = d.available_hours.as_ref().ok_or_else(|| {
                err(
                    format!("{path}.available_hours"),
                    "method 'service_use' needs 'available_hours'",
                )
            })?;
            let hours = b.param(hours, format!("{path}.hours_per_visit"), Range::NonNegative)?;
            if avail.support().0 <= 0.0 && !matches!(avail, Dist::Normal { .. }) {
                return Err(err(format!("{path}.available_hours"), "must be > 0"));
            }
            let available =
                b.param(avail, format!("{path}.available_hours"), Range::NonNegative)?;
            Demand::ServiceUse {
                visits,
                by_age_group: Vec::new(),
                hours,
                available,
            }
        }
        _ => Demand::None,
    };
    let named = (!by_group.is_empty()).then_some(Named::Visits(by_group));
    Ok((demand, named))
}

/// Population by age group: the groups, and the numbers per (region, year, group).
type AgeGroups = (Vec<String>, Vec<f64>);

/// Age groups of the population table that a demand names, resolved once the table is
/// read.
enum Named {
    /// Visits per capita by age group: (group name, parameter).
    Visits(Vec<(String, P)>),
    /// The target population of a norm.
    Target(Vec<String>),
}

/// Age groups named by demands: (cadre, grade of a demand by grade, key path, names).
type AgeGroupVisits = Vec<(usize, Option<usize>, String, Named)>;

/// The population, and its age groups when the table has them.
fn compile_population(
    b: &mut Builder,
    doc: &ScenarioDoc,
    needed: bool,
) -> Result<(Population, Vec<String>, Vec<f64>)> {
    let Some(p) = &doc.population else {
        if needed {
            return Err(err(
                "population",
                "demand by norm or service use needs a population",
            ));
        }
        return Ok((Population::None, Vec::new(), Vec::new()));
    };
    if !p.table.is_empty() {
        if p.base.is_some() || p.growth.is_some() {
            return Err(err(
                "population",
                "give either a table or base with growth, not both",
            ));
        }
        let years = doc.horizon as usize + 1;
        let mut t = vec![vec![f64::NAN; years]; doc.regions.len()];
        let (groups, by_group) = age_group_table(b, doc, &p.table)?;
        if !groups.is_empty() {
            // The population of a region and year is the sum over its groups.
            let ng = groups.len();
            for (r, row) in t.iter_mut().enumerate() {
                for (y, v) in row.iter_mut().enumerate() {
                    let at = (r * years + y) * ng;
                    *v = by_group[at..at + ng].iter().sum();
                }
            }
            if let Some((r, y)) = (0..t.len())
                .flat_map(|r| (0..years).map(move |y| (r, y)))
                .find(|&(r, y)| t[r][y] <= 0.0)
            {
                return Err(err(
                    "population.table",
                    format!(
                        "the age groups of region '{}' in {} add up to {}, not > 0",
                        doc.regions[r],
                        doc.start_year + y as i32,
                        t[r][y]
                    ),
                ));
            }
            return Ok((Population::Table(t), groups, by_group));
        }
        for (i, row) in p.table.iter().enumerate() {
            let path = format!("population.table[{i}]");
            let r = b.region(&row.region, format_args!("{path}.region"))?;
            // In i64: a year far from the start would overflow i32.
            let y = i64::from(row.year) - i64::from(doc.start_year);
            if y < 0 || y as usize >= years {
                continue;
            }
            if !(row.population > 0.0 && row.population.is_finite()) {
                return Err(err(
                    format!("{path}.population"),
                    format!("must be > 0, got {}", row.population),
                ));
            }
            if !t[r][y as usize].is_nan() {
                return Err(err(
                    format!("{path}.year"),
                    format!("duplicate year {} for region '{}'", row.year, row.region),
                ));
            }
            t[r][y as usize] = row.population;
        }
        for (r, row) in t.iter().enumerate() {
            if let Some(y) = row.iter().position(|v| v.is_nan()) {
                return Err(err(
                    "population.table",
                    format!(
                        "no population for region '{}' in {}",
                        doc.regions[r],
                        doc.start_year + y as i32
                    ),
                ));
            }
        }
        return Ok((Population::Table(t), Vec::new(), Vec::new()));
    }
    let base = p
        .base
        .as_ref()
        .ok_or_else(|| err("population.base", "give a table or a base population"))?;
    let base = b.by_region(base, "population.base", Range::NonNegative)?;
    let growth = match &p.growth {
        Some(g) => b.by_region(g, "population.growth", Range::Growth)?,
        None => {
            let z = b.fixed(0.0, "population.growth".into());
            vec![z; doc.regions.len()]
        }
    };
    Ok((Population::Growth { base, growth }, Vec::new(), Vec::new()))
}

/// The age groups of a population table (in order of first appearance) and the numbers
/// per (region, year, group); empty without an `age_group` column.
fn age_group_table(b: &Builder, doc: &ScenarioDoc, rows: &[PopulationRow]) -> Result<AgeGroups> {
    if rows.iter().all(|r| r.age_group.is_none()) {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut groups: Vec<String> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match &row.age_group {
            None => {
                return Err(err(
                    format!("population.table[{i}].age_group"),
                    "missing: some rows give an age group, so every row must",
                ))
            }
            Some(g) if !groups.contains(g) => groups.push(g.clone()),
            Some(_) => {}
        }
    }
    let years = doc.horizon as usize + 1;
    let ng = groups.len();
    let mut out = vec![f64::NAN; doc.regions.len() * years * ng];
    for (i, row) in rows.iter().enumerate() {
        let path = format!("population.table[{i}]");
        let r = b.region(&row.region, format_args!("{path}.region"))?;
        // In i64: a year far from the start would overflow i32.
        let y = i64::from(row.year) - i64::from(doc.start_year);
        if y < 0 || y as usize >= years {
            continue;
        }
        if !(row.population >= 0.0 && row.population.is_finite()) {
            return Err(err(
                format!("{path}.population"),
                format!("must be >= 0, got {}", row.population),
            ));
        }
        let name = row.age_group.as_deref().unwrap_or_default();
        let g = groups.iter().position(|x| x == name).unwrap_or_default();
        let at = (r * years + y as usize) * ng + g;
        if !out[at].is_nan() {
            return Err(err(
                format!("{path}.age_group"),
                format!(
                    "duplicate age group '{name}' for region '{}' in {}",
                    row.region, row.year
                ),
            ));
        }
        out[at] = row.population;
    }
    if let Some(at) = out.iter().position(|v| v.is_nan()) {
        let (r, y, g) = (at / (years * ng), at / ng % years, at % ng);
        return Err(err(
            "population.table",
            format!(
                "no population for region '{}' in {} in age group '{}'",
                doc.regions[r],
                doc.start_year + y as i32,
                groups[g]
            ),
        ));
    }
    Ok((groups, out))
}

/// Put each cadre's visits by age group in the population table's group order, checking
/// that they name exactly its groups.
fn resolve_age_groups(
    cadres: &mut [Cadre],
    visits: AgeGroupVisits,
    groups: &[String],
) -> Result<()> {
    for (ci, grade, path, named) in visits {
        let named = match named {
            Named::Visits(v) => v,
            Named::Target(names) => {
                let path = format!("{path}.age_groups");
                if groups.is_empty() {
                    return Err(err(
                        path,
                        "needs a population table with an 'age_group' column",
                    ));
                }
                let mut resolved = Vec::with_capacity(names.len());
                for (j, name) in names.iter().enumerate() {
                    let g = lookup(groups, name, "age group", format_args!("{path}[{j}]"))?;
                    if resolved.contains(&g) {
                        return Err(err(
                            format!("{path}[{j}]"),
                            format!("age group '{name}' named twice"),
                        ));
                    }
                    resolved.push(g);
                }
                let c = &mut cadres[ci];
                let d = match grade {
                    Some(g) => &mut c.grade_demand[g],
                    None => &mut c.demand,
                };
                if let Demand::Norm { groups, .. } = d {
                    *groups = resolved;
                }
                continue;
            }
        };
        let path = format!("{path}.visits_by_age_group");
        if groups.is_empty() {
            return Err(err(
                path,
                "needs a population table with an 'age_group' column",
            ));
        }
        let mut resolved = Vec::with_capacity(groups.len());
        for (name, p) in &named {
            match groups.iter().position(|g| g == name) {
                Some(g) => resolved.push((g, *p)),
                None => {
                    return Err(err(
                        format!("{path}.{name}"),
                        format!(
                            "unknown age group '{name}' (population table groups: {})",
                            groups.join(", ")
                        ),
                    ))
                }
            }
        }
        if let Some(g) = groups.iter().find(|g| !named.iter().any(|(n, _)| n == *g)) {
            return Err(err(path, format!("no value for age group '{g}'")));
        }
        resolved.sort_unstable();
        let c = &mut cadres[ci];
        let d = match grade {
            Some(g) => &mut c.grade_demand[g],
            None => &mut c.demand,
        };
        if let Demand::ServiceUse { by_age_group, .. } = d {
            *by_age_group = resolved;
        }
    }
    Ok(())
}

/// The optional cadre and grade named at `path` (a grade needs its cadre).
/// A cadre's salary per grade.
fn compile_salary(s: &SalaryDoc, grades: &[String], cadre: &str, path: &str) -> Result<Vec<f64>> {
    let check = |v: f64, key: String| {
        if (0.0..=MAX_AMOUNT).contains(&v) {
            Ok(v)
        } else {
            Err(err(
                key,
                format!("must be >= 0 and at most {MAX_AMOUNT:e}, got {v}"),
            ))
        }
    };
    match s {
        SalaryDoc::All(v) => Ok(vec![check(*v, format!("{path}.salary"))?; grades.len()]),
        SalaryDoc::ByGrade(by) => {
            for k in by.keys() {
                if !grades.contains(k) {
                    return Err(err(
                        format!("{path}.salary.{k}"),
                        format!(
                            "'{k}' is not a grade of cadre '{cadre}' (grades: {})",
                            grades.join(", ")
                        ),
                    ));
                }
            }
            grades
                .iter()
                .map(|g| match by.get(g) {
                    Some(&v) => check(v, format!("{path}.salary.{g}")),
                    None => Err(err(
                        format!("{path}.salary.{g}"),
                        format!("the salary of grade '{g}' is missing: name every grade"),
                    )),
                })
                .collect()
        }
    }
}

fn cadre_grade(
    cadres: &[Cadre],
    cadre: &Option<String>,
    grade: &Option<String>,
    path: &str,
) -> Result<(Option<usize>, Option<usize>)> {
    let names: Vec<String> = cadres.iter().map(|c| c.name.clone()).collect();
    let ci = cadre
        .as_ref()
        .map(|n| lookup(&names, n, "cadre", format_args!("{path}.cadre")))
        .transpose()?;
    let g = match (grade, ci) {
        (Some(g), Some(ci)) => Some(lookup(
            &cadres[ci].grades,
            g,
            "grade",
            format_args!("{path}.grade"),
        )?),
        (Some(_), None) => return Err(err(format!("{path}.grade"), "a grade needs a cadre")),
        _ => None,
    };
    Ok((ci, g))
}

fn compile_policy(
    b: &mut Builder,
    p: &PolicyDoc,
    path: &str,
    cadres: &[Cadre],
    start_year: i32,
) -> Result<Policy> {
    let change = |b: &mut Builder,
                  list: &[ChangeDoc],
                  key: &str,
                  range: Range,
                  programme: bool|
     -> Result<Vec<Change>> {
        list.iter()
            .enumerate()
            .map(|(j, c)| {
                let cp = format!("{path}.{key}[{j}]");
                let (cadre, grade) = cadre_grade(cadres, &c.cadre, &c.grade, &cp)?;
                if grade.is_some() && programme {
                    return Err(err(
                        format!("{cp}.grade"),
                        "training places belong to a programme, whose grades are its own: \
                         drop 'grade'",
                    ));
                }
                if key == "quota" {
                    if let Some(ci) = cadre {
                        let by_grade = !cadres[ci].grade_demand.is_empty();
                        if by_grade && grade.is_none() {
                            return Err(err(
                                format!("{cp}.grade"),
                                format!(
                                    "cadre '{}' has its demand by grade: a quota names the grade",
                                    cadres[ci].name
                                ),
                            ));
                        }
                        if !by_grade && grade.is_some() {
                            return Err(err(
                                format!("{cp}.grade"),
                                format!(
                                    "a quota by grade needs the cadre's demand by grade \
                                     (cadres[{ci}].demand_by_grade)"
                                ),
                            ));
                        }
                    }
                }
                let region = c
                    .region
                    .as_ref()
                    .map(|r| b.region(r, format_args!("{cp}.region")))
                    .transpose()?;
                let prog = match (&c.programme, cadre, programme) {
                    (Some(n), Some(ci), true) => {
                        let progs: Vec<String> = cadres[ci]
                            .programmes
                            .iter()
                            .map(|q| q.name.clone())
                            .collect();
                        Some(lookup(
                            &progs,
                            n,
                            "programme",
                            format_args!("{cp}.programme"),
                        )?)
                    }
                    (None, _, true) => {
                        return Err(err(
                            format!("{cp}.programme"),
                            "training_places needs a cadre and a programme",
                        ))
                    }
                    (Some(_), None, true) => {
                        return Err(err(
                            format!("{cp}.cadre"),
                            "training_places needs a cadre and a programme",
                        ))
                    }
                    (Some(_), _, false) => {
                        return Err(err(
                            format!("{cp}.programme"),
                            format!("is not used by {key}"),
                        ))
                    }
                    (None, _, false) => None,
                };
                if key == "quota" && cadre.is_none() {
                    return Err(err(format!("{cp}.cadre"), "a quota needs a cadre"));
                }
                let value = b.param(&c.value, format!("{cp}.value"), range)?;
                Ok(Change {
                    cadre,
                    grade,
                    region,
                    programme: prog,
                    value,
                })
            })
            .collect()
    };
    let attrition_multiplier = change(
        b,
        &p.attrition_multiplier,
        "attrition_multiplier",
        Range::NonNegative,
        false,
    )?;
    let migration_multiplier = change(
        b,
        &p.migration_multiplier,
        "migration_multiplier",
        Range::NonNegative,
        false,
    )?;
    let training_places = change(
        b,
        &p.training_places,
        "training_places",
        Range::NonNegative,
        true,
    )?;
    let extra_entrants = change(
        b,
        &p.extra_entrants,
        "extra_entrants",
        Range::NonNegative,
        false,
    )?;
    let quota = change(b, &p.quota, "quota", Range::NonNegative, false)?;
    let extra_students = change(
        b,
        &p.extra_students,
        "extra_students",
        Range::NonNegative,
        false,
    )?;
    let mut lag = 0;
    for (j, (c, doc)) in extra_students.iter().zip(&p.extra_students).enumerate() {
        let cp = format!("{path}.extra_students[{j}]");
        let Some(ci) = c.cadre else {
            return Err(err(format!("{cp}.cadre"), "extra students need a cadre"));
        };
        if doc.grade.is_some() {
            return Err(err(
                format!("{cp}.grade"),
                "students join at the cadre's entrant grade: drop 'grade'",
            ));
        }
        match cadres[ci].entrants.as_ref().and_then(|e| e.education) {
            Some((duration, _)) => lag = lag.max(duration),
            None => {
                return Err(err(
                    format!("{cp}.cadre"),
                    format!(
                        "cadre '{}' has no pre-service course (entrants.education)",
                        cadres[ci].name
                    ),
                ))
            }
        }
    }
    for (j, c) in p.extra_entrants.iter().enumerate() {
        if c.cadre.is_none() {
            return Err(err(
                format!("{path}.extra_entrants[{j}].cadre"),
                "extra entrants need a cadre",
            ));
        }
    }
    let mut costs = Vec::new();
    for (j, c) in p.costs.iter().enumerate() {
        let cp = format!("{path}.costs[{j}]");
        let kind = match c.kind.as_str() {
            "per_person_year" => CostKind::PerPersonYear,
            "one_off_per_entrant" => CostKind::OneOffPerEntrant,
            "one_off_per_extra_entrant" => CostKind::OneOffPerExtraEntrant,
            "one_off_per_returner" => CostKind::OneOffPerReturner,
            "one_off_per_trainee" => CostKind::OneOffPerTrainee,
            "per_trainee_year" => CostKind::PerTraineeYear,
            "fixed_per_year" => CostKind::FixedPerYear,
            other => {
                return Err(err(
                    format!("{cp}.kind"),
                    format!("unknown kind '{other}' (per_person_year, one_off_per_entrant, one_off_per_extra_entrant, one_off_per_returner, one_off_per_trainee, per_trainee_year, fixed_per_year)"),
                ))
            }
        };
        let (cadre, grade) = cadre_grade(cadres, &c.cadre, &c.grade, &cp)?;
        if grade.is_some() && matches!(kind, CostKind::PerTraineeYear | CostKind::FixedPerYear) {
            return Err(err(
                format!("{cp}.grade"),
                format!(
                    "is not used by kind '{}' (trainees and fixed costs have no grade)",
                    c.kind
                ),
            ));
        }
        // Kinds that count a flow: the cadre (and grade) must have it.
        match kind {
            CostKind::OneOffPerExtraEntrant => {
                let Some(ci) = cadre else {
                    return Err(err(
                        format!("{cp}.cadre"),
                        "a cost per extra entrant names the cadre the policy adds entrants to",
                    ));
                };
                let entry = cadres[ci].entrants.as_ref().map_or(0, |e| e.grade);
                let brings = p.extra_entrants.iter().any(|ch| {
                    ch.cadre.as_deref() == Some(cadres[ci].name.as_str())
                        && grade.is_none_or(|g| {
                            ch.grade
                                .as_ref()
                                .map_or(entry == g, |n| *n == cadres[ci].grades[g])
                        })
                });
                if !brings {
                    let which = match grade {
                        Some(g) => format!("grade '{}' of cadre", cadres[ci].grades[g]),
                        None => "cadre".to_string(),
                    };
                    return Err(err(
                        format!("{cp}.kind"),
                        format!(
                            "one_off_per_extra_entrant does not apply: the policy brings no \
                             extra entrants (extra_entrants) to {which} '{}'",
                            cadres[ci].name
                        ),
                    ));
                }
            }
            CostKind::OneOffPerReturner | CostKind::OneOffPerTrainee | CostKind::PerTraineeYear => {
                let trains = |c: &Cadre| {
                    c.programmes.iter().any(|pr| match (grade, kind) {
                        (Some(g), CostKind::OneOffPerReturner) => pr.to == g,
                        (Some(g), _) => pr.from == g,
                        (None, _) => true,
                    })
                };
                let ok = match cadre {
                    Some(ci) => trains(&cadres[ci]),
                    None => cadres.iter().any(trains),
                };
                if !ok {
                    return Err(err(
                        format!("{cp}.kind"),
                        format!(
                            "{} does not apply: no training programme {} {}",
                            c.kind,
                            if kind == CostKind::OneOffPerReturner {
                                "returns to"
                            } else {
                                "takes from"
                            },
                            match (cadre, grade) {
                                (Some(ci), Some(g)) => format!(
                                    "grade '{}' of cadre '{}'",
                                    cadres[ci].grades[g], cadres[ci].name
                                ),
                                (Some(ci), None) => format!("cadre '{}'", cadres[ci].name),
                                _ => "any cadre".to_string(),
                            }
                        ),
                    ));
                }
            }
            _ => {}
        }
        if !c.amount.is_finite() || c.amount.abs() > MAX_AMOUNT {
            return Err(err(
                format!("{cp}.amount"),
                format!(
                    "must be a finite number of size at most {MAX_AMOUNT:e}, got {}",
                    c.amount
                ),
            ));
        }
        let region = c
            .region
            .as_ref()
            .map(|r| b.region(r, format_args!("{cp}.region")))
            .transpose()?;
        costs.push(Cost {
            item: c.item.clone(),
            kind,
            cadre,
            grade,
            region,
            amount: c.amount,
        });
    }
    let from_year = p.from_year.unwrap_or(start_year + 1);
    if from_year <= start_year {
        return Err(err(
            format!("{path}.from_year"),
            format!("{from_year} is not after the start year {start_year}: policies act on projected years"),
        ));
    }
    let to_year = p.to_year.unwrap_or(i32::MAX);
    if to_year < from_year {
        return Err(err(
            format!("{path}.to_year"),
            format!("{to_year} is before from_year {from_year}"),
        ));
    }
    Ok(Policy {
        name: p.name.clone(),
        from_year,
        to_year,
        attrition_multiplier,
        migration_multiplier,
        training_places,
        extra_entrants,
        extra_students,
        quota,
        costs,
        lag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two regions, doctors in two grades with a training programme and need by grade,
    /// nurses with one grade; `edit` replaces text of the document.
    fn doc(edit: (&str, &str)) -> Result<Model> {
        let text = r#"{"start_year": 2024, "horizon": 3, "regions": ["A", "B"], "min_age": 20,
            "cadres": [{"name": "nurse", "retirement_age": 55, "attrition": {"rate": 0.05},
                        "demand": {"method": "quota", "quota": {"A": 10, "B": 20}}},
                       {"name": "doctor", "grades": ["gp", "specialist"], "retirement_age": 60,
                        "attrition": {"rate": {"dist": "beta", "a": 2, "b": 50}},
                        "training": [{"from_grade": "gp", "to_grade": "specialist", "places": 3,
                                      "duration": 2, "return_rate": 0.9}],
                        "demand_by_grade": [{"grade": "gp", "method": "quota", "quota": 5},
                                            {"grade": "specialist", "method": "quota", "quota": 2}]}],
            "stock": [{"region": "A", "cadre": "doctor", "grade": "specialist", "age": 40, "count": 3},
                      {"region": "B", "cadre": "nurse", "count": 7}],
            "policies": [{"name": "p", "quota": [{"cadre": "doctor", "grade": "specialist", "value": 4}]}]}"#;
        assert!(edit.0.is_empty() || text.contains(edit.0), "{}", edit.0);
        from_json(&text.replacen(edit.0, edit.1, 1))
    }

    #[test]
    fn a_cancelled_compilation_stops() {
        let text = r#"{"start_year": 2024, "horizon": 3, "regions": ["A"],
            "cadres": [{"name": "nurse", "retirement_age": 55, "attrition": {"rate": 0.05}}],
            "stock": [{"region": "A", "cadre": "nurse", "age": 30, "count": 7}]}"#;
        let control = Control::default();
        assert!(compile_with(parse(text).unwrap(), &control).is_ok());
        control.cancel();
        let e = compile_with(parse(text).unwrap(), &control).unwrap_err();
        assert_eq!(e, Error::Interrupted);
    }

    #[test]
    fn names_become_indices_and_cells() {
        let m = doc(("", "")).unwrap();
        assert_eq!(m.regions, ["A", "B"]);
        assert_eq!(m.n_ages, 40);
        let (nurse, doctor) = (&m.cadres[0], &m.cadres[1]);
        assert_eq!((nurse.grade_cell0, doctor.grade_cell0), (None, Some(2)));
        assert_eq!(m.n_cells, 4);
        assert!(matches!(nurse.demand, Demand::Quota(_)) && nurse.grade_demand.is_empty());
        assert!(matches!(doctor.demand, Demand::None) && doctor.grade_demand.len() == 2);
        let p = &doctor.programmes[0];
        assert_eq!((p.from, p.to, p.duration), (0, 1, 2));
        // Doctors' states: not recently trained, then none for a programme without bond.
        assert_eq!(doctor.n_s, 1);
        assert_eq!(doctor.offset, nurse.size(m.n_ages));
        assert_eq!(m.region_size, nurse.size(40) + doctor.size(40));
        // The stock lands in its region, cadre, grade and age.
        let at = doctor.offset + m.n_ages + 20;
        assert_eq!(m.stock[at], 3.0);
        assert!((m.stock[m.region_size..].iter().sum::<f64>() - 7.0).abs() < 1e-12);
        let q = &m.policies[0].quota[0];
        assert_eq!((q.cadre, q.grade, q.region), (Some(1), Some(1), None));
    }

    #[test]
    fn broken_rules_name_their_key() {
        for (edit, path, message) in [
            (
                (r#""to_grade": "specialist""#, r#""to_grade": "gp""#),
                "cadres[1].training[0].to_grade",
                "must differ from from_grade",
            ),
            (
                (
                    r#""from_grade": "gp", "to_grade": "specialist""#,
                    r#""from_grade": "specialist", "to_grade": "gp""#,
                ),
                "cadres[1].training[0].to_grade",
                "'gp' is below 'specialist'",
            ),
            (
                (
                    r#""grade": "specialist", "method""#,
                    r#""grade": "gp", "method""#,
                ),
                "cadres[1].demand_by_grade[1].grade",
                "grade 'gp' has a demand already",
            ),
            (
                (r#""grade": "specialist", "value": 4"#, r#""value": 4"#),
                "policies[0].quota[0].grade",
                "cadre 'doctor' has its demand by grade",
            ),
            (
                (r#""B": 20"#, r#""C": 20"#),
                "cadres[0].demand.quota.C",
                "unknown region 'C'",
            ),
            ((r#""count": 7"#, r#""count": -7"#), "stock[1].count", ""),
            (
                (r#""places": 3"#, r#""places": 3, "grade": "gp""#),
                "cadres[1].training[0].grade",
                "unknown field",
            ),
        ] {
            assert_names_key(doc(edit).unwrap_err(), path, message);
        }
    }

    /// `e` is a scenario error at key `path` whose message contains `message`.
    fn assert_names_key(e: Error, path: &str, message: &str) {
        let Error::Scenario {
            path: got,
            message: said,
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(got, path, "{e}");
        assert!(said.contains(message), "{e}");
    }

    /// Values at the ends of their integer types, each of which used to overflow while
    /// being checked (or, for the bond, in the count of states it adds).
    #[test]
    fn extreme_numbers_name_their_key() {
        let entrants = r#""entrants": {"per_year": 5, "age": {"mean": 25},
                                     "schedule": [{"year": -2147483648, "value": 1}]},
                        "attrition": {"rate": 0.05},"#;
        for (edit, path, message) in [
            (
                (r#""attrition": {"rate": 0.05},"#, entrants),
                "cadres[0].entrants.schedule[0].year",
                "-2147483648 is not a projected year",
            ),
            (
                (
                    r#""return_rate": 0.9"#,
                    r#""return_rate": 0.9, "max_age": 4294967295"#,
                ),
                "cadres[1].training[0].max_age",
                "4294967295 must be at least min_age",
            ),
            (
                (
                    r#""return_rate": 0.9"#,
                    r#""return_rate": 0.9, "bond_years": 4294967295, "years_after_bond": 1,
                       "rate_during_bond": 0.1, "rate_after_bond": 0.2"#,
                ),
                "cadres[1].training[0].bond_years",
                "must be at most 100 years, got 4294967295",
            ),
        ] {
            assert_names_key(doc(edit).unwrap_err(), path, message);
        }
        // A population row far before the start year is outside the projection (skipped).
        let m = doc((
            r#""policies""#,
            r#""population": {"table": [{"region": "A", "year": -2147483648, "population": 5}]},
               "policies""#,
        ));
        let e = m.unwrap_err().to_string();
        assert!(e.contains("no population for region 'A' in 2024"), "{e}");
    }
}
