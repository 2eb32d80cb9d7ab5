//! Civil (proleptic Gregorian) dates as days since 1970-01-01, the representation
//! Arrow and polars use for `Date`.
//!
//! Algorithms from H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".

use crate::error::{Error, Result};

/// 0001-01-01, the first day a calendar window may start on.
pub const FIRST_DAY: i32 = -719_162;

/// 10000-01-01, the last day a calendar window may end on (exclusive), so that every
/// date of the years 1 to 9999 (Python's `datetime.date`) fits.
pub const END_DAY: i32 = 2_932_897;

/// An input error unless `day` is within [`FIRST_DAY`] ..= [`END_DAY`], the range in
/// which the calendar arithmetic below cannot overflow.
pub(crate) fn check_day(day: i32, name: &str) -> Result<()> {
    if (FIRST_DAY..=END_DAY).contains(&day) {
        Ok(())
    } else {
        Err(Error::argument(
            name,
            format!("day {day} (days since 1970-01-01) is outside the supported dates 0001-01-01 to 10000-01-01"),
        ))
    }
}

/// `day` as `YYYY-MM-DD` within the supported dates, else as its day count (whose
/// calendar date would overflow the arithmetic).
pub fn show_day(day: i32) -> String {
    if (FIRST_DAY..=END_DAY).contains(&day) {
        let (y, m, d) = civil_from_days(day);
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("day {day} since 1970-01-01")
    }
}

/// Days since 1970-01-01 of the date `year-month-day`.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Exact length in days of calendar year `year`.
pub fn days_in_year(year: i32) -> i32 {
    days_from_civil(year + 1, 1, 1) - days_from_civil(year, 1, 1)
}

/// Date as a fractional calendar year (e.g. 2020-07-02 is about 2020.5).
pub fn decimal_year(days: i32) -> f64 {
    let (y, _, _) = civil_from_days(days);
    let start = days_from_civil(y, 1, 1);
    y as f64 + (days - start) as f64 / days_in_year(y) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        for d in (-800_000..800_000).step_by(97) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn supported_range() {
        assert_eq!(days_from_civil(1, 1, 1), FIRST_DAY);
        assert_eq!(days_from_civil(10_000, 1, 1), END_DAY);
        assert!(check_day(END_DAY, "end").is_ok());
        let e = check_day(i32::MAX, "end").unwrap_err().to_string();
        assert!(e.starts_with("argument 'end': day 2147483647"), "{e}");
        assert_eq!(show_day(0), "1970-01-01");
        // civil_from_days(i32::MAX) overflows; show_day does not call it there.
        assert_eq!(show_day(i32::MAX), "day 2147483647 since 1970-01-01");
    }

    #[test]
    fn leap_years() {
        assert_eq!(days_in_year(2024), 366);
        assert_eq!(days_in_year(1900), 365);
        assert_eq!(days_in_year(2000), 366);
    }
}
