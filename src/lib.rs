//! Caseway engine: protocol packs, the case engine and the local store.
//!
//! This crate has no desktop dependency; the Tauri shell in `src-tauri/` is a thin
//! layer over it, and the `caseway` binary is the command line for coordinators,
//! trainers and scripts.

pub mod case;
pub mod pack;
pub mod paths;
pub mod privacy;
pub mod store;
pub mod training;

/// The engine's version, as shown in the app and printed by `caseway --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
