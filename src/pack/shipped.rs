//! The packs shipped with Caseway, embedded into the binaries as the default.

/// A pack file embedded at build time from `protocols/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ShippedPack {
    pub file_name: &'static str,
    pub source: &'static str,
}

/// The shipped packs, oldest version first.
pub fn shipped() -> Vec<ShippedPack> {
    vec![
        ShippedPack {
            file_name: "barnahus-online-csa-1.0.0.toml",
            source: include_str!("../../protocols/barnahus-online-csa-1.0.0.toml"),
        },
        ShippedPack {
            file_name: "barnahus-online-csa-1.1.0.toml",
            source: include_str!("../../protocols/barnahus-online-csa-1.1.0.toml"),
        },
    ]
}
