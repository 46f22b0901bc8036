fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap();
        match stitch::formats::load(&path, &bytes) {
            Ok(l) => {
                for t in l.traces {
                    let a = stitch::analysis::analyze(t);
                    let t = &a.trace;
                    println!("{path}: {} trace {} spans={} svcs={} roots={} errors={} warnings={:?} depth={} | {}",
                        l.format.id(), t.trace_id, t.spans.len(), t.service_count(), a.tree.roots.len(), t.error_count(),
                        t.warning_counts, a.tree.max_depth, a.summary.sentence);
                }
            }
            Err(e) => println!("ERR {e}"),
        }
    }
}
