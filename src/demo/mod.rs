//! Demo traces built into the app (written by tests/tools/make_demo.py), shown when nothing is loaded.

pub struct Demo {
    pub name: &'static str,
    pub title: &'static str,
    pub json: &'static str,
}

pub const DEMOS: [Demo; 2] = [
    Demo {
        name: "demo-ride-request.json",
        title: "Ride request during a surge",
        json: include_str!("ride-request.json"),
    },
    Demo {
        name: "demo-card-charge.json",
        title: "Card charge with a webhook",
        json: include_str!("card-charge.json"),
    },
];
