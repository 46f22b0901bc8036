//! Links to a team's own tools (logs, dashboards), like Jaeger UI's linkPatterns: templates from the deployer's
//! `stitch.config.json` (its `links` key), `?config=` or a trusted host's `stitch:config`, expanded with a trace's,
//! a span's or an attribute's values.
//!
//! Every value is URL-encoded as `encodeURIComponent` does, so it can never change a link's scheme or host; only an
//! `http:` or `https:` result is a link; a template that names a value the span lacks gives no link.

use serde::Deserialize;

/// The schema's version this build reads.
pub const LINKS_VERSION: u32 = 1;

/// The `links` part of a configuration.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LinkConfig {
    /// The schema's version; absent means 1.
    #[serde(default)]
    pub version: Option<u32>,
    #[serde(default)]
    pub links: Vec<LinkTemplate>,
}

/// One template.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LinkTemplate {
    pub scope: Scope,
    /// For `span`, `resource` and `event`: the attribute that must be present; the link shows beside it.
    #[serde(default)]
    pub key: Option<String>,
    pub text: String,
    pub url: String,
}

/// Where a link shows.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Trace,
    Span,
    Resource,
    Event,
}

/// The values a template may name.
pub struct LinkValues<'a> {
    pub trace_id: &'a str,
    /// Empty for a trace-level link.
    pub span_id: &'a str,
    pub service: &'a str,
    pub operation: &'a str,
    /// Epoch milliseconds.
    pub start_ms: i64,
    pub end_ms: i64,
    /// The value of the template's `key` (`#{value}`), when it has one.
    pub value: Option<&'a str>,
    /// Any attribute of the span or its resource (`#{attr:<key>}`).
    pub attr: &'a dyn Fn(&str) -> Option<String>,
}

/// Reads a configuration's `links` value; an unknown version or a malformed template is an error naming it.
pub fn parse_links(json: &str) -> Result<LinkConfig, String> {
    let config: LinkConfig = serde_json::from_str(json)
        .map_err(|e| format!("links: {e} (line {}, column {})", e.line(), e.column()))?;
    match config.version {
        Some(v) if v != LINKS_VERSION => Err(format!(
            "links: version {v} is not one this Stitch reads (it reads version {LINKS_VERSION})"
        )),
        _ => Ok(config),
    }
}

/// At most this many templates are read from one source; the rest are left out with a problem.
pub const MAX_TEMPLATES: usize = 200;

/// Reads the `links` key of a configuration object: `stitch.config.json`, a `?config=` file, or a `stitch:config`
/// message's `config`. Each well-formed template is kept; one that is not (an unknown scope or field, a `span`,
/// `resource` or `event` template without `key`, empty `text`, a `url` that does not start with `http://` or
/// `https://`) is left out with a problem naming it. Other keys are not read here: only the deployer's own file can
/// name embedders. A `version` other than 1 is a problem too, and the templates are read as far as this build can.
pub fn read_links(config: &serde_json::Value) -> (Vec<LinkTemplate>, Vec<String>) {
    let mut problems = Vec::new();
    let Some(obj) = config.as_object() else {
        let p = "links: a configuration is a JSON object, like {\"version\": 1, \"links\": [...]}";
        return (Vec::new(), vec![p.to_string()]);
    };
    match obj.get("version") {
        None => {}
        Some(v) if v.as_u64() == Some(u64::from(LINKS_VERSION)) => {}
        Some(v) => problems.push(format!(
            "links: version {v} is not one this Stitch reads (it reads version {LINKS_VERSION}); read as far as it can"
        )),
    }
    let list = match obj.get("links") {
        None => return (Vec::new(), problems),
        Some(serde_json::Value::Array(list)) => list,
        Some(_) => {
            problems.push("\"links\" must be a list of templates, like [{\"scope\": \"trace\", \"text\": \"Logs\", \"url\": \"https://logs.example/?q=#{traceId}\"}]".into());
            return (Vec::new(), problems);
        }
    };
    let mut links = Vec::new();
    for (n, item) in list.iter().enumerate() {
        if n == MAX_TEMPLATES {
            problems.push(format!(
                "links: only the first {MAX_TEMPLATES} of {} templates are read",
                list.len()
            ));
            break;
        }
        match LinkTemplate::deserialize(item)
            .map_err(|e| e.to_string())
            .and_then(checked)
        {
            Ok(t) => links.push(t),
            Err(why) => problems.push(format!("link {} left out: {why}", n + 1)),
        }
    }
    (links, problems)
}

/// `t`, if it can ever give a link.
fn checked(t: LinkTemplate) -> Result<LinkTemplate, String> {
    let keyed = t.key.as_deref().is_some_and(|k| !k.is_empty());
    if t.scope != Scope::Trace && !keyed {
        return Err(
            "a span, resource or event template needs \"key\", the attribute it shows beside"
                .into(),
        );
    }
    if t.text.trim().is_empty() {
        return Err("\"text\" is empty".into());
    }
    if !fixed_origin(&t.url) {
        return Err(format!(
            "\"url\" {:?} must start with http:// or https:// and a host with no placeholder in it",
            t.url
        ));
    }
    Ok(t)
}

/// Whether `url`'s scheme and host are written out before any placeholder, so no value can change them.
fn fixed_origin(url: &str) -> bool {
    let (head, placeholders) = match url.find("#{") {
        Some(at) => (&url[..at], true),
        None => (url, false),
    };
    if !is_web_url(head) {
        return false;
    }
    let after_scheme = head.split_once("//").map_or("", |(_, rest)| rest);
    // The host ends at the path or the query; with a placeholder after it, that end must come first.
    !placeholders || after_scheme.contains(['/', '?'])
}

/// The URL of `template` with `values`, or `None`: a placeholder names a value that is missing (or unknown), or the
/// result is not an `http:` or `https:` URL.
pub fn expand(template: &str, values: &LinkValues) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(at) = rest.find("#{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let end = after.find('}')?;
        let value = placeholder(&after[..end], values)?;
        // Encoding keeps dots: a value of `.` or `..` would name another path (`/pods/..` is `/`), so no link.
        if value == "." || value == ".." {
            return None;
        }
        out.push_str(&encode_uri_component(&value));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    is_web_url(&out).then_some(out)
}

/// The value of placeholder `name` (between `#{` and `}`).
fn placeholder(name: &str, v: &LinkValues) -> Option<String> {
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    match name {
        "value" => v.value.map(str::to_string),
        "traceId" => nonempty(v.trace_id),
        "spanId" => nonempty(v.span_id),
        "service" => nonempty(v.service),
        "operation" => nonempty(v.operation),
        "startMs" => Some(v.start_ms.to_string()),
        "endMs" => Some(v.end_ms.to_string()),
        _ => name.strip_prefix("attr:").and_then(|k| (v.attr)(k)),
    }
}

/// Whether `url` is an absolute `http:` or `https:` URL with a host.
fn is_web_url(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return false;
    };
    rest.chars().next().is_some_and(|c| c != '/')
}

/// Percent-encodes `s` as JavaScript's `encodeURIComponent` does: every byte of its UTF-8 but
/// `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
