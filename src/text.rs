//! Text for people: durations, numbers (digit groups, floats), dates, and long values folded to what a page can show. A leaf: it uses no
//! other module of Stitch.

/// `1234567` → `1,234,567`.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The first `limit` characters of `text` (cut at a character boundary), and how many characters are left out.
pub fn fold(text: &str, limit: usize) -> (&str, usize) {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => (&text[..cut], text[cut..].chars().count()),
        None => (text, 0),
    }
}

/// An epoch time in ns as `YYYY-MM-DD HH:MM:SS.mmm UTC`, computed with integers only.
pub fn format_epoch(ns: i64) -> String {
    let ms_total = ns.div_euclid(1_000_000);
    let days = ms_total.div_euclid(86_400_000);
    let ms_of_day = ms_total.rem_euclid(86_400_000);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    let (h, mi, s, ms) = (
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000,
    );
    format!("{y:04}-{m:02}-{d:02} {h:02}:{mi:02}:{s:02}.{ms:03} UTC")
}

/// Human duration from nanoseconds: `0`, `850ns`, `12.5µs`, `3.21ms`, `1.5s`, `2m 5s`.
pub fn format_duration(ns: f64) -> String {
    let a = ns.abs();
    let sign = if ns < 0.0 { "-" } else { "" };
    if a == 0.0 {
        return "0".to_string();
    }
    let (v, unit) = if a < 1e3 {
        (a, "ns")
    } else if a < 1e6 {
        (a / 1e3, "µs")
    } else if a < 1e9 {
        (a / 1e6, "ms")
    } else if a < 60e9 {
        (a / 1e9, "s")
    } else {
        let s = (a / 1e9).round() as i64;
        return format!("{sign}{}m {}s", s / 60, s % 60);
    };
    format!("{sign}{}{unit}", trim_number(v))
}

/// A float attribute value as text: a whole number below 10^15 keeps one decimal (`3.0`), so that it reads as a float;
/// any other value is written as Rust writes it (`0.25`, `NaN`, `inf`; never with an exponent).
pub fn format_float(f: f64) -> String {
    if f.is_finite() && f == f.trunc() && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

/// At most 3 significant digits, no trailing zeros.
fn trim_number(v: f64) -> String {
    let s = if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_thousands() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1000), "1,000");
        assert_eq!(group_digits(19_000_000), "19,000,000");
    }

    #[test]
    fn folding_keeps_whole_characters_and_counts_the_rest() {
        assert_eq!(fold("abcdef", 10), ("abcdef", 0));
        assert_eq!(fold("abcdef", 4), ("abcd", 2));
        // "é" is two bytes: the cut never splits it.
        assert_eq!(fold("ééééé", 2), ("éé", 3));
        let big = "x".repeat(50_000_000);
        assert_eq!(
            fold(&big, 20_000),
            ("x".repeat(20_000).as_str(), 49_980_000)
        );
    }

    #[test]
    fn durations_read_like_a_person_writes_them() {
        assert_eq!(format_duration(0.0), "0");
        assert_eq!(format_duration(850.0), "850ns");
        assert_eq!(format_duration(12_500.0), "12.5µs");
        assert_eq!(format_duration(3_210_000.0), "3.21ms");
        assert_eq!(format_duration(812_000_000.0), "812ms");
        assert_eq!(format_duration(1_500_000_000.0), "1.5s");
        assert_eq!(format_duration(125e9), "2m 5s");
    }

    #[test]
    fn floats_read_as_floats() {
        assert_eq!(format_float(3.0), "3.0");
        assert_eq!(format_float(-2.0), "-2.0");
        assert_eq!(format_float(0.25), "0.25");
        assert_eq!(format_float(1e15), "1000000000000000");
        assert_eq!(format_float(f64::NAN), "NaN");
    }

    #[test]
    fn epoch_formats_as_utc() {
        // 1763647392104000 µs is 2025-11-20 14:03:12.104 UTC.
        assert_eq!(
            format_epoch(1_763_647_392_104_000_000),
            "2025-11-20 14:03:12.104 UTC"
        );
        assert_eq!(format_epoch(0), "1970-01-01 00:00:00.000 UTC");
        // 2000-02-29 leap day, noon.
        assert_eq!(
            format_epoch(951_825_600_000_000_000),
            "2000-02-29 12:00:00.000 UTC"
        );
    }
}
