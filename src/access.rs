//! Who may learn about a trace: the rules of the postMessage API, the deployer's `stitch.config.json`, and which
//! addresses `?url=` may download.
//!
//! Data about a trace (trace and span IDs, names, file names, analysis, selection, load errors) goes only to
//! the origin that sent that trace with `stitch:load`, and to origins the deployment trusts: Stitch's own origin and
//! the `embedders` of `stitch.config.json`, narrowed (never widened) by `?origin=`. Everyone else may send traces, select
//! spans in traces they sent, change the theme, and hear `stitch:ready`, refusals, and events about their own traces;
//! of other traces they hear nothing at all, not even that one loaded (which would tell whether a guessed address or
//! span exists).
//!
//! Plain decisions with no web in them: the UI asks, then posts what it is told to.

use std::fmt;

/// The schema version of `stitch.config.json` this build reads.
pub const CONFIG_VERSION: u64 = 1;

/// The deployer's `stitch.config.json`, beside `index.html`. Keys this build does not know are ignored (later
/// features add their own), so one file serves several versions of Stitch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeployConfig {
    /// Origins trusted as embedders, normalised (`https://dash.example.com`).
    pub embedders: Vec<String>,
    /// The `links` key: templates of links to the team's own tools (see `crate::link_templates`).
    pub links: Vec<crate::link_templates::LinkTemplate>,
}

/// Something wrong in `stitch.config.json`, said to the deployer on the console; the rest of the file still counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem(pub String);

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stitch.config.json: {}", self.0)
    }
}

/// Reads `stitch.config.json`. Bad JSON gives no embedders and a problem with its line and column; a bad entry is
/// left out with a problem naming it.
pub fn parse_config(text: &str) -> (DeployConfig, Vec<ConfigProblem>) {
    let mut problems = Vec::new();
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let msg = format!(
                "not valid JSON, so no embedder is trusted: {e} (line {}, column {})",
                e.line(),
                e.column()
            );
            // serde_json's own text ends with the position too; keep one.
            let msg = msg.replacen(
                &format!(" at line {} column {}", e.line(), e.column()),
                "",
                1,
            );
            return (DeployConfig::default(), vec![ConfigProblem(msg)]);
        }
    };
    let Some(obj) = value.as_object() else {
        let p = "it must be a JSON object, like {\"version\": 1, \"embedders\": [\"https://dash.example.com\"]}";
        return (DeployConfig::default(), vec![ConfigProblem(p.into())]);
    };
    match obj.get("version") {
        None => {}
        Some(v) if v.as_u64() == Some(CONFIG_VERSION) => {}
        Some(v) => problems.push(ConfigProblem(format!(
            "\"version\" is {v}; this Stitch reads version {CONFIG_VERSION} and ignores keys it does not know"
        ))),
    }
    let mut config = DeployConfig::default();
    match obj.get("embedders") {
        None => {}
        Some(serde_json::Value::Array(list)) => {
            for item in list {
                match item.as_str().map(normalize_origin) {
                    Some(Ok(o)) => config.embedders.push(o),
                    Some(Err(why)) => problems.push(ConfigProblem(format!("embedder {item} left out: {why}"))),
                    None => problems.push(ConfigProblem(format!(
                        "embedder {item} left out: an origin is a string like \"https://dash.example.com\""
                    ))),
                }
            }
        }
        Some(_) => problems.push(ConfigProblem(
            "\"embedders\" must be a list of origins, like [\"https://dash.example.com\"]".into(),
        )),
    }
    let (links, bad_links) = crate::link_templates::read_links(&value);
    config.links = links;
    problems.extend(bad_links.into_iter().map(ConfigProblem));
    (config, problems)
}

/// An origin as browsers write `MessageEvent.origin`: `scheme://host[:port]`, lower case, without the scheme's default
/// port. Only `http` and `https` origins; no path, query, user name or wildcard.
pub fn normalize_origin(s: &str) -> Result<String, String> {
    let t = s.trim().trim_end_matches('/');
    let lower = t.to_ascii_lowercase();
    let (scheme, rest) = match lower.split_once("://") {
        Some((sc @ ("http" | "https"), rest)) => (sc, rest),
        _ => return Err("an origin starts with http:// or https://".into()),
    };
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', '*', ' ']) {
        return Err(
            "an origin is a scheme and a host (and a port), with no path, wildcard or user".into(),
        );
    }
    let default_port = if scheme == "https" { ":443" } else { ":80" };
    let host = rest.strip_suffix(default_port).unwrap_or(rest);
    Ok(format!("{scheme}://{host}"))
}

/// Who may do what: Stitch's own origin and the deployer's embedders, narrowed by `?origin=`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trust {
    own: String,
    embedders: Vec<String>,
    /// `?origin=`: when given, only these origins are obeyed and told anything.
    narrowed: Option<Vec<String>>,
}

impl Trust {
    /// `url_origins` are the `?origin=` values (empty: not narrowed); ones that are not origins are dropped.
    pub fn new(own: &str, config: &DeployConfig, url_origins: &[String]) -> Trust {
        let narrowed = (!url_origins.is_empty()).then(|| {
            url_origins
                .iter()
                .filter_map(|o| normalize_origin(o).ok())
                .collect()
        });
        Trust {
            // An opaque origin ("null": a file:// page, a sandbox) trusts nobody as itself.
            own: normalize_origin(own).unwrap_or_default(),
            embedders: config.embedders.clone(),
            narrowed,
        }
    }

    /// Messages from `origin` are obeyed at all (`?origin=`, when given, lists it).
    pub fn obeys(&self, origin: &str) -> bool {
        self.narrowed
            .as_ref()
            .is_none_or(|list| list.iter().any(|o| o == origin))
    }

    /// `origin` may learn about every trace: Stitch's own origin or a listed embedder, and not narrowed away.
    pub fn trusted(&self, origin: &str) -> bool {
        let listed = (!self.own.is_empty() && origin == self.own)
            || self.embedders.iter().any(|e| e == origin);
        listed && self.obeys(origin)
    }

    /// `origin` may learn about a trace that `owner` loaded.
    pub fn may_learn(&self, origin: &str, owner: &Owner) -> bool {
        self.trusted(origin) || (owner.is(origin) && self.obeys(origin))
    }

    /// Where `stitch:ready` goes: anywhere, unless `?origin=` names the origins.
    pub fn ready_targets(&self) -> Vec<String> {
        match &self.narrowed {
            None => vec!["*".to_string()],
            Some(list) => list.clone(),
        }
    }

    /// The target origins to post an event about a trace that `owner` loaded to the parent window with: the browser
    /// delivers it only if the parent is of that origin. Empty when the parent may not learn about the trace.
    pub fn deliveries(&self, parent: &Parent, owner: &Owner) -> Vec<String> {
        let one = |p: &str| {
            if self.may_learn(p, owner) {
                vec![p.to_string()]
            } else {
                Vec::new()
            }
        };
        match parent {
            Parent::Own => one(&self.own),
            Parent::Known(p) => one(p),
            // Each origin that may learn gets the event; a parent of any other origin is not delivered it.
            Parent::Unknown => {
                let mut targets: Vec<&str> = self.embedders.iter().map(String::as_str).collect();
                if let Owner::Origin(o) = owner {
                    targets.push(o);
                }
                targets.sort_unstable();
                targets.dedup();
                targets
                    .into_iter()
                    .filter(|o| self.may_learn(o, owner))
                    .map(str::to_string)
                    .collect()
            }
        }
    }

    /// Whether `origin` may make `request` about a trace that `owner` loaded; the refusal says how to allow it.
    pub fn allow(&self, request: Request, origin: &str, owner: &Owner) -> Result<(), Refusal> {
        match request {
            Request::Load | Request::Theme => Ok(()),
            Request::Select | Request::Analyze | Request::Compare
                if self.may_learn(origin, owner) =>
            {
                Ok(())
            }
            // A clicked template carries span data to the site it names: set only by whom the deployer trusts.
            Request::Config if self.trusted(origin) => Ok(()),
            Request::Select | Request::Analyze | Request::Compare | Request::Config => {
                Err(Refusal {
                    request,
                    origin: origin.to_string(),
                })
            }
        }
    }

    /// Whether `?config=` (link templates from another file) is read: when Stitch is not framed, or framed by an
    /// origin the deployment trusts (any other framing page wrote that URL itself, and may no more set templates that
    /// way than with `stitch:config`), and only from a file served by Stitch's own origin or a listed embedder
    /// (`source`, the file's origin): anyone can send a link, so a link alone must not point the templates, and the
    /// span data a click carries, at a site the deployer never named.
    pub fn reads_config_param(&self, parent: &Parent, source: &str) -> bool {
        let framed_well = match parent {
            Parent::Own => true,
            Parent::Known(origin) => self.trusted(origin),
            Parent::Unknown => false,
        };
        framed_well && self.trusted(source)
    }
}

/// Who loaded a trace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Owner {
    /// The person using the page: a drop, the picker, a paste, `?url=` or a demo.
    #[default]
    Local,
    /// A host page, with `stitch:load`, from this origin.
    Origin(String),
}

impl Owner {
    /// An opaque origin ("null") is never an owner: every sandboxed page has it.
    fn is(&self, origin: &str) -> bool {
        matches!(self, Owner::Origin(o) if o == origin && o != "null")
    }
}

/// What Stitch knows of the window that frames it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parent {
    /// Not framed: events go to the page itself.
    Own,
    /// Framed by a page of this origin (from `location.ancestorOrigins` or the referrer).
    Known(String),
    /// Framed, origin unknown (a browser without `ancestorOrigins` and a page that sends no referrer).
    Unknown,
}

/// A message a host page sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    Load,
    Select,
    Theme,
    /// One trace's analysis, or the whole file's (`scope: "set"`).
    Analyze,
    /// Two traces of the file side by side.
    Compare,
    /// Link templates (`stitch:config`): only from an origin the deployment trusts.
    Config,
}

impl Request {
    /// The message type, `stitch:load` and so on; `None` for any other type (ignored silently).
    pub fn parse(ty: &str) -> Option<Request> {
        match ty {
            "stitch:load" => Some(Request::Load),
            "stitch:select" => Some(Request::Select),
            "stitch:theme" => Some(Request::Theme),
            "stitch:analyze" => Some(Request::Analyze),
            "stitch:compare" => Some(Request::Compare),
            "stitch:config" => Some(Request::Config),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Request::Load => "stitch:load",
            Request::Select => "stitch:select",
            Request::Theme => "stitch:theme",
            Request::Analyze => "stitch:analyze",
            Request::Compare => "stitch:compare",
            Request::Config => "stitch:config",
        }
    }
}

/// A request refused to an origin the deployment does not trust. Its text names no trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub request: Request,
    pub origin: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.request == Request::Config {
            return write!(
                f,
                "stitch:config: refused: {} may not set link templates (a clicked link carries span data to the site it names); only an origin the deployment trusts may. {}",
                self.origin, HOW_TO_ALLOW
            );
        }
        write!(
            f,
            "{}: refused: {} may only ask about traces it sent with stitch:load. {}",
            self.request.name(),
            self.origin,
            HOW_TO_ALLOW
        )
    }
}

/// How a deployer lets an embedder learn about every trace.
pub const HOW_TO_ALLOW: &str = "To let an embedder see every trace, the deployer lists its origin in stitch.config.json beside index.html: {\"embedders\": [\"https://dash.example.com\"]}";

/// Whether `?url=` may download from an address with this scheme (`https:`, as `URL.protocol` gives it). Only
/// `http:` and `https:`; the refusal names the scheme.
pub fn download_allowed(url: &str, protocol: &str) -> Result<(), String> {
    match protocol {
        "http:" | "https:" => Ok(()),
        p => Err(format!(
            "{url}: refused: Stitch downloads only http:// and https:// addresses, and this one is {}",
            p.trim_end_matches(':')
        )),
    }
}

/// The name a download's messages use: the last path segment of its address.
pub fn download_name(url: &str) -> String {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or(url)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWN: &str = "https://tools.example.com";
    const DASH: &str = "https://dash.example.com";
    const EVIL: &str = "https://evil.example";

    fn trust(embedders: &[&str], narrowed: &[&str]) -> Trust {
        let config = DeployConfig {
            embedders: embedders.iter().map(|s| s.to_string()).collect(),
            ..DeployConfig::default()
        };
        let narrowed: Vec<String> = narrowed.iter().map(|s| s.to_string()).collect();
        Trust::new(OWN, &config, &narrowed)
    }

    fn from(o: &str) -> Owner {
        Owner::Origin(o.to_string())
    }

    #[test]
    fn the_config_lists_embedders_and_ignores_keys_it_does_not_know() {
        let (c, problems) = parse_config(
            r#"{"version": 1, "embedders": ["https://Dash.Example.com/", "http://grafana.local:3000"], "links": []}"#,
        );
        assert_eq!(c.embedders, vec![DASH, "http://grafana.local:3000"]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn bad_entries_are_left_out_and_named() {
        let (c, problems) = parse_config(
            r#"{"embedders": ["*", "https://ok.example", "https://x.example/path", 7, "javascript:alert(1)"]}"#,
        );
        assert_eq!(c.embedders, vec!["https://ok.example"]);
        assert_eq!(problems.len(), 4);
        assert!(
            problems[0].to_string().contains("\"*\" left out"),
            "{}",
            problems[0]
        );
        assert!(
            problems[3].to_string().contains("javascript:"),
            "{}",
            problems[3]
        );
    }

    #[test]
    fn bad_json_trusts_nobody_and_says_where() {
        let (c, problems) = parse_config("{\"embedders\": [\n  \"https://a.example\",,\n]}");
        assert!(c.embedders.is_empty());
        let text = problems[0].to_string();
        assert!(text.contains("line 2, column"), "{text}");
        assert!(!text.contains(" at line "), "position said twice: {text}");
    }

    #[test]
    fn a_newer_version_is_read_with_a_warning() {
        let (c, problems) = parse_config(r#"{"version": 2, "embedders": ["https://a.example"]}"#);
        assert_eq!(c.embedders, vec!["https://a.example"]);
        assert!(problems[0].to_string().contains("version 1"));
    }

    #[test]
    fn origins_are_written_as_browsers_write_them() {
        assert_eq!(
            normalize_origin("https://a.example:443").unwrap(),
            "https://a.example"
        );
        assert_eq!(
            normalize_origin("http://a.example:80/").unwrap(),
            "http://a.example"
        );
        assert_eq!(
            normalize_origin("http://127.0.0.1:4175").unwrap(),
            "http://127.0.0.1:4175"
        );
        assert!(normalize_origin("https://user@a.example").is_err());
        assert!(normalize_origin("null").is_err());
        assert!(normalize_origin("https://*.example").is_err());
    }

    #[test]
    fn an_untrusted_page_learns_only_about_its_own_traces() {
        let t = trust(&[DASH], &[]);
        assert!(t.may_learn(EVIL, &from(EVIL)));
        assert!(!t.may_learn(EVIL, &Owner::Local));
        assert!(!t.may_learn(EVIL, &from(DASH)));
        // A trusted embedder and Stitch's own origin learn about every trace.
        assert!(t.may_learn(DASH, &Owner::Local));
        assert!(t.may_learn(DASH, &from(EVIL)));
        assert!(t.may_learn(OWN, &Owner::Local));
    }

    #[test]
    fn origin_in_the_url_narrows_trust_and_never_widens_it() {
        // The framing page writes ?origin= itself: naming itself gives it nothing.
        let t = trust(&[DASH], &[EVIL]);
        assert!(!t.trusted(EVIL));
        assert!(!t.may_learn(EVIL, &Owner::Local));
        assert!(t.obeys(EVIL));
        // ... and a trusted embedder left out of ?origin= is not obeyed any more.
        assert!(!t.trusted(DASH));
        assert!(!t.obeys(DASH));
        let t = trust(&[DASH], &[DASH]);
        assert!(t.trusted(DASH));
        assert!(!t.obeys(EVIL));
    }

    #[test]
    fn events_about_a_trace_reach_only_a_framing_page_that_may_learn_about_it() {
        let t = trust(&[DASH], &[]);
        let evil = Parent::Known(EVIL.into());
        // Not even that something loaded: that would tell whether a guessed address or span exists.
        assert!(t.deliveries(&evil, &Owner::Local).is_empty());
        assert!(t.deliveries(&evil, &from(DASH)).is_empty());
        assert_eq!(t.deliveries(&evil, &from(EVIL)), vec![EVIL]);
        let dash = Parent::Known(DASH.into());
        assert_eq!(t.deliveries(&dash, &Owner::Local), vec![DASH]);
        assert_eq!(t.deliveries(&Parent::Own, &Owner::Local), vec![OWN]);
        // Not framed but narrowed away from its own origin: nothing about the trace.
        let narrowed = trust(&[], &[DASH]);
        assert!(narrowed.deliveries(&Parent::Own, &Owner::Local).is_empty());
        // ?origin= naming another page: the framing page hears nothing at all.
        let elsewhere = trust(&[], &["https://elsewhere.example"]);
        assert!(elsewhere.deliveries(&evil, &from(EVIL)).is_empty());
    }

    #[test]
    fn an_unknown_parent_is_posted_to_only_at_origins_that_may_learn() {
        let t = trust(&[DASH], &[]);
        assert_eq!(t.deliveries(&Parent::Unknown, &Owner::Local), vec![DASH]);
        assert_eq!(
            t.deliveries(&Parent::Unknown, &from(EVIL)),
            vec![DASH, EVIL]
        );
        assert!(trust(&[], &[])
            .deliveries(&Parent::Unknown, &Owner::Local)
            .is_empty());
    }

    #[test]
    fn opaque_origins_are_never_trusted_or_owners() {
        // Stitch itself served from file:// (origin "null") must not trust every sandboxed page.
        let t = Trust::new("null", &DeployConfig::default(), &[]);
        assert!(!t.trusted("null"));
        assert!(!t.may_learn("null", &Owner::Local));
        assert!(!t.may_learn("null", &from("null")));
        assert!(t.deliveries(&Parent::Own, &Owner::Local).is_empty());
    }

    #[test]
    fn requests_about_other_traces_are_refused_with_how_to_allow() {
        let t = trust(&[DASH], &[]);
        assert!(t.allow(Request::Load, EVIL, &Owner::Local).is_ok());
        assert!(t.allow(Request::Theme, EVIL, &Owner::Local).is_ok());
        assert!(t.allow(Request::Select, EVIL, &from(EVIL)).is_ok());
        assert!(t.allow(Request::Analyze, DASH, &Owner::Local).is_ok());
        let refusal = t.allow(Request::Analyze, EVIL, &Owner::Local).unwrap_err();
        let text = refusal.to_string();
        assert!(
            text.starts_with("stitch:analyze: refused: https://evil.example"),
            "{text}"
        );
        assert!(text.contains("stitch.config.json"), "{text}");
        assert!(t.allow(Request::Select, EVIL, &from(DASH)).is_err());
    }

    #[test]
    fn a_comparison_is_answered_only_to_who_may_learn_about_the_file() {
        let t = trust(&[DASH], &[]);
        // The host that sent the file, a trusted embedder, Stitch's own origin.
        assert!(t.allow(Request::Compare, EVIL, &from(EVIL)).is_ok());
        assert!(t.allow(Request::Compare, DASH, &from(EVIL)).is_ok());
        assert!(t.allow(Request::Compare, OWN, &Owner::Local).is_ok());
        // Anyone else is refused before any trace ID is looked at, so the refusal is the same for every ID.
        let refusal = t.allow(Request::Compare, EVIL, &Owner::Local).unwrap_err();
        assert!(
            refusal.to_string().starts_with(
                "stitch:compare: refused: https://evil.example may only ask about traces it sent"
            ),
            "{refusal}"
        );
        assert!(t.allow(Request::Compare, EVIL, &from(DASH)).is_err());
        assert_eq!(Request::parse("stitch:compare"), Some(Request::Compare));
    }

    #[test]
    fn a_download_is_named_after_its_last_path_segment() {
        assert_eq!(
            download_name("https://jaeger/api/traces/4bf92f35?x=1#y"),
            "4bf92f35"
        );
        assert_eq!(download_name("/fixtures/jaeger/single.json"), "single.json");
        assert_eq!(download_name("https://a/b/"), "b");
    }

    #[test]
    fn downloads_are_http_or_https_only() {
        assert!(download_allowed("https://a/x.json", "https:").is_ok());
        assert!(download_allowed("/x.json", "http:").is_ok());
        let e = download_allowed("javascript:alert(1)", "javascript:").unwrap_err();
        assert_eq!(
            e,
            "javascript:alert(1): refused: Stitch downloads only http:// and https:// addresses, and this one is javascript"
        );
        assert!(download_allowed("data:,{}", "data:")
            .unwrap_err()
            .contains("this one is data"));
        assert!(download_allowed("file:///etc/passwd", "file:").is_err());
    }
}
