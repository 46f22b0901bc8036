//! Stitch: a browser-only distributed-trace viewer.
//!
//! The core (`model`, `formats`, `analysis`, `layout`, `loading`, `transfer`, `access`, `text`, `demo`) is plain Rust with no
//! browser dependency and is tested natively. `ui`, behind the `web` feature, holds the Leptos components that read
//! it; the compiler keeps the core free of the web, since without that feature no web crate is there to use. See
//! ARCHITECTURE.md.

pub mod access;
pub mod analysis;
pub mod demo;
pub mod formats;
pub mod layout;
pub mod loading;
pub mod model;
pub mod text;
pub mod transfer;
#[cfg(feature = "web")]
pub mod ui;
