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
