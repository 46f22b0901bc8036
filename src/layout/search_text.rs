//! What the search bar says and reads, without the web: the match count, and the minimum duration typed.

/// The match count: nothing while no search or filter is set, "no matches", "n match(es)" until the user steps
/// through them, then "i / n" (`at`: the match stepped to, from 0).
pub fn match_count_text(active: bool, matches: usize, at: Option<usize>) -> String {
    if !active {
        return String::new();
    }
    if matches == 0 {
        return "no matches".to_string();
    }
    match at {
        Some(i) => format!("{} / {matches}", i + 1),
        None => format!("{matches} match{}", if matches == 1 { "" } else { "es" }),
    }
}

/// The minimum duration typed in milliseconds, in ns: what is not a number, or is below 0, is 0.
pub fn min_duration_ns(typed: &str) -> i64 {
    let ms = typed.trim().parse::<f64>().unwrap_or(0.0).max(0.0);
    (ms * 1e6) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_count_says_how_many_then_where() {
        assert_eq!(match_count_text(false, 3, None), "");
        assert_eq!(match_count_text(true, 0, None), "no matches");
        assert_eq!(match_count_text(true, 0, Some(0)), "no matches");
        assert_eq!(match_count_text(true, 1, None), "1 match");
        assert_eq!(match_count_text(true, 5, None), "5 matches");
        assert_eq!(match_count_text(true, 5, Some(1)), "2 / 5");
    }

    #[test]
    fn min_duration_reads_milliseconds() {
        assert_eq!(min_duration_ns(" 2.5 "), 2_500_000);
        assert_eq!(min_duration_ns(""), 0);
        assert_eq!(min_duration_ns("-3"), 0);
        assert_eq!(min_duration_ns("fast"), 0);
        assert_eq!(min_duration_ns("NaN"), 0);
    }
}
