//! Warnings: what is imperfect about the data, recorded on the trace and shown to the user.

use super::Trace;

/// Something imperfect about the data, shown to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// The span concerned, if any.
    pub span: Option<u32>,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningKind {
    MissingParent,
    ParentCycle,
    DuplicateSpanId,
    ChildOutsideParent,
    NonPositiveDuration,
    MissingTimestamp,
    ClockSkew,
    Format,
    /// A time out of range (before 1970, after 2116), or in a unit other than its field's.
    TimeValue,
}

impl WarningKind {
    pub fn label(self) -> &'static str {
        match self {
            WarningKind::MissingParent => "missing parent",
            WarningKind::ParentCycle => "parent cycle",
            WarningKind::DuplicateSpanId => "duplicate span ID",
            WarningKind::ChildOutsideParent => "child outside parent",
            WarningKind::NonPositiveDuration => "zero or negative duration",
            WarningKind::MissingTimestamp => "missing timestamp",
            WarningKind::ClockSkew => "clock skew",
            WarningKind::Format => "format",
            WarningKind::TimeValue => "time value",
        }
    }
}

/// How many warning messages of one kind are kept (all are counted).
pub const MAX_WARNINGS_PER_KIND: usize = 200;

impl Trace {
    pub fn warn(&mut self, kind: WarningKind, span: Option<u32>, message: impl Into<String>) {
        let n = self.warning_counts.entry(kind).or_insert(0);
        *n += 1;
        if *n <= MAX_WARNINGS_PER_KIND {
            self.warnings.push(Warning {
                kind,
                span,
                message: message.into(),
            });
        }
    }

    /// Drops every warning of these kinds, kept and counted (their checks are about to run again).
    pub fn forget_warnings(&mut self, kinds: &[WarningKind]) {
        self.warnings.retain(|w| !kinds.contains(&w.kind));
        for k in kinds {
            self.warning_counts.remove(k);
        }
    }

    /// Total number of warnings, counted per occurrence.
    pub fn warning_total(&self) -> usize {
        self.warning_counts.values().sum()
    }

    pub fn warning_count(&self, kind: WarningKind) -> usize {
        self.warning_counts.get(&kind).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_past_the_limit_are_counted_but_not_kept() {
        let mut t = Trace::new("t");
        for i in 0..MAX_WARNINGS_PER_KIND + 5 {
            t.warn(WarningKind::ClockSkew, Some(i as u32), "skew");
        }
        t.warn(WarningKind::Format, None, "format");
        assert_eq!(t.warnings.len(), MAX_WARNINGS_PER_KIND + 1);
        assert_eq!(
            t.warning_count(WarningKind::ClockSkew),
            MAX_WARNINGS_PER_KIND + 5
        );
        assert_eq!(t.warning_count(WarningKind::MissingParent), 0);
        assert_eq!(t.warning_total(), MAX_WARNINGS_PER_KIND + 6);
    }
}
