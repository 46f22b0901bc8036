//! Demo traces built into the app (written by tests/tools/make_demo.py), shown when nothing is loaded.
//!
//! The page shows them from `encoded`: the JSON already parsed, in the worker's hand-over encoding
//! (`crate::transfer`), because the page's binary has no parsers. `tests/demo_test.rs` checks that each `.stitch`
//! file is the encoding of its JSON, and rewrites it when it is not. The worker warms its parser up on `json`.

pub struct Demo {
    pub name: &'static str,
    pub title: &'static str,
    pub json: &'static str,
    pub encoded: &'static [u8],
}

pub const DEMOS: [Demo; 2] = [
    Demo {
        name: "demo-ride-request.json",
        title: "Ride request during a surge",
        json: include_str!("ride-request.json"),
        encoded: include_bytes!("ride-request.stitch"),
    },
    Demo {
        name: "demo-card-charge.json",
        title: "Card charge with a webhook",
        json: include_str!("card-charge.json"),
        encoded: include_bytes!("card-charge.stitch"),
    },
];
