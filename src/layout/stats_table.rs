//! The statistics table's rules, without the web: its order, what a click on a header does, the grouping picked, and
//! the note on rows not drawn.

use crate::analysis::stats::{GroupBy, StatRow};
use crate::model::Interner;
use crate::text::group_digits;

/// The column the table is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Name,
    Count,
    Total,
    SelfTime,
    Avg,
    Min,
    Max,
    P95,
    Errors,
}

/// The table's order: a column, and whether it is descending.
pub type Order = (SortKey, bool);

/// Sorts the table's rows; `names` is the interner their `Sym`s refer to (a trace's, or a set's).
pub fn sort_rows(names: &Interner, rows: &mut [StatRow], (key, desc): Order) {
    rows.sort_by(|x, y| {
        let o = match key {
            SortKey::Name => {
                let nx = (names.get(x.service), x.operation.map(|o| names.get(o)));
                let ny = (names.get(y.service), y.operation.map(|o| names.get(o)));
                nx.cmp(&ny)
            }
            SortKey::Count => x.count.cmp(&y.count),
            SortKey::Total => x.total_ns.cmp(&y.total_ns),
            SortKey::SelfTime => x.self_ns.cmp(&y.self_ns),
            SortKey::Avg => x.avg_ns().cmp(&y.avg_ns()),
            SortKey::Min => x.min_ns.cmp(&y.min_ns),
            SortKey::Max => x.max_ns.cmp(&y.max_ns),
            SortKey::P95 => x.p95_ns.cmp(&y.p95_ns),
            SortKey::Errors => x.errors.cmp(&y.errors),
        };
        if desc {
            o.reverse()
        } else {
            o
        }
    });
}

/// The order after a click on `key`'s header: the column sorted by flips; another starts with the largest first
/// (names: from A).
pub fn next_order(current: Order, key: SortKey) -> Order {
    if current.0 == key {
        (key, !current.1)
    } else {
        (key, key != SortKey::Name)
    }
}

/// The mark after `key`'s header: which way the table is sorted, if by that column.
pub fn order_mark(current: Order, key: SortKey) -> Option<&'static str> {
    let (k, desc) = current;
    (k == key).then_some(if desc { " ▾" } else { " ▴" })
}

/// The grouping picked in the "Group by" list (by the option's value).
pub fn grouping_picked(value: &str) -> GroupBy {
    match value {
        "service" => GroupBy::Service,
        "operation" => GroupBy::Operation,
        _ => GroupBy::Both,
    }
}

/// The note under a table that draws only its first `drawn` of `total` rows; `None` when all are drawn.
pub fn rows_not_drawn_text(drawn: usize, total: usize) -> Option<String> {
    (total > drawn).then(|| {
        format!(
            "Showing the first {} of {} rows (sorted as above). ",
            group_digits(drawn as u64),
            group_digits(total as u64)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_click_flips_its_column_or_starts_another() {
        assert_eq!(
            next_order((SortKey::Total, true), SortKey::Total),
            (SortKey::Total, false)
        );
        assert_eq!(
            next_order((SortKey::Total, true), SortKey::Count),
            (SortKey::Count, true)
        );
        assert_eq!(
            next_order((SortKey::Total, true), SortKey::Name),
            (SortKey::Name, false)
        );
    }

    #[test]
    fn only_the_sorted_column_is_marked() {
        assert_eq!(order_mark((SortKey::Avg, true), SortKey::Avg), Some(" ▾"));
        assert_eq!(order_mark((SortKey::Avg, false), SortKey::Avg), Some(" ▴"));
        assert_eq!(order_mark((SortKey::Avg, true), SortKey::Max), None);
    }

    #[test]
    fn the_grouping_follows_the_option() {
        assert_eq!(grouping_picked("service"), GroupBy::Service);
        assert_eq!(grouping_picked("operation"), GroupBy::Operation);
        assert_eq!(grouping_picked("both"), GroupBy::Both);
    }

    #[test]
    fn the_note_shows_only_when_rows_are_left_out() {
        assert_eq!(rows_not_drawn_text(500, 500), None);
        assert_eq!(
            rows_not_drawn_text(500, 1234).as_deref(),
            Some(
                format!(
                    "Showing the first 500 of {} rows (sorted as above). ",
                    group_digits(1234)
                )
                .as_str()
            )
        );
    }

    #[test]
    fn rows_sort_either_way() {
        let row = |count| StatRow {
            service: 0,
            operation: None,
            count,
            total_ns: 0,
            self_ns: 0,
            min_ns: 0,
            max_ns: 0,
            p95_ns: 0,
            errors: 0,
        };
        let mut rows = vec![row(2), row(3), row(1)];
        let names = Interner::default();
        sort_rows(&names, &mut rows, (SortKey::Count, true));
        assert_eq!(rows.iter().map(|r| r.count).collect::<Vec<_>>(), [3, 2, 1]);
        sort_rows(&names, &mut rows, (SortKey::Count, false));
        assert_eq!(rows.iter().map(|r| r.count).collect::<Vec<_>>(), [1, 2, 3]);
    }
}
