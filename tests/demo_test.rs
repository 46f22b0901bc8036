//! The built-in demo traces reach the page already parsed (`src/demo/*.stitch`, see `stitch::demo`): each file must
//! be the hand-over encoding of the JSON beside it. When one is stale this test rewrites it and fails, so that the
//! new file gets committed (as rust-analyzer does with its generated code).

use stitch::demo::DEMOS;
use stitch::formats::load;
use stitch::model::Format;
use stitch::transfer::{decode, encode, Prepared};

#[test]
fn demo_encodings_are_up_to_date() {
    let mut stale = Vec::new();
    for d in &DEMOS {
        let l = load(d.name, d.json.as_bytes()).expect("demo parses");
        let p = Prepared::new(l);
        let bytes: Vec<u8> = encode(&p, usize::MAX).concat();
        if bytes != d.encoded {
            let file = format!(
                "src/demo/{}",
                d.name
                    .trim_start_matches("demo-")
                    .replace(".json", ".stitch")
            );
            std::fs::write(&file, &bytes).expect("write the demo encoding");
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "rewrote {stale:?} from the demo JSON: commit them"
    );
}

#[test]
fn demo_encodings_decode_to_the_demo_traces() {
    for d in &DEMOS {
        let p = decode(vec![d.encoded.to_vec()].into_iter()).expect("demo decodes");
        assert_eq!(p.name, d.name);
        assert_eq!(p.format, Format::Jaeger);
        // Every span in the JSON has one "operationName" (60 in the ride request, 26 in the card charge).
        let spans: usize = p.traces.iter().map(|(t, _)| t.spans.len()).sum();
        let in_json = d.json.matches("\"operationName\"").count();
        assert_eq!(spans, in_json, "{}", d.name);
    }
}
