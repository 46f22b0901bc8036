//! [`Trace::append_spans`]: copying spans from one trace to the end of another, with everything they point into.

use super::span::{Attr, Event, IndexRange, Link, ParentRef, Resource, Span, Value};
use super::strings::{Str, Sym};
use super::Trace;

/// Marks a source span, string or resource not copied (yet) in [`CopyMaps`].
const UNMAPPED: u32 = u32::MAX;

/// Where the source trace's spans, interned strings and resources are in the destination ([`UNMAPPED`] if not
/// there). Spans are known before any is copied; strings and resources are filled as they are first copied.
struct CopyMaps {
    span: Vec<u32>,
    sym: Vec<Sym>,
    resource: Vec<u32>,
}

impl CopyMaps {
    /// Source spans `idx` become destination spans `base..`, in that order.
    fn new(src: &Trace, base: u32, idx: &[u32]) -> CopyMaps {
        let mut span = vec![UNMAPPED; src.spans.len()];
        for (k, &i) in idx.iter().enumerate() {
            if let Some(slot) = span.get_mut(i as usize) {
                *slot = base + k as u32;
            }
        }
        CopyMaps {
            span,
            sym: vec![UNMAPPED; src.strings.len()],
            resource: vec![UNMAPPED; src.resources.len()],
        }
    }
}

impl Trace {
    /// Copies spans `idx` of `src`, with their attributes, events, links, resources and warnings, to the end of this
    /// trace (used when spans parsed apart turn out to belong to one trace). Parents given by index are kept when
    /// the parent is copied too.
    pub fn append_spans(&mut self, src: &Trace, idx: &[u32]) {
        let mut maps = CopyMaps::new(src, self.spans.len() as u32, idx);
        for &i in idx {
            if let Some(&s) = src.spans.get(i as usize) {
                let copy = self.copy_span(src, s, &mut maps);
                self.spans.push(copy);
            }
        }
        self.copy_warnings(src, &maps.span);
    }

    /// Copies every span of `src` to the end of this trace, with its trace-level warnings, and the counts of warnings
    /// it only counted (past [`super::MAX_WARNINGS_PER_KIND`]): spans of one trace parsed or read apart.
    pub fn absorb(&mut self, src: &Trace) {
        let all: Vec<u32> = (0..src.spans.len() as u32).collect();
        self.append_spans(src, &all);
        for w in src.warnings.iter().filter(|w| w.span.is_none()) {
            self.warn(w.kind, None, w.message.clone());
        }
        for (&kind, &count) in &src.warning_counts {
            let kept = src.warnings.iter().filter(|w| w.kind == kind).count();
            *self.warning_counts.entry(kind).or_insert(0) += count.saturating_sub(kept);
        }
    }

    /// One span, its strings and everything it points into (fields are copied in the order written).
    fn copy_span(&mut self, src: &Trace, s: Span, maps: &mut CopyMaps) -> Span {
        Span {
            span_id: self.copy_str(src, s.span_id),
            parent: self.copy_parent(src, s.parent, &maps.span),
            service: self.copy_sym(src, s.service, &mut maps.sym),
            operation: self.copy_sym(src, s.operation, &mut maps.sym),
            status_message: self.copy_str(src, s.status_message),
            resource: self.copy_resource(src, s.resource, maps),
            attrs: self.copy_attrs(src, s.attrs, &mut maps.sym),
            events: self.copy_events(src, s.events, &mut maps.sym),
            links: self.copy_links(src, s.links, &mut maps.sym),
            ..s
        }
    }

    /// A parent ID is copied as text; a parent index is kept only if that parent is copied too.
    fn copy_parent(&mut self, src: &Trace, parent: ParentRef, span_map: &[u32]) -> ParentRef {
        match parent {
            ParentRef::None => ParentRef::None,
            ParentRef::Id(id) => ParentRef::Id(self.copy_str(src, id)),
            ParentRef::Index(j) => match span_map.get(j as usize) {
                Some(&n) if n != UNMAPPED => ParentRef::Index(n),
                _ => ParentRef::None,
            },
        }
    }

    /// A resource is copied once, by the first span that uses it; later spans share the copy.
    fn copy_resource(&mut self, src: &Trace, r: u32, maps: &mut CopyMaps) -> u32 {
        match maps.resource.get(r as usize) {
            Some(&m) if m != UNMAPPED => m,
            Some(_) => {
                let res = src.resources[r as usize];
                let copy = Resource {
                    attrs: self.copy_attrs(src, res.attrs, &mut maps.sym),
                    scope_name: self.copy_str(src, res.scope_name),
                    scope_version: self.copy_str(src, res.scope_version),
                    scope_attrs: self.copy_attrs(src, res.scope_attrs, &mut maps.sym),
                };
                self.resources.push(copy);
                let m = (self.resources.len() - 1) as u32;
                maps.resource[r as usize] = m;
                m
            }
            None => 0,
        }
    }

    fn copy_events(&mut self, src: &Trace, r: IndexRange, sym_map: &mut [Sym]) -> IndexRange {
        let start = self.events.len() as u32;
        for e in src.events.get(r.range()).unwrap_or(&[]) {
            let copy = Event {
                time_ns: e.time_ns,
                name: self.copy_str(src, e.name),
                attrs: self.copy_attrs(src, e.attrs, sym_map),
            };
            self.events.push(copy);
        }
        IndexRange {
            start,
            end: self.events.len() as u32,
        }
    }

    fn copy_links(&mut self, src: &Trace, r: IndexRange, sym_map: &mut [Sym]) -> IndexRange {
        let start = self.links.len() as u32;
        for l in src.links.get(r.range()).unwrap_or(&[]) {
            let copy = Link {
                trace_id: self.copy_str(src, l.trace_id),
                span_id: self.copy_str(src, l.span_id),
                ref_type: l.ref_type,
                attrs: self.copy_attrs(src, l.attrs, sym_map),
            };
            self.links.push(copy);
        }
        IndexRange {
            start,
            end: self.links.len() as u32,
        }
    }

    fn copy_attrs(&mut self, src: &Trace, r: IndexRange, sym_map: &mut [Sym]) -> IndexRange {
        let start = self.attrs.len() as u32;
        for a in src.attrs.get(r.range()).unwrap_or(&[]) {
            let key = self.copy_sym(src, a.key, sym_map);
            let value = match a.value {
                Value::Str(s) => Value::Str(self.copy_str(src, s)),
                Value::Bytes(s) => Value::Bytes(self.copy_str(src, s)),
                Value::Json(s) => Value::Json(self.copy_str(src, s)),
                v => v,
            };
            self.attrs.push(Attr { key, value });
        }
        IndexRange {
            start,
            end: self.attrs.len() as u32,
        }
    }

    fn copy_str(&mut self, src: &Trace, s: Str) -> Str {
        self.push_str(src.str(s))
    }

    /// An interned string is interned here once; later uses read `sym_map`.
    fn copy_sym(&mut self, src: &Trace, s: Sym, sym_map: &mut [Sym]) -> Sym {
        match sym_map.get(s as usize) {
            Some(&m) if m != UNMAPPED => m,
            Some(_) => {
                let m = self.strings.intern(src.sym(s));
                sym_map[s as usize] = m;
                m
            }
            None => 0,
        }
    }

    /// The warnings about copied spans, pointing at the copies.
    fn copy_warnings(&mut self, src: &Trace, span_map: &[u32]) {
        for w in &src.warnings {
            if let Some(&n) = w.span.and_then(|s| span_map.get(s as usize)) {
                if n != UNMAPPED {
                    self.warn(w.kind, Some(n), w.message.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RefType, WarningKind};

    /// Everything a span reaches, as text (its parent aside).
    fn describe(t: &Trace, i: u32) -> String {
        let s = t.spans[i as usize];
        let attrs = |r: IndexRange| -> Vec<String> {
            let a = t.attr_range(r).iter();
            a.map(|a| format!("{}={}", t.sym(a.key), t.value_text(&a.value)))
                .collect()
        };
        let res = t.resources[s.resource as usize];
        let events: Vec<_> = t.events[s.events.range()]
            .iter()
            .map(|e| (e.time_ns, t.str(e.name), attrs(e.attrs)))
            .collect();
        let links: Vec<_> = t.links[s.links.range()]
            .iter()
            .map(|l| {
                (
                    t.str(l.trace_id),
                    t.str(l.span_id),
                    l.ref_type,
                    attrs(l.attrs),
                )
            })
            .collect();
        format!(
            "{} {} {} {} {:?} {:?} {} {} {:?} {:?} {:?} {:?}",
            t.span_id(i),
            t.service(i),
            t.operation(i),
            t.str(s.status_message),
            s.start_ns,
            attrs(s.attrs),
            t.str(res.scope_name),
            t.str(res.scope_version),
            attrs(res.attrs),
            attrs(res.scope_attrs),
            events,
            links,
        )
    }

    fn source() -> Trace {
        let mut t = Trace::new("src");
        let a0 = t.attrs.len() as u32;
        t.push_str_attr("host", "h1");
        let scope = IndexRange {
            start: a0,
            end: t.attrs.len() as u32,
        };
        t.push_attr("depth", Value::Int(3));
        let attrs = IndexRange {
            start: scope.end,
            end: t.attrs.len() as u32,
        };
        let (scope_name, scope_version) = (t.push_str("lib"), t.push_str("1.2"));
        t.resources.push(Resource {
            attrs,
            scope_name,
            scope_version,
            scope_attrs: scope,
        });
        for (k, id) in ["a", "b", "c"].into_iter().enumerate() {
            let a0 = t.attrs.len() as u32;
            t.push_attr("ratio", Value::Float(k as f64));
            t.push_str_attr("db.system", id);
            let attrs = IndexRange {
                start: a0,
                end: t.attrs.len() as u32,
            };
            let name = t.push_str("retry");
            t.events.push(Event {
                time_ns: 7 + k as i64,
                name,
                attrs,
            });
            let (trace_id, span_id) = (t.push_str("other"), t.push_str(id));
            t.links.push(Link {
                trace_id,
                span_id,
                ref_type: RefType::FollowsFrom,
                attrs,
            });
            let one = |start: usize| IndexRange {
                start: start as u32,
                end: start as u32 + 1,
            };
            let span = Span {
                span_id: t.push_str(id),
                parent: match k {
                    0 => ParentRef::Id(t.push_str("root")),
                    _ => ParentRef::Index(k as u32 - 1),
                },
                service: t.strings.intern(&format!("svc-{k}")),
                operation: t.strings.intern("GET"),
                start_ns: 100 * k as i64,
                status_message: t.push_str("boom"),
                resource: if k == 1 { 0 } else { 1 },
                attrs,
                events: one(t.events.len() - 1),
                links: one(t.links.len() - 1),
                ..Span::default()
            };
            t.spans.push(span);
            t.warn(
                WarningKind::ClockSkew,
                Some(k as u32),
                format!("about {id}"),
            );
        }
        t
    }

    #[test]
    fn appended_spans_keep_everything_they_point_to() {
        let src = source();
        let mut dst = Trace::new("dst");
        dst.append_spans(&src, &[0]); // strings and a resource already there
        dst.append_spans(&src, &[2, 0]);
        assert_eq!(dst.spans.len(), 3);
        for (d, s) in [(0, 0), (1, 2), (2, 0)] {
            assert_eq!(describe(&dst, d), describe(&src, s));
        }
        // The root's parent ID is copied; c's parent (b) was not copied, a's copy is its own.
        assert!(matches!(dst.spans[0].parent, ParentRef::Id(p) if dst.str(p) == "root"));
        assert_eq!(dst.spans[1].parent, ParentRef::None);
        // One resource copy per append (resources are shared within one).
        assert_eq!(dst.resources.len(), 3);
        let w: Vec<_> = dst
            .warnings
            .iter()
            .map(|w| (w.span, w.message.as_str()))
            .collect();
        // In the source's order of warnings, per append.
        assert_eq!(
            w,
            [
                (Some(0), "about a"),
                (Some(2), "about a"),
                (Some(1), "about c")
            ]
        );
    }

    #[test]
    fn a_parent_index_follows_its_parent_when_both_are_copied() {
        let src = source();
        let mut dst = Trace::new("dst");
        dst.append_spans(&src, &[2, 1, 0]);
        assert_eq!(dst.spans[0].parent, ParentRef::Index(1)); // c -> b
        assert_eq!(dst.spans[1].parent, ParentRef::Index(2)); // b -> a
        assert!(matches!(dst.spans[2].parent, ParentRef::Id(p) if dst.str(p) == "root"));
        assert_eq!(dst.service(1), "svc-1");
        // Each source resource used is copied once: a and c share theirs, b's (the empty one) is copied too.
        assert_eq!(dst.resources.len(), 3);
        assert_eq!(dst.spans[0].resource, dst.spans[2].resource);
    }
}
