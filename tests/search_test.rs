//! Search and filters, on small traces read by hand.

use stitch::analysis::search::{parse_query, search, Filters};
use stitch::analysis::{analyze, Analyzed};
use stitch::formats::load;

fn from_json(json: &str) -> Analyzed {
    let mut l = load("test.json", json.as_bytes()).expect("loads");
    analyze(l.traces.remove(0))
}

/// The span IDs that `query` finds, in row order.
fn find(a: &Analyzed, query: &str, f: &Filters) -> Vec<String> {
    search(&a.trace, &a.tree, a.search_index(), &parse_query(query), f)
        .into_iter()
        .map(|i| a.trace.span_id(i).to_string())
        .collect()
}

/// Zipkin v2: root `a1` (frontend GET /rides, 200), its children `b2` (drivers SELECT, postgresql, 120 ms, error)
/// and `c3` (eta POST /eta, status 503).
const HEX: &str = r#"[
  {"traceId":"00000000000000aa","id":"00000000000000a1","name":"GET /rides","timestamp":1000000,"duration":300000,
   "localEndpoint":{"serviceName":"frontend"},"tags":{"http.method":"GET","http.status_code":"200"}},
  {"traceId":"00000000000000aa","id":"00000000000000b2","parentId":"00000000000000a1","name":"SELECT","timestamp":1010000,
   "duration":120000,"localEndpoint":{"serviceName":"drivers"},"tags":{"db.system":"postgresql","error":"true"}},
  {"traceId":"00000000000000aa","id":"00000000000000c3","parentId":"00000000000000a1","name":"POST /eta","timestamp":1150000,
   "duration":50000,"localEndpoint":{"serviceName":"eta"},"tags":{"http.status_code":"503"}}
]"#;

const A: &str = "00000000000000a1";
const B: &str = "00000000000000b2";
const C: &str = "00000000000000c3";

#[test]
fn words_match_names_values_and_ids_case_insensitively() {
    let a = from_json(HEX);
    let none = Filters::default();
    assert_eq!(find(&a, "PostgreSQL", &none), [B]);
    assert_eq!(find(&a, "drivers", &none), [B]);
    assert_eq!(find(&a, "/", &none), [A, C]);
    assert_eq!(find(&a, "c3", &none), [C]);
    assert_eq!(find(&a, "zzzz", &none), Vec::<String>::new());
    // Every word must match.
    assert_eq!(find(&a, "post eta", &none), [C]);
    assert_eq!(find(&a, "\"POST /eta\"", &none), [C]);
    // Attribute keys match too.
    assert_eq!(find(&a, "status_code", &none), [A, C]);
}

#[test]
fn key_value_terms_need_the_key() {
    let a = from_json(HEX);
    let none = Filters::default();
    assert_eq!(find(&a, "http.status_code=50", &none), [C]);
    assert_eq!(find(&a, "http.method=50", &none), Vec::<String>::new());
    assert_eq!(find(&a, "service=eta", &none), [C]);
    assert_eq!(find(&a, "name=select", &none), [B]);
    assert_eq!(find(&a, "id=b2", &none), [B]);
}

#[test]
fn filters_narrow_the_hits() {
    let a = from_json(HEX);
    let errors = Filters {
        errors_only: true,
        ..Filters::default()
    };
    assert_eq!(find(&a, "", &errors), [B]);
    let slow = Filters {
        min_duration_ns: 100_000_000,
        ..Filters::default()
    };
    assert_eq!(find(&a, "", &slow), [A, B]);
    let not_frontend = Filters {
        exclude: vec!["frontend".into()],
        ..Filters::default()
    };
    assert_eq!(find(&a, "/", &not_frontend), [C]);
}

#[test]
fn ids_that_are_not_hexadecimal_are_searched_for_any_word() {
    // Span IDs here are words: a search skips IDs for non-hexadecimal words only when every ID is hexadecimal.
    let a = from_json(
        r#"[
  {"traceId":"t","id":"span-root","name":"root","timestamp":1000,"duration":10,"localEndpoint":{"serviceName":"s"}},
  {"traceId":"t","id":"span-child","parentId":"span-root","name":"child","timestamp":1002,"duration":5,
   "localEndpoint":{"serviceName":"s"}}
]"#,
    );
    assert_eq!(find(&a, "span-ch", &Filters::default()), ["span-child"]);
}
