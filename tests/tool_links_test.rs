//! Which link templates show where, with what address: the header's trace links and the detail panel's links beside
//! attributes, read from `stitch.config.json`, `?config=` or `stitch:config`. Every expected address is the template
//! expanded by hand from the inline trace below.

use stitch::access::{parse_config, DeployConfig, Parent, Request, Trust};
use stitch::formats::load;
use stitch::layout::tool_links::{span_links, trace_links, Place, ToolLink};
use stitch::link_templates::{read_links, LinkTemplate};
use stitch::model::Trace;

/// One resource (service `checkout`, pod `checkout-7d9f/2`), a root `POST /cart` and a child `SELECT cart` with a
/// statement and an event, and a span whose attributes are hostile.
const OTLP: &str = r#"{"resourceSpans":[{"resource":{"attributes":[
   {"key":"service.name","value":{"stringValue":"checkout"}},
   {"key":"k8s.pod.name","value":{"stringValue":"checkout-7d9f/2"}}]},
 "scopeSpans":[{"spans":[
  {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"aaaaaaaaaaaaaaa1","name":"POST /cart",
   "startTimeUnixNano":"1700000000000500000","endTimeUnixNano":"1700000000120250000"},
  {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"bbbbbbbbbbbbbbb2","parentSpanId":"aaaaaaaaaaaaaaa1",
   "name":"SELECT cart","startTimeUnixNano":"1700000000010000000","endTimeUnixNano":"1700000000030000001",
   "attributes":[{"key":"db.system","value":{"stringValue":"postgresql"}},
     {"key":"db.statement","value":{"stringValue":"SELECT * FROM cart WHERE id = 7"}}],
   "events":[{"timeUnixNano":"1700000000020000000","name":"rows","attributes":[{"key":"sql.rows","value":{"intValue":"3"}}]}]},
  {"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"ccccccccccccccc3","parentSpanId":"aaaaaaaaaaaaaaa1",
   "name":"render","startTimeUnixNano":"1700000000040000000","endTimeUnixNano":"1700000000050000000",
   "attributes":[{"key":"db.statement","value":{"stringValue":"javascript:alert(1)"}},
     {"key":"note","value":{"stringValue":"<img src=x onerror=alert(1)>"}}]}]}]}]}"#;

const LINKS: &str = r##"{"version": 1, "links": [
  {"scope": "trace", "text": "Logs for this trace",
   "url": "https://logs.example/search?q=trace_id:#{traceId}&from=#{startMs}&to=#{endMs}"},
  {"scope": "trace", "text": "Service dashboard",
   "url": "https://apm.example/#{service}?op=#{operation}&pod=#{attr:k8s.pod.name}"},
  {"scope": "trace", "text": "Needs a span", "url": "https://x.example/#{spanId}"},
  {"scope": "span", "key": "db.statement", "text": "Explain",
   "url": "https://sql.example/explain?q=#{value}&span=#{spanId}"},
  {"scope": "span", "key": "db.statement", "text": "By user", "url": "https://x.example/?u=#{attr:user.id}"},
  {"scope": "span", "key": "k8s.pod.name", "text": "Not a span attribute", "url": "https://x.example/#{value}"},
  {"scope": "resource", "key": "k8s.pod.name", "text": "Pod dashboard",
   "url": "https://k8s.example/pods/#{value}?span=#{spanId}"},
  {"scope": "event", "key": "sql.rows", "text": "Rows", "url": "https://sql.example/rows?n=#{value}&at=#{startMs}"},
  {"scope": "span", "key": "note", "text": "Note", "url": "https://notes.example/?n=#{value}"}
]}"##;

fn trace() -> Trace {
    let mut loaded = load("cart.json", OTLP.as_bytes()).expect("loads");
    loaded.traces.remove(0)
}

fn templates(json: &str) -> Vec<LinkTemplate> {
    let value: serde_json::Value = serde_json::from_str(json).expect("json");
    let (links, problems) = read_links(&value);
    assert!(problems.is_empty(), "{problems:?}");
    links
}

fn span(t: &Trace, op: &str) -> u32 {
    (0..t.spans.len() as u32)
        .find(|&i| t.operation(i) == op)
        .expect("span")
}

fn link(text: &str, url: &str) -> ToolLink {
    ToolLink {
        text: text.into(),
        url: url.into(),
    }
}

/// Each link of span `i` as (where: "span db.statement", "resource k8s.pod.name", "event rows sql.rows"), text, url.
fn placed(t: &Trace, i: u32, links: &[LinkTemplate]) -> Vec<(String, String, String)> {
    let s = t.spans[i as usize];
    let key = |attrs: &[stitch::model::Attr], n: usize| t.sym(attrs[n].key).to_string();
    span_links(links, t, i)
        .into_iter()
        .map(|(place, l)| {
            let at = match place {
                Place::Span(n) => format!("span {}", key(t.span_attrs(i), n)),
                Place::Resource(n) => {
                    let r = t.resources[s.resource as usize];
                    format!("resource {}", key(t.attr_range(r.attrs), n))
                }
                Place::Event { event, attr } => {
                    let e = t.events[s.events.range()][event];
                    format!(
                        "event {} {}",
                        t.str(e.name),
                        key(t.attr_range(e.attrs), attr)
                    )
                }
            };
            (at, l.text, l.url)
        })
        .collect()
}

fn triple(at: &str, text: &str, url: &str) -> (String, String, String) {
    (at.into(), text.into(), url.into())
}

#[test]
fn trace_links_name_the_trace_its_times_and_its_root() {
    let t = trace();
    let links = templates(LINKS);
    let root = span(&t, "POST /cart");
    // From 1700000000000.5 ms (rounded down) to 1700000000120.25 ms (rounded up); "Needs a span" has no span ID.
    assert_eq!(
        trace_links(&links, &t, Some(root), t.start_ns(), t.end_ns()),
        vec![
            link(
                "Logs for this trace",
                "https://logs.example/search?q=trace_id:0af7651916cd43dd8448eb211c80319c&from=1700000000000&to=1700000000121"
            ),
            link(
                "Service dashboard",
                "https://apm.example/checkout?op=POST%20%2Fcart&pod=checkout-7d9f%2F2"
            ),
        ]
    );
    // Without a root, the templates that name its service or operation give no link.
    assert_eq!(
        trace_links(&links, &t, None, t.start_ns(), t.end_ns()).len(),
        1
    );
}

#[test]
fn span_links_show_beside_their_attribute_in_the_span_its_resource_and_its_events() {
    let t = trace();
    let links = templates(LINKS);
    let select = span(&t, "SELECT cart");
    // "By user" names user.id, which the span lacks; a span template keyed on the resource's pod gives nothing.
    assert_eq!(
        placed(&t, select, &links),
        vec![
            triple(
                "span db.statement",
                "Explain",
                "https://sql.example/explain?q=SELECT%20*%20FROM%20cart%20WHERE%20id%20%3D%207&span=bbbbbbbbbbbbbbb2"
            ),
            triple(
                "resource k8s.pod.name",
                "Pod dashboard",
                "https://k8s.example/pods/checkout-7d9f%2F2?span=bbbbbbbbbbbbbbb2"
            ),
            triple(
                "event rows sql.rows",
                "Rows",
                "https://sql.example/rows?n=3&at=1700000000010"
            ),
        ]
    );
    // The root has no statement and no event: only its resource's pod.
    assert_eq!(
        placed(&t, span(&t, "POST /cart"), &links),
        vec![triple(
            "resource k8s.pod.name",
            "Pod dashboard",
            "https://k8s.example/pods/checkout-7d9f%2F2?span=aaaaaaaaaaaaaaa1"
        )]
    );
    assert!(span_links(&links, &t, 99).is_empty());
    assert!(span_links(&[], &t, select).is_empty());
}

#[test]
fn hostile_values_stay_one_encoded_component_of_an_https_link() {
    let t = trace();
    let links = templates(LINKS);
    let got = placed(&t, span(&t, "render"), &links);
    assert_eq!(
        got,
        vec![
            triple(
                "span db.statement",
                "Explain",
                "https://sql.example/explain?q=javascript%3Aalert(1)&span=ccccccccccccccc3"
            ),
            triple(
                "span note",
                "Note",
                "https://notes.example/?n=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E"
            ),
            triple(
                "resource k8s.pod.name",
                "Pod dashboard",
                "https://k8s.example/pods/checkout-7d9f%2F2?span=ccccccccccccccc3"
            ),
        ]
    );
}

#[test]
fn templates_that_could_not_give_a_web_link_are_left_out_with_a_problem() {
    let value: serde_json::Value = serde_json::from_str(
        r##"{"links": [
          {"scope": "trace", "text": "ok", "url": "https://logs.example/?q=#{traceId}"},
          {"scope": "trace", "text": "js", "url": "javascript:alert(#{traceId})"},
          {"scope": "trace", "text": "data", "url": "data:text/html,<script>alert(1)</script>"},
          {"scope": "span", "key": "x", "text": "host from the trace", "url": "https://#{value}/"},
          {"scope": "span", "key": "x", "text": "scheme from the trace", "url": "#{value}"},
          {"scope": "span", "text": "no key", "url": "https://x.example/#{spanId}"},
          {"scope": "page", "text": "bad scope", "url": "https://x.example/"},
          {"scope": "trace", "text": "", "url": "https://x.example/"},
          "not an object"
        ]}"##,
    )
    .expect("json");
    let (links, problems) = read_links(&value);
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].text, "ok");
    assert_eq!(problems.len(), 8, "{problems:?}");
    assert!(
        problems[0].starts_with("link 2 left out"),
        "{}",
        problems[0]
    );
    assert!(problems[0].contains("http://"), "{}", problems[0]);
    assert!(problems[4].contains("\"key\""), "{}", problems[4]);
    assert!(problems[5].contains("page"), "{}", problems[5]);
    // A configuration that is not an object, or whose links are not a list, gives none.
    assert!(read_links(&serde_json::json!([1])).0.is_empty());
    let (none, why) = read_links(&serde_json::json!({"links": {"scope": "trace"}}));
    assert!(none.is_empty() && why.len() == 1, "{why:?}");
}

#[test]
fn stitch_config_json_keeps_its_embedders_and_reads_its_links() {
    let (c, problems) = parse_config(
        r#"{"version": 1, "embedders": ["https://dash.example.com"], "links": [
            {"scope": "trace", "text": "Logs", "url": "https://logs.example/?q=#{traceId}"},
            {"scope": "trace", "text": "bad", "url": "javascript:alert(1)"}]}"#,
    );
    assert_eq!(c.embedders, vec!["https://dash.example.com"]);
    assert_eq!(c.links.len(), 1);
    assert_eq!(c.links[0].text, "Logs");
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0]
            .to_string()
            .starts_with("stitch.config.json: link 2 left out"),
        "{}",
        problems[0]
    );
}

#[test]
fn only_a_trusted_origin_sets_templates_by_message_or_by_framing_with_config() {
    let config = DeployConfig {
        embedders: vec!["https://dash.example.com".into()],
        ..DeployConfig::default()
    };
    let t = Trust::new("https://tools.example.com", &config, &[]);
    let owner = stitch::access::Owner::Origin("https://evil.example".into());
    assert!(t
        .allow(Request::Config, "https://dash.example.com", &owner)
        .is_ok());
    assert!(t
        .allow(Request::Config, "https://tools.example.com", &owner)
        .is_ok());
    // Even the origin that sent the trace on screen may not: the templates would apply to every trace.
    let refused = t
        .allow(Request::Config, "https://evil.example", &owner)
        .unwrap_err()
        .to_string();
    assert!(
        refused
            .starts_with("stitch:config: refused: https://evil.example may not set link templates"),
        "{refused}"
    );
    assert!(refused.contains("stitch.config.json"), "{refused}");
    assert_eq!(Request::parse("stitch:config"), Some(Request::Config));
    // ?config= is read unframed or framed by a trusted origin, never framed by another or an unknown one; and only
    // from a file of Stitch's own origin or a listed embedder, whoever sent the link.
    let own = "https://tools.example.com";
    assert!(t.reads_config_param(&Parent::Own, own));
    assert!(t.reads_config_param(&Parent::Own, "https://dash.example.com"));
    assert!(!t.reads_config_param(&Parent::Own, "https://evil.example"));
    assert!(t.reads_config_param(&Parent::Known("https://dash.example.com".into()), own));
    assert!(!t.reads_config_param(&Parent::Known("https://evil.example".into()), own));
    assert!(!t.reads_config_param(&Parent::Unknown, own));
    // ?origin= narrows: a listed embedder left out of it is not trusted with ?config= either.
    let narrowed = Trust::new(
        "https://tools.example.com",
        &config,
        &["https://other.example".into()],
    );
    assert!(!narrowed.reads_config_param(
        &Parent::Known("https://dash.example.com".into()),
        "https://tools.example.com"
    ));
}
