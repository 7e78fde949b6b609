//! Looking at a pack file before importing it: its diagnostics, its signature against the
//! trusted keys, and what changed against the installed versions of the same pack. Nothing is
//! written; [`Engine::import_pack`] does the import.

use serde::Serialize;

use crate::pack::{self, Diagnostic, Pack, PackDiff};
use crate::store::audit::sha256_hex;
use crate::store::TrustedKey;

use super::{CaseError, Engine};

/// Whether a pack's signature lets it be used for real cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SignatureCheck {
    /// Signed by this trusted key.
    Trusted { key_id: String },
    /// No `.minisig` next to the file.
    Unsigned,
    /// A signature that no trusted key made, or that does not match the file.
    Refused { reason: String },
}

impl SignatureCheck {
    pub fn is_trusted(&self) -> bool {
        matches!(self, SignatureCheck::Trusted { .. })
    }

    /// Why the pack cannot be used for real cases, if it cannot.
    pub fn problem(&self) -> Option<String> {
        match self {
            SignatureCheck::Trusted { .. } => None,
            SignatureCheck::Unsigned => {
                Some("the pack has no signature file (.minisig)".to_string())
            }
            SignatureCheck::Refused { reason } => Some(reason.clone()),
        }
    }
}

/// Checks `source` against its minisign `signature` with each trusted key.
pub fn check_signature(
    keys: &[TrustedKey],
    source: &str,
    signature: Option<&str>,
) -> SignatureCheck {
    let Some(sig) = signature else {
        return SignatureCheck::Unsigned;
    };
    for k in keys {
        match pack::verify(source.as_bytes(), sig, &k.public_key) {
            Ok(_) => {
                return SignatureCheck::Trusted {
                    key_id: k.key_id.clone(),
                }
            }
            Err(pack::SignError::WrongKey) => {}
            Err(e) => {
                return SignatureCheck::Refused {
                    reason: e.to_string(),
                }
            }
        }
    }
    SignatureCheck::Refused {
        reason: if keys.is_empty() {
            "no trusted key is installed; add the publisher's key first".to_string()
        } else {
            "the signature was made by a key that is not trusted; add it if you trust it"
                .to_string()
        },
    }
}

/// What a coordinator sees before confirming an import.
#[derive(Debug, Clone, Serialize)]
pub struct PackInspection {
    pub file_name: String,
    /// Errors and warnings, as `caseway pack validate` reports them.
    pub diagnostics: Vec<Diagnostic>,
    /// The validated pack, when it has no errors.
    #[serde(skip)]
    pub pack: Option<Pack>,
    pub signature: SignatureCheck,
    /// `id@version` of the installed version compared against (the highest other version
    /// of the same id), and the difference.
    pub compared_with: Option<String>,
    pub diff: Option<PackDiff>,
    /// This exact `id@version` is already installed: with the same content (`Some(true)`)
    /// or with other content, which the import refuses (`Some(false)`).
    pub already_installed: Option<bool>,
}

impl PackInspection {
    pub fn is_valid(&self) -> bool {
        self.pack.is_some()
    }
}

impl Engine {
    /// Validates a pack file and compares it with what is installed, without importing it.
    pub fn inspect_pack(
        &self,
        file_name: &str,
        source: &str,
        signature: Option<&str>,
    ) -> Result<PackInspection, CaseError> {
        let signature = check_signature(&self.list_keys()?, source, signature);
        let (pack, diagnostics) = match pack::parse_pack(file_name, source) {
            Ok(v) => (Some(v.pack), v.warnings),
            Err(d) => (None, d),
        };
        let mut inspection = PackInspection {
            file_name: file_name.to_string(),
            diagnostics,
            pack: None,
            signature,
            compared_with: None,
            diff: None,
            already_installed: None,
        };
        let Some(pack) = pack else {
            return Ok(inspection);
        };
        let key = pack.key();
        let installed = self.list_packs()?;
        if let Some(same) = installed.iter().find(|r| r.key == key) {
            inspection.already_installed = Some(same.sha256 == sha256_hex(source.as_bytes()));
        }
        let previous = installed
            .iter()
            .filter(|r| r.id == pack.id && r.key != key)
            .filter_map(|r| semver::Version::parse(&r.version).ok().map(|v| (v, r)))
            .max_by(|a, b| a.0.cmp(&b.0));
        if let Some((_, rec)) = previous {
            let old = self.pack(&rec.key)?;
            inspection.diff = Some(pack::diff(&old, &pack));
            inspection.compared_with = Some(rec.key.clone());
        }
        inspection.pack = Some(pack);
        Ok(inspection)
    }
}
