//! Text for people: numbers with digit groups, dates, and long values folded to what a page can show. A leaf: it uses no
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
}
