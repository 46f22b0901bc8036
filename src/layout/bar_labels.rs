//! What shows beside each bar: the duration (the default), the self time, the value of an attribute, or nothing.
//! The choice is kept in the browser and in the link as [`BarLabel::link_value`].

use crate::analysis::Analyzed;
use crate::text::format_duration;

/// The label beside a span's bar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum BarLabel {
    #[default]
    Duration,
    SelfTime,
    /// The value of this attribute key: the span's own, else its resource's (empty when neither has it).
    Attribute(String),
    Nothing,
}

impl BarLabel {
    /// The choice as written in a link and in storage: `duration`, `self`, `none` or `attr:<key>`.
    pub fn link_value(&self) -> String {
        match self {
            BarLabel::Duration => "duration".into(),
            BarLabel::SelfTime => "self".into(),
            BarLabel::Nothing => "none".into(),
            BarLabel::Attribute(key) => format!("attr:{key}"),
        }
    }

    /// The choice a link or storage names; `None` for anything else (an attribute needs a key).
    pub fn from_link(text: &str) -> Option<BarLabel> {
        match text.trim() {
            "duration" => Some(BarLabel::Duration),
            "self" => Some(BarLabel::SelfTime),
            "none" => Some(BarLabel::Nothing),
            other => {
                let key = other.strip_prefix("attr:")?.trim();
                (!key.is_empty()).then(|| BarLabel::Attribute(key.to_string()))
            }
        }
    }
}

/// The text beside span `span`'s bar.
pub fn bar_label_text(a: &Analyzed, span: u32, label: &BarLabel) -> String {
    let t = &a.trace;
    let Some(s) = t.spans.get(span as usize) else {
        return String::new();
    };
    match label {
        BarLabel::Duration => format_duration(s.duration_ns as f64),
        BarLabel::SelfTime => {
            let own = a.self_ns.get(span as usize).copied().unwrap_or(0);
            format!("self {}", format_duration(own as f64))
        }
        BarLabel::Nothing => String::new(),
        BarLabel::Attribute(key) => {
            let own = t.find_attr(span, key).map(|v| t.value_text(v));
            let from_resource = || {
                let res = t.resources.get(s.resource as usize)?;
                let k = t.strings.lookup(key)?;
                let attr = t.attr_range(res.attrs).iter().find(|x| x.key == k)?;
                Some(t.value_text(&attr.value))
            };
            let value = own.or_else(from_resource).unwrap_or_default();
            match crate::text::fold(&value, 60) {
                (head, 0) => head.to_string(),
                (head, _) => format!("{head}…"),
            }
        }
    }
}
