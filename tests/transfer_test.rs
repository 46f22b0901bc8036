//! The worker → page hand-over: every fixture survives encoding and decoding unchanged, in any chunking, and a
//! damaged encoding is refused with an error instead of a panic.

use stitch::formats::load;
use stitch::transfer::{decode, encode, Prepared};

fn fixture_files() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from("tests/fixtures")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).expect("fixtures dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "json" || x == "jsonl" || x == "gz")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn prepared(path: &std::path::Path) -> Option<Prepared> {
    let bytes = std::fs::read(path).ok()?;
    let l = load(&path.display().to_string(), &bytes).ok()?;
    Some(Prepared::new(l))
}

#[test]
fn every_fixture_round_trips_in_any_chunking() {
    let mut checked = 0;
    for path in fixture_files() {
        let Some(p) = prepared(&path) else { continue };
        for chunk in [1, 7, 4096, stitch::transfer::CHUNK] {
            let chunks = encode(&p, chunk);
            let back =
                decode(chunks.into_iter()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(back.name, p.name);
            assert_eq!(back.format, p.format);
            assert_eq!(back.gzipped, p.gzipped);
            assert_eq!(back.traces.len(), p.traces.len(), "{}", path.display());
            for ((t1, tr1), (t2, tr2)) in back.traces.iter().zip(&p.traces) {
                assert!(
                    t1 == t2,
                    "{}: trace differs after the round trip",
                    path.display()
                );
                assert!(
                    tr1 == tr2,
                    "{}: tree differs after the round trip",
                    path.display()
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} fixtures loaded");
}

#[test]
fn a_cut_or_damaged_encoding_is_an_error_not_a_panic() {
    let p =
        prepared(std::path::Path::new("tests/fixtures/jaeger/ui_01.json")).expect("fixture loads");
    let whole: Vec<u8> = encode(&p, usize::MAX).concat();
    // Every truncation fails cleanly.
    for cut in 0..whole.len() {
        let r = decode(vec![whole[..cut].to_vec()].into_iter());
        assert!(r.is_err(), "a cut at {cut} of {} was accepted", whole.len());
    }
    // Flipping any single byte either still decodes into something consistent, or fails; it never panics, and a
    // decoded trace can still be analysed and shown.
    for i in 0..whole.len() {
        let mut b = whole.clone();
        b[i] ^= 0xA5;
        if let Ok(back) = decode(vec![b].into_iter()) {
            for (t, tree) in back.traces {
                let a = stitch::analysis::finish(t, tree);
                let colors = stitch::layout::ServiceColors::new(&a.trace);
                for row in 0..a.trace.spans.len() as u32 {
                    let _ = (
                        a.trace.service(row),
                        a.trace.span_id(row),
                        colors.span(&a.trace, row),
                    );
                }
            }
        }
    }
    // Another version's encoding is named as such.
    let mut b = whole.clone();
    b[7] = b'9';
    let e = decode(vec![b].into_iter()).expect_err("wrong magic accepted");
    assert!(e.to_string().contains("different version"), "{e}");
}

#[test]
fn a_large_trace_is_decoded_in_many_short_steps() {
    // 100,000 spans in a chain of ten-span runs, each with two attributes: more than one batch of spans and of
    // attributes, so that the page's decode is split into tasks.
    let n = 100_000;
    let mut json = String::from("[");
    for i in 0..n {
        let parent = if i % 10 == 0 {
            String::new()
        } else {
            format!(r#""parentId":"{:016x}","#, i - 1)
        };
        json.push_str(&format!(
            r#"{}{{"traceId":"00000000000000aa","id":"{i:016x}",{parent}"name":"op{}","timestamp":{},"duration":5,"localEndpoint":{{"serviceName":"svc"}},"tags":{{"k":"v{i}","n":"{}"}}}}"#,
            if i == 0 { "" } else { "," },
            i % 7,
            1000 + i,
            i * 3
        ));
    }
    json.push(']');
    let l = load("big.json", json.as_bytes()).expect("loads");
    let p = Prepared::new(l);
    assert_eq!(p.traces[0].0.spans.len(), n);
    let mut d = stitch::transfer::Decoder::new(encode(&p, 1 << 20).into_iter());
    let mut steps = 0;
    let back = loop {
        steps += 1;
        if let Some(b) = d.step().expect("decodes") {
            break b;
        }
    };
    // Spans in 4 batches of 32,768, attributes in 7, the eight tree arrays, and a few more.
    assert!(steps >= 4 + 7 + 8, "only {steps} steps");
    assert!(back.traces[0].0 == p.traces[0].0);
    assert!(back.traces[0].1 == p.traces[0].1);
}

#[test]
fn the_receiver_ends_with_the_same_analysis_as_analyze() {
    let path = std::path::Path::new("tests/fixtures/critical-path/jaeger-ui-test5.json");
    let p = prepared(path).expect("fixture");
    let mut r = stitch::transfer::Receiver::new(encode(&p, 4096).into_iter());
    let (name, _, traces) = loop {
        if let Some(done) = r.step().expect("receives") {
            break done;
        }
    };
    assert_eq!(name, p.name);
    let bytes = std::fs::read(path).expect("fixture");
    let mut l = load("jaeger-ui-test5.json", &bytes).expect("loads");
    let direct = stitch::analysis::analyze(l.traces.remove(0));
    assert_eq!(traces.len(), 1);
    // A file of one trace is analysed as it is received.
    let received = traces[0].opened().expect("analysed at load");
    assert_eq!(received.path, direct.path);
    assert_eq!(received.self_ns, direct.self_ns);
    assert_eq!(received.groups, direct.groups);
}
