//! Which of the configured link templates (`crate::link_templates`) show where, and with what address: the trace's
//! links in the header, and a span's beside the attributes of the detail panel.
//!
//! A `trace` template speaks of the whole trace: `#{traceId}`, `#{startMs}` and `#{endMs}` (the trace's first start
//! and last end), and `#{service}`, `#{operation}` and `#{attr:…}` of its root span; it has no `#{spanId}` or
//! `#{value}`. A `span`, `resource` or `event` template shows beside each attribute with its `key` of the span, of
//! the span's resource, or of one of the span's events, with that attribute's value as `#{value}` and the span's own
//! values for the rest. `#{attr:<key>}` is an attribute of the span, else of its resource. Times are epoch
//! milliseconds, the start rounded down and the end up, so the range holds the whole span.

use crate::link_templates::{expand, LinkTemplate, LinkValues, Scope};
use crate::model::{Attr, Trace};

/// A link to show: the template's text and the expanded `http:` or `https:` address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolLink {
    pub text: String,
    pub url: String,
}

/// Beside which attribute of the detail panel a link shows: its position in the span's attributes, in its
/// resource's, or in the attributes of the span's `n`th event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Span(usize),
    Resource(usize),
    Event { event: usize, attr: usize },
}

impl Place {
    /// The position in the span's own attributes.
    pub fn span_attr(self) -> Option<usize> {
        matches!(self, Place::Span(_)).then_some(self.attr())
    }
    /// The position in the resource's attributes.
    pub fn resource_attr(self) -> Option<usize> {
        matches!(self, Place::Resource(_)).then_some(self.attr())
    }
    /// The position in the attributes of the span's event `k`.
    pub fn event_attr(self, k: usize) -> Option<usize> {
        matches!(self, Place::Event { event, .. } if event == k).then_some(self.attr())
    }
    fn attr(self) -> usize {
        match self {
            Place::Span(n) | Place::Resource(n) | Place::Event { attr: n, .. } => n,
        }
    }
}

/// The links of one list of attributes (`at` picks them and gives their position in it), as `(position, link)`.
pub fn beside(
    links: &[(Place, ToolLink)],
    at: impl Fn(Place) -> Option<usize>,
) -> Vec<(usize, ToolLink)> {
    links
        .iter()
        .filter_map(|(p, l)| Some((at(*p)?, l.clone())))
        .collect()
}

/// The trace-level links for the header, in the templates' order. `start_ns`/`end_ns` are the trace's first start
/// and last end; `root` the span whose service, operation and attributes the templates may name.
pub fn trace_links(
    templates: &[LinkTemplate],
    trace: &Trace,
    root: Option<u32>,
    start_ns: i64,
    end_ns: i64,
) -> Vec<ToolLink> {
    let attr = |k: &str| root.and_then(|r| attr_of(trace, r, k));
    let (service, operation) = root.map_or(("", ""), |r| (trace.service(r), trace.operation(r)));
    let values = LinkValues {
        trace_id: &trace.trace_id,
        span_id: "",
        service,
        operation,
        start_ms: floor_ms(start_ns),
        end_ms: ceil_ms(end_ns),
        value: None,
        attr: &attr,
    };
    templates
        .iter()
        .filter(|t| t.scope == Scope::Trace)
        .filter_map(|t| link(t, &values))
        .collect()
}

/// The links of span `i`, each with the attribute it shows beside, in the order of the attributes (span, resource,
/// events), and for one attribute in the templates' order.
pub fn span_links(templates: &[LinkTemplate], trace: &Trace, i: u32) -> Vec<(Place, ToolLink)> {
    let Some(s) = trace.spans.get(i as usize) else {
        return Vec::new();
    };
    let resource = trace
        .resources
        .get(s.resource as usize)
        .map(|r| trace.attr_range(r.attrs))
        .unwrap_or(&[]);
    let attr = |k: &str| attr_of(trace, i, k);
    let span_id = trace.span_id(i);
    let base = LinkValues {
        trace_id: &trace.trace_id,
        span_id,
        service: trace.service(i),
        operation: trace.operation(i),
        start_ms: floor_ms(s.start_ns),
        end_ms: ceil_ms(s.end_ns()),
        value: None,
        attr: &attr,
    };
    let mut out = Vec::new();
    let mut beside = |scope: Scope, attrs: &[Attr], place: &dyn Fn(usize) -> Place| {
        for (n, at) in attrs.iter().enumerate() {
            let key = trace.sym(at.key);
            let text = trace.value_text(&at.value);
            for t in templates
                .iter()
                .filter(|t| t.scope == scope && t.key.as_deref() == Some(key))
            {
                let values = LinkValues {
                    value: Some(&text),
                    ..base
                };
                if let Some(l) = link(t, &values) {
                    out.push((place(n), l));
                }
            }
        }
    };
    beside(Scope::Span, trace.span_attrs(i), &Place::Span);
    beside(Scope::Resource, resource, &Place::Resource);
    let events = trace.events.get(s.events.range()).unwrap_or(&[]);
    for (event, e) in events.iter().enumerate() {
        let attrs = trace.attr_range(e.attrs);
        beside(Scope::Event, attrs, &|attr| Place::Event { event, attr });
    }
    out
}

fn link(t: &LinkTemplate, values: &LinkValues) -> Option<ToolLink> {
    expand(&t.url, values).map(|url| ToolLink {
        text: t.text.clone(),
        url,
    })
}

/// The value of attribute `key` of span `i`, else of its resource, as text.
fn attr_of(trace: &Trace, i: u32, key: &str) -> Option<String> {
    let k = trace.strings.lookup(key)?;
    let s = trace.spans.get(i as usize)?;
    let resource = trace
        .resources
        .get(s.resource as usize)
        .map(|r| trace.attr_range(r.attrs))
        .unwrap_or(&[]);
    trace
        .span_attrs(i)
        .iter()
        .chain(resource)
        .find(|a| a.key == k)
        .map(|a| trace.value_text(&a.value))
}

fn floor_ms(ns: i64) -> i64 {
    ns.div_euclid(1_000_000)
}

fn ceil_ms(ns: i64) -> i64 {
    let ms = ns.div_euclid(1_000_000);
    if ns.rem_euclid(1_000_000) == 0 {
        ms
    } else {
        ms + 1
    }
}
