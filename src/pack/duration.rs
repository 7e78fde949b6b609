//! Durations of the pack format: `24h`, `3d`, `2w`, `5wd` (working days, Monday to Friday).
//!
//! `retention` also accepts years (`5y`, 365 days each), months (`6months`, 30 days each) and
//! the long unit names `days`, `weeks`, `years`.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// The unit of a [`Span`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    Hours,
    Days,
    Weeks,
    WorkingDays,
}

impl Unit {
    /// The suffix used in pack files.
    pub fn suffix(&self) -> &'static str {
        match self {
            Unit::Hours => "h",
            Unit::Days => "d",
            Unit::Weeks => "w",
            Unit::WorkingDays => "wd",
        }
    }
}

/// An amount of time in a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub amount: u32,
    pub unit: Unit,
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.suffix())
    }
}

/// Why a duration was refused; the message names the accepted forms.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error(
        "`{0}` is not a duration: write a whole number and a unit, e.g. `24h`, `3d`, `2w`, `5wd`"
    )]
    Malformed(String),
    #[error("unknown unit `{unit}` in `{input}`: use h (hours), d (days), w (weeks) or wd (working days)")]
    UnknownUnit { input: String, unit: String },
    #[error("`{0}` is too long a duration")]
    TooLarge(String),
    #[error("`{0}` is a zero duration: give a positive amount")]
    Zero(String),
}

impl Span {
    /// Parses a deadline duration (`h`, `d`, `w`, `wd`).
    pub fn parse(input: &str) -> Result<Span, DurationError> {
        Self::parse_inner(input, false)
    }

    /// Parses a retention period: the deadline units, `y`/`years` (365 days), `months` (30
    /// days), and `days`/`weeks`.
    pub fn parse_retention(input: &str) -> Result<Span, DurationError> {
        Self::parse_inner(input, true)
    }

    fn parse_inner(input: &str, years: bool) -> Result<Span, DurationError> {
        let s = input.trim();
        let digits_end = s
            .char_indices()
            .find(|(_, c)| !c.is_ascii_digit())
            .map(|(i, _)| i)
            .unwrap_or(s.len());
        if digits_end == 0 {
            return Err(DurationError::Malformed(input.to_string()));
        }
        let amount: u32 = s[..digits_end]
            .parse()
            .map_err(|_| DurationError::TooLarge(input.to_string()))?;
        let unit_str = s[digits_end..].trim();
        let (unit, factor) = match unit_str {
            "h" => (Unit::Hours, 1),
            "d" => (Unit::Days, 1),
            "w" => (Unit::Weeks, 1),
            "wd" => (Unit::WorkingDays, 1),
            "y" | "year" | "years" if years => (Unit::Days, 365),
            "month" | "months" | "mo" if years => (Unit::Days, 30),
            "day" | "days" if years => (Unit::Days, 1),
            "week" | "weeks" if years => (Unit::Weeks, 1),
            "" => return Err(DurationError::Malformed(input.to_string())),
            other => {
                return Err(DurationError::UnknownUnit {
                    input: input.to_string(),
                    unit: other.to_string(),
                })
            }
        };
        let amount = amount
            .checked_mul(factor)
            .ok_or_else(|| DurationError::TooLarge(input.to_string()))?;
        // Keep every span well inside chrono's range (about 100 years of hours is plenty).
        let hours = match unit {
            Unit::Hours => u64::from(amount),
            Unit::Days | Unit::WorkingDays => u64::from(amount) * 24,
            Unit::Weeks => u64::from(amount) * 24 * 7,
        };
        if hours > 24 * 366 * 200 {
            return Err(DurationError::TooLarge(input.to_string()));
        }
        if amount == 0 {
            return Err(DurationError::Zero(input.to_string()));
        }
        Ok(Span { amount, unit })
    }

    /// The instant `self` after `t`. Working days skip Saturdays and Sundays: from a Friday,
    /// `1wd` is the next Monday at the same time of day; from a Saturday, `1wd` is Monday.
    pub fn add_to(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let n = i64::from(self.amount);
        match self.unit {
            Unit::Hours => t + Duration::hours(n),
            Unit::Days => t + Duration::days(n),
            Unit::Weeks => t + Duration::weeks(n),
            Unit::WorkingDays => {
                let mut cur = t;
                let mut left = self.amount;
                while left > 0 {
                    cur += Duration::days(1);
                    if !matches!(cur.weekday(), Weekday::Sat | Weekday::Sun) {
                        left -= 1;
                    }
                }
                cur
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn parses_units() {
        assert_eq!(
            Span::parse("24h").unwrap(),
            Span {
                amount: 24,
                unit: Unit::Hours
            }
        );
        assert_eq!(
            Span::parse("5wd").unwrap(),
            Span {
                amount: 5,
                unit: Unit::WorkingDays
            }
        );
        assert_eq!(
            Span::parse_retention("5y").unwrap(),
            Span {
                amount: 1825,
                unit: Unit::Days
            }
        );
        assert!(matches!(
            Span::parse("5y"),
            Err(DurationError::UnknownUnit { .. })
        ));
        assert!(matches!(Span::parse("h"), Err(DurationError::Malformed(_))));
        assert!(matches!(Span::parse("0d"), Err(DurationError::Zero(_))));
        assert!(matches!(
            Span::parse("99999999999h"),
            Err(DurationError::TooLarge(_))
        ));
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-01-02 is a Friday.
        let fri = Utc.with_ymd_and_hms(2026, 1, 2, 15, 0, 0).unwrap();
        let one = Span {
            amount: 1,
            unit: Unit::WorkingDays,
        };
        assert_eq!(
            one.add_to(fri),
            Utc.with_ymd_and_hms(2026, 1, 5, 15, 0, 0).unwrap()
        );
        let sat = Utc.with_ymd_and_hms(2026, 1, 3, 9, 0, 0).unwrap();
        assert_eq!(
            one.add_to(sat),
            Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()
        );
        let five = Span {
            amount: 5,
            unit: Unit::WorkingDays,
        };
        assert_eq!(
            five.add_to(fri),
            Utc.with_ymd_and_hms(2026, 1, 9, 15, 0, 0).unwrap()
        );
        let d = Span {
            amount: 3,
            unit: Unit::Days,
        };
        assert_eq!(
            d.add_to(fri),
            Utc.with_ymd_and_hms(2026, 1, 5, 15, 0, 0).unwrap()
        );
    }
}
