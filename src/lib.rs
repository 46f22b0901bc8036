//! Stitch: a browser-only distributed-trace viewer.
//!
//! The core (`model`, `formats`, `analysis`, `layout`, `transfer`, `access`) is plain Rust with no browser dependency and is tested
//! natively. `ui` holds the Leptos components that read it. See ARCHITECTURE.md.

pub mod access;
pub mod analysis;
pub mod demo;
pub mod formats;
pub mod layout;
pub mod model;
pub mod text;
pub mod transfer;
pub mod ui;
