//! Times as the formats write them: read with their unit, refused per field when out of range (before 1970, after
//! 2116), and named when they look like another unit (milliseconds in a microsecond field).

use super::scalar::Scalar;

/// The latest absolute time Stitch takes, in ns since the epoch (in 2116): any two such times, and a span's start plus
/// its duration, then fit an `i64`.
pub const MAX_TIME_NS: i64 = i64::MAX / 2;

/// The unit a format writes a time field in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    Micros,
    Nanos,
}

impl TimeUnit {
    fn ns(self) -> i64 {
        match self {
            TimeUnit::Micros => 1000,
            TimeUnit::Nanos => 1,
        }
    }
    fn name(self) -> &'static str {
        match self {
            TimeUnit::Micros => "microseconds",
            TimeUnit::Nanos => "nanoseconds",
        }
    }
}

/// What a time field holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeField {
    /// Absent, null, empty or not a number.
    Missing,
    /// Nanoseconds (since the epoch for a timestamp).
    Ns(i64),
    /// A number, but out of range: the problem, for a warning.
    OutOfRange(String),
}

/// Reads a timestamp written in `unit`: from 1970 to [`MAX_TIME_NS`].
pub fn read_timestamp(v: &Scalar, unit: TimeUnit) -> TimeField {
    read_time(v, unit, 0)
}

/// Reads a duration written in `unit`, negative or positive up to [`MAX_TIME_NS`].
pub fn read_duration(v: &Scalar, unit: TimeUnit) -> TimeField {
    read_time(v, unit, -MAX_TIME_NS)
}

fn read_time(v: &Scalar, unit: TimeUnit, min_ns: i64) -> TimeField {
    let out_of_range = || {
        TimeField::OutOfRange(format!(
            "{} is out of range for a time in {} (1970 to 2116)",
            v.to_text(),
            unit.name()
        ))
    };
    match v.as_i64() {
        Some(n) => match n.checked_mul(unit.ns()) {
            Some(ns) if (min_ns..=MAX_TIME_NS).contains(&ns) => TimeField::Ns(ns),
            _ => out_of_range(),
        },
        // A number too large for an i64 (u64::MAX, say) is out of range, not missing.
        None if v.as_f64().is_some_and(|f| !f.is_nan()) => out_of_range(),
        None => TimeField::Missing,
    }
}

/// When a timestamp written in `unit` looks like it was written in a coarser unit (milliseconds where microseconds
/// belong, say), the warning to give: it would otherwise load as a day in 1970, 1000 times too short.
pub fn unit_mismatch(v: &Scalar, unit: TimeUnit) -> Option<String> {
    let n = v.as_i64()?;
    // Values of a coarser unit for the years 1973 to 5138 (as the field's unit: early 1970).
    let likely = match (unit, n) {
        (_, 100_000_000_000..=99_999_999_999_999) => "milliseconds",
        (TimeUnit::Nanos, 100_000_000_000_000..=99_999_999_999_999_999) => "microseconds",
        _ => return None,
    };
    let read_as = crate::text::format_epoch(n.saturating_mul(unit.ns()));
    let day = read_as.get(..10).unwrap_or(&read_as);
    Some(format!(
        "{n} looks like {likely}, not {}: read as {} it is {day} (check the exporter's time unit)",
        unit.name(),
        unit.name()
    ))
}

/// A span's start from its `field`: the time (`None` when missing or out of range), and a warning when it is out of
/// range or looks like another unit.
pub fn span_start(
    v: &Scalar,
    unit: TimeUnit,
    field: &str,
    span_id: &str,
) -> (Option<i64>, Option<String>) {
    match read_timestamp(v, unit) {
        TimeField::Ns(ns) => {
            let warning = unit_mismatch(v, unit).map(|w| format!("span {span_id}: {field} {w}"));
            (Some(ns), warning)
        }
        TimeField::Missing => (None, None),
        TimeField::OutOfRange(why) => (
            None,
            Some(format!(
                "span {span_id}: {field} {why}; placed at its parent's start"
            )),
        ),
    }
}

/// A span's duration (or end) from its `field`: `None` when missing or out of range, with a warning when out of range.
pub fn span_duration(
    v: &Scalar,
    unit: TimeUnit,
    field: &str,
    span_id: &str,
) -> (Option<i64>, Option<String>) {
    let read = match field {
        "duration" => read_duration(v, unit),
        _ => read_timestamp(v, unit),
    };
    match read {
        TimeField::Ns(ns) => (Some(ns), None),
        TimeField::Missing => (None, None),
        TimeField::OutOfRange(why) => (
            None,
            Some(format!(
                "span {span_id}: {field} {why}; drawn as an instant"
            )),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_at_the_i64_limits_are_out_of_range_not_missing() {
        let max = Scalar::U64(u64::MAX);
        assert!(
            matches!(read_timestamp(&max, TimeUnit::Nanos), TimeField::OutOfRange(m) if m.contains("18446744073709551615"))
        );
        let s = Scalar::Str("18446744073709551615".into());
        assert!(matches!(
            read_timestamp(&s, TimeUnit::Nanos),
            TimeField::OutOfRange(_)
        ));
        assert!(matches!(
            read_timestamp(&Scalar::I64(i64::MAX), TimeUnit::Micros),
            TimeField::OutOfRange(_)
        ));
        assert!(matches!(
            read_timestamp(&Scalar::I64(-5), TimeUnit::Micros),
            TimeField::OutOfRange(_)
        ));
        assert!(matches!(
            read_duration(&Scalar::I64(i64::MIN), TimeUnit::Micros),
            TimeField::OutOfRange(_)
        ));
        assert_eq!(
            read_timestamp(&Scalar::Null, TimeUnit::Micros),
            TimeField::Missing
        );
        assert_eq!(
            read_timestamp(&Scalar::Str("".into()), TimeUnit::Micros),
            TimeField::Missing
        );
        // 2025-11-20 in µs, and a negative duration (kept: the tree warns about it).
        assert_eq!(
            read_timestamp(&Scalar::I64(1_763_647_392_104_000), TimeUnit::Micros),
            TimeField::Ns(1_763_647_392_104_000_000)
        );
        assert_eq!(
            read_duration(&Scalar::I64(-3), TimeUnit::Micros),
            TimeField::Ns(-3000)
        );
    }

    #[test]
    fn milliseconds_in_a_microsecond_field_are_named() {
        // 1700000000000 ms is 2023-11-14; read as µs it is 1970-01-20.
        let w = unit_mismatch(&Scalar::I64(1_700_000_000_000), TimeUnit::Micros).unwrap();
        assert_eq!(
            w,
            "1700000000000 looks like milliseconds, not microseconds: read as microseconds it is 1970-01-20 (check the exporter's time unit)"
        );
        let w = unit_mismatch(&Scalar::I64(1_700_000_000_000_000), TimeUnit::Nanos).unwrap();
        assert!(
            w.contains("looks like microseconds, not nanoseconds"),
            "{w}"
        );
        // Real µs and ns timestamps, and the small relative times of test traces, are fine.
        assert_eq!(
            unit_mismatch(&Scalar::I64(1_700_000_000_000_000), TimeUnit::Micros),
            None
        );
        assert_eq!(
            unit_mismatch(&Scalar::I64(1_700_000_000_000_000_000), TimeUnit::Nanos),
            None
        );
        assert_eq!(unit_mismatch(&Scalar::I64(1500), TimeUnit::Micros), None);
    }
}
