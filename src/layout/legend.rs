//! The legend's rules, without the web: which services it lists and in what order, which fold behind "+N more", and
//! what a click on a service does to the filters.

use crate::analysis::search::Filters;
use crate::model::Trace;

/// The services of `t` with their span counts, the busiest first (then by name).
pub fn service_counts(t: &Trace) -> Vec<(String, usize)> {
    let mut c = vec![0usize; t.strings.len()];
    for s in &t.spans {
        if let Some(v) = c.get_mut(s.service as usize) {
            *v += 1;
        }
    }
    let mut counts: Vec<(String, usize)> = c
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(sym, &n)| (t.sym(sym as u32).to_string(), n))
        .collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
}

/// Keeps the first `shown` services, and past them those with a filter on them (`filtered`); returns how many it
/// folded away.
pub fn fold_services(
    counts: &mut Vec<(String, usize)>,
    shown: usize,
    filtered: impl Fn(&str) -> bool,
) -> usize {
    let total = counts.len();
    let mut k = 0;
    counts.retain(|(name, _)| {
        k += 1;
        k <= shown || filtered(name)
    });
    total - counts.len()
}

/// True when only `service` is shown.
pub fn is_included(f: &Filters, service: &str) -> bool {
    f.include.iter().any(|s| s == service)
}

/// True when `service` is hidden.
pub fn is_excluded(f: &Filters, service: &str) -> bool {
    f.exclude.iter().any(|s| s == service)
}

/// A click on `service`: show only it → hide it → no filter on it.
pub fn cycle_service(f: &mut Filters, service: &str) {
    if is_included(f, service) {
        f.include.retain(|s| s != service);
        f.exclude.push(service.to_string());
    } else if is_excluded(f, service) {
        f.exclude.retain(|s| s != service);
    } else {
        f.include.push(service.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(names: &[&str]) -> Vec<(String, usize)> {
        names.iter().map(|n| (n.to_string(), 1)).collect()
    }

    #[test]
    fn folding_keeps_the_first_and_the_filtered() {
        let mut c = counts(&["a", "b", "c", "d"]);
        assert_eq!(fold_services(&mut c, 2, |n| n == "d"), 1);
        assert_eq!(c, counts(&["a", "b", "d"]));
        let mut c = counts(&["a", "b"]);
        assert_eq!(fold_services(&mut c, 2, |_| false), 0);
        assert_eq!(c, counts(&["a", "b"]));
    }

    #[test]
    fn a_click_cycles_only_then_hidden_then_nothing() {
        let mut f = Filters::default();
        cycle_service(&mut f, "api");
        assert!(is_included(&f, "api") && !is_excluded(&f, "api"));
        cycle_service(&mut f, "api");
        assert!(!is_included(&f, "api") && is_excluded(&f, "api"));
        cycle_service(&mut f, "api");
        assert_eq!(f, Filters::default());
    }
}
