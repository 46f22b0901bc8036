//! The messages between the page and a parse engine (the worker, `src/bin/worker.rs`, or the same build on the page's
//! own thread), defined once for both sides. Each message is this header, serialized as a JS object with a `type`
//! field, plus the bytes it carries under a separate key ([`DATA`] into the engine, [`CHUNKS`] out of it), which
//! travel as JS objects (a `Blob`, `ArrayBuffer`s) and never pass through serde.

use serde::{Deserialize, Serialize};

use super::{LoadId, Phase};

/// The key of a [`ToEngine::Load`] message that holds the input: a `Blob` or an `ArrayBuffer`.
pub const DATA: &str = "data";
/// The key of a [`FromEngine::Done`] message that holds the result: an array of `ArrayBuffer` transfer chunks.
pub const CHUNKS: &str = "chunks";
/// The key of a [`FromEngine::Done`] message that holds the milliseconds of each step (for `make bench`).
pub const TIMINGS: &str = "timings";

/// From the page to an engine.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ToEngine {
    /// Parse the input under [`DATA`]. An engine takes one load in its life: the page ends a worker to stop a load.
    Load { id: LoadId, name: String },
}

/// From an engine to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum FromEngine {
    /// The worker has started and takes loads (messages sent before this are lost).
    Ready,
    /// The worker could not start (sent by `worker-boot.js`).
    Fatal { message: String },
    /// The worker stopped while it ran (sent by `worker-boot.js`).
    Crash { message: String },
    /// Load `id` is in `phase`: `done` of `total` bytes (a `total` of 0 is unknown), `spans` found so far.
    Progress {
        id: LoadId,
        phase: Phase,
        done: f64,
        total: f64,
        spans: f64,
    },
    /// Load `id` failed; `message` names the file and says what is wrong, and where.
    Error { id: LoadId, message: String },
    /// Load `id` is parsed: its transfer chunks are under [`CHUNKS`]. `memory` is the engine's wasm memory in bytes.
    Done { id: LoadId, spans: f64, memory: f64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back_as_they_were_written() {
        let all = [
            FromEngine::Ready,
            FromEngine::Fatal {
                message: "no wasm".into(),
            },
            FromEngine::Progress {
                id: 3,
                phase: Phase::Parse,
                done: 10.0,
                total: 20.0,
                spans: 5.0,
            },
            FromEngine::Error {
                id: 3,
                message: "a.json: bad".into(),
            },
            FromEngine::Done {
                id: 3,
                spans: 5.0,
                memory: 1e6,
            },
        ];
        for m in all {
            let text = serde_json::to_string(&m).unwrap_or_default();
            assert_eq!(serde_json::from_str::<FromEngine>(&text).ok(), Some(m));
        }
    }

    #[test]
    fn worker_boot_js_messages_are_understood() {
        // What src/bin/worker-boot.js posts, by hand.
        let crash = r#"{"type":"crash","message":"RuntimeError: unreachable"}"#;
        assert_eq!(
            serde_json::from_str::<FromEngine>(crash).ok(),
            Some(FromEngine::Crash {
                message: "RuntimeError: unreachable".into()
            })
        );
        let load = r#"{"type":"load","id":7,"name":"a.json","data":{}}"#;
        assert_eq!(
            serde_json::from_str::<ToEngine>(load).ok(),
            Some(ToEngine::Load {
                id: 7,
                name: "a.json".into()
            })
        );
    }
}
