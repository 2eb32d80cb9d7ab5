//! A deterministic synthetic HR register of a provincial health workforce.
//!
//! The register is invented: no row describes a real person. It is shaped after the
//! province in the project's motivation (about 3,087 staff in post at the reference
//! date, postgraduate training of doctors followed by resignations once training ends)
//! so that the demo report, the examples and the tests have a realistic register to
//! work on. Worker `i` is simulated from its own random stream `(seed, i)`; workers are
//! generated until exactly `target_active` are in post at the reference date.

use crate::date::{civil_from_days, days_from_civil};
use crate::error::{Error, Result};
use crate::rng::Rng;

/// District labels (codes index into this).
pub const DISTRICTS: [&str; 9] = [
    "Provincial City",
    "North Coast",
    "River Delta",
    "Central Plain",
    "Lake District",
    "South Valley",
    "Highland East",
    "Highland West",
    "Border Hills",
];
/// Facility levels.
pub const LEVELS: [&str; 3] = ["provincial", "district", "commune"];
/// Cadres.
pub const CADRES: [&str; 6] = [
    "doctor",
    "nurse",
    "midwife",
    "pharmacist",
    "technician",
    "other",
];
/// Qualifications, lowest to highest.
pub const QUALIFICATIONS: [&str; 7] = [
    "secondary",
    "college",
    "bachelor",
    "specialist_1",
    "master",
    "specialist_2",
    "phd",
];
/// Exit reasons.
pub const REASONS: [&str; 4] = ["resignation", "retirement", "transfer", "death"];
/// Sexes.
pub const SEXES: [&str; 2] = ["female", "male"];

/// One column per field; codes index into the label arrays above; dates are days since
/// 1970-01-01; `None` is a missing value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Register {
    /// District code.
    pub district: Vec<u32>,
    /// Facility level code.
    pub level: Vec<u32>,
    /// Cadre code.
    pub cadre: Vec<u32>,
    /// Qualification code at exit or at the reference date.
    pub qualification: Vec<u32>,
    /// Sex code.
    pub sex: Vec<u32>,
    /// Full-time equivalent.
    pub fte: Vec<f64>,
    /// Birth date.
    pub birth: Vec<i32>,
    /// Hire date.
    pub hire: Vec<i32>,
    /// Exit date, `None` if in post at the reference date.
    pub exit: Vec<Option<i32>>,
    /// Exit reason code, `None` if in post.
    pub reason: Vec<Option<u32>>,
    /// Start of postgraduate training, if any.
    pub training_start: Vec<Option<i32>>,
    /// End of postgraduate training, if any.
    pub training_end: Vec<Option<i32>>,
}

struct Worker {
    district: u32,
    level: u32,
    cadre: u32,
    qualification: u32,
    sex: u32,
    fte: f64,
    birth: i32,
    hire: i32,
    exit: Option<i32>,
    reason: Option<u32>,
    training: Option<(i32, i32)>,
}

fn random_day(rng: &mut Rng, year: i32) -> i32 {
    let start = days_from_civil(year, 1, 1);
    let len = days_from_civil(year + 1, 1, 1) - start;
    start + rng.below(len as u64) as i32
}

fn simulate_worker(rng: &mut Rng, first_year: i32, reference: i32) -> Worker {
    let (ref_year, _, _) = civil_from_days(reference);
    // Hiring grew over time: weight w(y) = 1 + 0.04 (y - first_year).
    let years: Vec<f64> = (first_year..=ref_year)
        .map(|y| 1.0 + 0.04 * (y - first_year) as f64)
        .collect();
    let hire_year = first_year + rng.categorical(&years) as i32;
    let hire = random_day(rng, hire_year);

    let cadre = rng.categorical(&[0.25, 0.33, 0.09, 0.07, 0.10, 0.16]) as u32;
    let female_share = match cadre {
        0 => 0.45,
        1 | 2 => 0.88,
        _ => 0.6,
    };
    let sex = u32::from(!rng.bernoulli(female_share));
    let level = rng.categorical(&[0.30, 0.40, 0.30]) as u32;
    let district = if level == 0 {
        0
    } else {
        rng.categorical(&[0.20, 0.12, 0.13, 0.12, 0.10, 0.10, 0.09, 0.08, 0.06]) as u32
    };
    let mut qualification = match cadre {
        0 => 2 + 2 * rng.categorical(&[0.85, 0.15]) as u32, // bachelor or master
        1 | 2 => rng.categorical(&[0.45, 0.35, 0.20]) as u32,
        3 | 4 => rng.categorical(&[0.30, 0.40, 0.30]) as u32,
        _ => rng.categorical(&[0.40, 0.30, 0.30]) as u32,
    };
    let entry_age = match qualification {
        0 => 20.0,
        1 => 21.0,
        2 => 23.0,
        _ => 26.0,
    } + (rng.normal() * 1.5).abs();
    let birth = hire - (entry_age * 365.25) as i32 - rng.below(365) as i32;
    let fte = if rng.bernoulli(0.06) { 0.5 } else { 1.0 };
    let retirement_age = if sex == 1 { 60 } else { 55 };
    let (by, bm, bd) = civil_from_days(birth);
    let bd = if bm == 2 && bd == 29 { 28 } else { bd };
    let retirement = days_from_civil(by + retirement_age, bm, bd);

    // Annual hazards of leaving, by reason.
    let base_resign = match (cadre, level) {
        (0, 2) => 0.045,
        (0, _) => 0.025,
        (_, 2) => 0.035,
        _ => 0.02,
    };
    let transfer = 0.010;
    let death = 0.002;

    let mut exit = None;
    let mut reason = None;
    let mut training: Option<(i32, i32)> = None;
    let (hire_year, _, _) = civil_from_days(hire);
    let mut year = hire_year;
    let mut t = hire;
    while year <= ref_year {
        let year_end = days_from_civil(year + 1, 1, 1);
        // Postgraduate training for doctors without a specialist degree, from the third
        // year of service.
        if cadre == 0
            && training.is_none()
            && qualification <= 2
            && year >= hire_year + 3
            && rng.bernoulli(0.06)
        {
            let start = random_day(rng, year).max(t);
            let years = if rng.bernoulli(0.7) { 2 } else { 3 };
            let end = start + 365 * years;
            training = Some((start, end));
        }
        // Resignations rise sharply in the two years after training ends.
        let mut resign = base_resign;
        if let Some((_, end)) = training {
            if end <= year_end && year_end - end < 2 * 365 + 180 {
                resign *= 6.0;
            }
        }
        let hazards = [resign, 0.0, transfer, death];
        let total: f64 = hazards.iter().sum();
        let p_leave = 1.0 - (-total).exp();
        if rng.bernoulli(p_leave) {
            let day = random_day(rng, year).max(t + 1);
            let r = rng.categorical(&hazards) as u32;
            // Nobody leaves while away at training: move the exit to training's end.
            let day = match training {
                Some((s, e)) if day > s && day < e => e + 1 + rng.below(60) as i32,
                _ => day,
            };
            if day < retirement {
                exit = Some(day);
                reason = Some(r);
                break;
            }
        }
        if retirement < year_end {
            exit = Some(retirement.max(t + 1));
            reason = Some(1);
            break;
        }
        t = year_end;
        year += 1;
    }
    if let Some(e) = exit {
        if e > reference {
            exit = None;
            reason = None;
        }
    }
    if let Some((s, e)) = training {
        if s > reference || exit.is_some_and(|x| x <= s) {
            training = None;
        } else if e <= exit.unwrap_or(reference) {
            qualification = if rng.bernoulli(0.8) { 3 } else { 4 };
        }
    }
    Worker {
        district,
        level,
        cadre,
        qualification,
        sex,
        fte,
        birth,
        hire,
        exit,
        reason,
        training,
    }
}

/// Simulate a register with hires from `first_year` to the reference date, stopping
/// when exactly `target_active` workers are in post at `reference` (days since
/// 1970-01-01). Rows are sorted by hire date.
pub fn register(
    seed: u64,
    target_active: usize,
    first_year: i32,
    reference: i32,
) -> Result<Register> {
    if target_active == 0 || target_active > 5_000_000 {
        return Err(Error::argument(
            "n_active",
            format!("{target_active} must be between 1 and 5,000,000"),
        ));
    }
    // Within the supported dates the calendar arithmetic cannot overflow.
    crate::date::check_day(reference, "reference_date")?;
    let (ref_year, _, _) = civil_from_days(reference);
    if first_year >= ref_year || first_year < 1900 {
        return Err(Error::argument(
            "first_year",
            format!("{first_year} must be at least 1900 and before the reference year {ref_year}"),
        ));
    }
    let mut workers = Vec::new();
    let mut active = 0;
    let mut i = 0u64;
    while active < target_active {
        let mut rng = Rng::stream(seed, i);
        let w = simulate_worker(&mut rng, first_year, reference);
        if w.exit.is_none() {
            active += 1;
        }
        workers.push(w);
        i += 1;
    }
    workers.sort_by_key(|w| w.hire);
    let mut r = Register::default();
    for w in workers {
        r.district.push(w.district);
        r.level.push(w.level);
        r.cadre.push(w.cadre);
        r.qualification.push(w.qualification);
        r.sex.push(w.sex);
        r.fte.push(w.fte);
        r.birth.push(w.birth);
        r.hire.push(w.hire);
        r.exit.push(w.exit);
        r.reason.push(w.reason);
        r.training_start.push(w.training.map(|t| t.0));
        r.training_end.push(w.training.map(|t| t.1));
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_with_exact_active_count() {
        let reference = days_from_civil(2024, 12, 31);
        let a = register(42, 500, 1985, reference).unwrap();
        let b = register(42, 500, 1985, reference).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.exit.iter().filter(|e| e.is_none()).count(), 500);
        for i in 0..a.hire.len() {
            assert!(a.birth[i] < a.hire[i]);
            if let Some(e) = a.exit[i] {
                assert!(e > a.hire[i] && e <= reference);
                assert!(a.reason[i].is_some());
            }
            if let (Some(s), Some(e)) = (a.training_start[i], a.training_end[i]) {
                assert!(s >= a.hire[i] && e > s);
                assert_eq!(a.cadre[i], 0);
            }
        }
        let c = register(43, 500, 1985, reference).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn reference_beyond_the_calendar_is_an_input_error() {
        // i32::MAX used to overflow the calendar arithmetic.
        let e = register(1, 10, 1985, i32::MAX).unwrap_err().to_string();
        assert!(
            e.starts_with("argument 'reference_date': day 2147483647"),
            "{e}"
        );
    }
}
