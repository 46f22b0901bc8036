//! The span panel's texts, without the web.

use crate::model::{RefType, StatusCode};

/// A span's status, as the panel names it.
pub fn status_text(status: StatusCode) -> &'static str {
    match status {
        StatusCode::Unset => "unset",
        StatusCode::Ok => "ok",
        StatusCode::Error => "error",
    }
}

/// What a reference or link is.
pub fn reference_kind(r: RefType) -> &'static str {
    match r {
        RefType::ChildOf => "CHILD_OF",
        RefType::FollowsFrom => "FOLLOWS_FROM / link",
    }
}

/// Whether a link to trace `trace_id` (empty: the trace it is in) points into the trace shown, `own`.
pub fn in_own_trace(trace_id: &str, own: &str) -> bool {
    trace_id.is_empty() || trace_id == own
}

/// A link's label: the span it points to, and its trace when that is another one.
pub fn link_label(span_id: &str, trace_id: &str, own: &str) -> String {
    if in_own_trace(trace_id, own) {
        span_id.to_string()
    } else {
        format!("{span_id} in trace {trace_id}")
    }
}

/// An exception type as a row's label shows it: the last part of a qualified name (`java.io.IOException` →
/// `IOException`, `app::db::Error` → `Error`); the whole type stays in the detail panel.
pub fn short_exception_type(kind: &str) -> &str {
    let kind = kind.trim();
    let after = |sep: &str| kind.rsplit_once(sep).map(|(_, last)| last);
    let last = match (after("::"), after(".")) {
        (Some(a), Some(b)) => {
            if a.len() < b.len() {
                a
            } else {
                b
            }
        }
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => kind,
    };
    if last.is_empty() {
        kind
    } else {
        last
    }
}

/// The header's exception count: "3 exceptions in 2 spans", "1 exception".
pub fn exception_count_text(exceptions: usize, spans: usize) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if spans <= 1 {
        plural(exceptions, "exception", "exceptions")
    } else {
        format!(
            "{} in {}",
            plural(exceptions, "exception", "exceptions"),
            plural(spans, "span", "spans")
        )
    }
}

/// The next span to show when the user steps through the spans that hold exceptions (`with`, in row order): the
/// first after `current` (by row position `row_of`), wrapping round; `backwards` steps the other way.
pub fn next_in_rows(
    with: &[u32],
    row_of: &[u32],
    current: Option<u32>,
    backwards: bool,
) -> Option<u32> {
    let pos = |i: u32| row_of.get(i as usize).copied().unwrap_or(u32::MAX);
    let mut sorted: Vec<u32> = with.to_vec();
    sorted.sort_by_key(|&i| pos(i));
    let first = *sorted.first()?;
    let last = *sorted.last()?;
    let Some(cur) = current.map(pos) else {
        return Some(if backwards { last } else { first });
    };
    if backwards {
        Some(
            sorted
                .iter()
                .rev()
                .copied()
                .find(|&i| pos(i) < cur)
                .unwrap_or(last),
        )
    } else {
        Some(
            sorted
                .iter()
                .copied()
                .find(|&i| pos(i) > cur)
                .unwrap_or(first),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_names_its_trace_only_when_another() {
        assert_eq!(link_label("ab12", "", "t1"), "ab12");
        assert_eq!(link_label("ab12", "t1", "t1"), "ab12");
        assert_eq!(link_label("ab12", "t2", "t1"), "ab12 in trace t2");
    }

    #[test]
    fn statuses_and_references_are_named() {
        assert_eq!(status_text(StatusCode::Error), "error");
        assert_eq!(status_text(StatusCode::Unset), "unset");
        assert_eq!(reference_kind(RefType::FollowsFrom), "FOLLOWS_FROM / link");
    }
}
