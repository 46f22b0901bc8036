//! Link templates: the placeholders, their encoding, missing values and refused schemes.

use stitch::link_templates::{encode_uri_component, expand, parse_links, LinkValues, Scope};

fn attr(key: &str) -> Option<String> {
    match key {
        "k8s.pod.name" => Some("checkout-7d9f/2".to_string()),
        "http.url" => Some("https://shop.example/cart?x=1&y=2".to_string()),
        _ => None,
    }
}

fn values(value: Option<&str>) -> LinkValues<'_> {
    LinkValues {
        trace_id: "0af7651916cd43dd8448eb211c80319c",
        span_id: "b7ad6b7169203331",
        service: "payments",
        operation: "POST /v1/charges",
        start_ms: 1_700_000_000_000,
        end_ms: 1_700_000_000_850,
        value,
        attr: &attr,
    }
}

#[test]
fn the_readme_example_expands_with_every_value_encoded() {
    let v = values(None);
    assert_eq!(
        expand("https://logs.example/search?q=trace_id:#{traceId}&from=#{startMs}&to=#{endMs}", &v).as_deref(),
        Some("https://logs.example/search?q=trace_id:0af7651916cd43dd8448eb211c80319c&from=1700000000000&to=1700000000850")
    );
    // The operation's space and slashes are encoded as encodeURIComponent does.
    assert_eq!(
        expand("https://apm.example/#{service}/#{operation}", &v).as_deref(),
        Some("https://apm.example/payments/POST%20%2Fv1%2Fcharges")
    );
    assert_eq!(
        expand(
            "https://k8s.example/pods/#{attr:k8s.pod.name}?span=#{spanId}",
            &v
        )
        .as_deref(),
        Some("https://k8s.example/pods/checkout-7d9f%2F2?span=b7ad6b7169203331")
    );
    let sql = values(Some("SELECT * FROM t WHERE a = 'x' & b"));
    assert_eq!(
        expand("https://sql.example/explain?q=#{value}", &sql).as_deref(),
        Some(
            "https://sql.example/explain?q=SELECT%20*%20FROM%20t%20WHERE%20a%20%3D%20'x'%20%26%20b"
        )
    );
}

#[test]
fn a_missing_value_or_unknown_placeholder_gives_no_link() {
    let v = values(None);
    assert_eq!(expand("https://x.example/?q=#{value}", &v), None);
    assert_eq!(expand("https://x.example/?q=#{attr:no.such.key}", &v), None);
    assert_eq!(expand("https://x.example/?q=#{nonsense}", &v), None);
    assert_eq!(
        expand("https://x.example/?q=#{traceId", &v),
        None,
        "unclosed"
    );
}

#[test]
fn only_http_and_https_results_are_links_and_a_value_cannot_make_one() {
    let v = values(Some("javascript:alert(1)"));
    assert_eq!(expand("javascript:alert(#{traceId})", &v), None);
    assert_eq!(expand("data:text/html,<script>1</script>", &v), None);
    // A value in the scheme's place is encoded, so it is never a scheme or a host.
    assert_eq!(expand("#{value}", &v), None);
    let url = values(Some("https://evil.example"));
    assert_eq!(expand("#{value}/x", &url), None);
    // A value where the template puts the host stays one encoded component: it cannot add a path, query or port.
    assert_eq!(
        expand("https://#{attr:http.url}", &url).as_deref(),
        Some("https://https%3A%2F%2Fshop.example%2Fcart%3Fx%3D1%26y%3D2")
    );
    assert_eq!(expand("//cdn.example/x", &v), None, "scheme-relative");
    assert_eq!(
        expand("HTTPS://Logs.example/#{spanId}", &v).as_deref(),
        Some("HTTPS://Logs.example/b7ad6b7169203331")
    );
}

#[test]
fn encoding_matches_encode_uri_component() {
    // By hand from the ECMAScript unreserved set: A-Z a-z 0-9 - _ . ! ~ * ' ( ) stay; the rest is UTF-8 percent-encoded.
    assert_eq!(encode_uri_component("a-Z_0.!~*'()"), "a-Z_0.!~*'()");
    assert_eq!(
        encode_uri_component("a b/c?d=e&f#g"),
        "a%20b%2Fc%3Fd%3De%26f%23g"
    );
    assert_eq!(encode_uri_component("é€"), "%C3%A9%E2%82%AC");
    assert_eq!(encode_uri_component("<img src=x>"), "%3Cimg%20src%3Dx%3E");
}

#[test]
fn the_schema_is_versioned_and_checked() {
    let ok = parse_links(
        r#"{"version": 1, "links": [
          {"scope": "trace", "text": "Logs for this trace", "url": "https://logs.example/?q=#{traceId}"},
          {"scope": "span", "key": "db.statement", "text": "Explain", "url": "https://sql.example/?q=#{value}"}]}"#,
    )
    .expect("valid");
    assert_eq!(ok.links.len(), 2);
    assert_eq!(ok.links[1].scope, Scope::Span);
    assert_eq!(ok.links[1].key.as_deref(), Some("db.statement"));
    let v2 = parse_links(r#"{"version": 2, "links": []}"#).unwrap_err();
    assert!(v2.contains("version 2"), "{v2}");
    let bad = parse_links(r#"{"links": [{"scope": "page", "text": "x", "url": "https://x"}]}"#)
        .unwrap_err();
    assert!(bad.contains("line 1"), "{bad}");
}

#[test]
fn a_value_of_dot_or_dot_dot_cannot_climb_the_path() {
    let url = "https://k8s.example/pods/#{value}/logs";
    assert_eq!(expand(url, &values(Some(".."))), None);
    assert_eq!(expand(url, &values(Some("."))), None);
    // Dots inside a name are a name: the pod `web..1` keeps its link.
    assert_eq!(
        expand(url, &values(Some("web..1"))).as_deref(),
        Some("https://k8s.example/pods/web..1/logs")
    );
}
