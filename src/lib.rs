//! Stitch: a browser-only distributed-trace viewer.
//!
//! The core (`model`, `formats`, `analysis`, `layout`, `loading`, `transfer`, `access`, `link_templates`, `text`,
//! `demo`) is plain Rust with no browser dependency and is tested natively. `ui`, behind the `web` feature, holds the
//! Leptos components that read it; the compiler keeps the core free of the web, since without that feature no web
//! crate is there to use. See ARCHITECTURE.md.

// No function over 80 lines (clippy.toml), except where a reason is written: `make lint` refuses it.
#![warn(clippy::too_many_lines)]

pub mod access;
pub mod analysis;
pub mod demo;
pub mod formats;
pub mod layout;
pub mod link_templates;
pub mod loading;
pub mod model;
pub mod text;
pub mod transfer;
#[cfg(feature = "web")]
pub mod ui;
