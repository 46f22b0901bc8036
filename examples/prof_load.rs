fn main() {
    let b = std::fs::read("target/bench/jaeger-100k.json").unwrap();
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let l = stitch::formats::load("x", &b).unwrap();
        eprintln!("load {:?} {}", t.elapsed(), l.traces[0].spans.len());
    }
}
