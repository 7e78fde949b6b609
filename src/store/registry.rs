//! The registry of protocol pack versions and trusted signing keys kept in the database.
//!
//! A pack version (`id@version`) is stored with its full text and SHA-256 and is immutable:
//! the same key with other content is refused. Its status (draft, active, retired) can change.

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;

use super::StoreError;

/// How a pack version came into the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackOrigin {
    /// Embedded in the program.
    Shipped,
    /// Imported with a valid signature by a trusted key.
    Signed,
    /// Imported with `--unsigned`: training use only.
    Unsigned,
}

impl PackOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            PackOrigin::Shipped => "shipped",
            PackOrigin::Signed => "signed",
            PackOrigin::Unsigned => "unsigned",
        }
    }

    fn parse(s: &str) -> PackOrigin {
        match s {
            "shipped" => PackOrigin::Shipped,
            "signed" => PackOrigin::Signed,
            _ => PackOrigin::Unsigned,
        }
    }
}

/// A pack version in the registry (without its text; see [`pack_source`]).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PackRecord {
    /// `id@version`.
    pub key: String,
    pub id: String,
    pub version: String,
    pub file_name: String,
    pub sha256: String,
    /// `draft`, `active` or `retired`.
    pub status: String,
    pub origin: PackOrigin,
    /// Key id of the trusted key that signed it.
    pub signed_by: Option<String>,
    pub installed_at: String,
}

/// Result of [`insert_pack`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    New,
    /// The same id@version with the same content was already there.
    AlreadyPresent,
    /// The same id@version with different content is there: refused.
    Conflict,
}

/// Stores a pack version unless its key is taken.
pub fn insert_pack(
    tx: &Transaction<'_>,
    rec: &PackRecord,
    source: &str,
) -> Result<Inserted, StoreError> {
    let existing: Option<String> = tx
        .query_row("SELECT sha256 FROM packs WHERE key = ?1", [&rec.key], |r| {
            r.get(0)
        })
        .optional()?;
    match existing {
        Some(sha) if sha == rec.sha256 => Ok(Inserted::AlreadyPresent),
        Some(_) => Ok(Inserted::Conflict),
        None => {
            tx.execute(
                "INSERT INTO packs (key, id, version, file_name, sha256, source, status, origin,
                                    signed_by, installed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    rec.key,
                    rec.id,
                    rec.version,
                    rec.file_name,
                    rec.sha256,
                    source,
                    rec.status,
                    rec.origin.as_str(),
                    rec.signed_by,
                    rec.installed_at
                ],
            )?;
            Ok(Inserted::New)
        }
    }
}

const PACK_COLUMNS: &str =
    "key, id, version, file_name, sha256, status, origin, signed_by, installed_at";

fn pack_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PackRecord> {
    Ok(PackRecord {
        key: r.get(0)?,
        id: r.get(1)?,
        version: r.get(2)?,
        file_name: r.get(3)?,
        sha256: r.get(4)?,
        status: r.get(5)?,
        origin: PackOrigin::parse(&r.get::<_, String>(6)?),
        signed_by: r.get(7)?,
        installed_at: r.get(8)?,
    })
}

/// Every pack version, by id then installation order.
pub fn list_packs(tx: &Transaction<'_>) -> Result<Vec<PackRecord>, StoreError> {
    let mut stmt = tx.prepare(&format!(
        "SELECT {PACK_COLUMNS} FROM packs ORDER BY id, installed_at, key"
    ))?;
    let rows = stmt.query_map([], pack_from_row)?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// One pack version by `id@version`.
pub fn get_pack(tx: &Transaction<'_>, key: &str) -> Result<Option<PackRecord>, StoreError> {
    Ok(tx
        .query_row(
            &format!("SELECT {PACK_COLUMNS} FROM packs WHERE key = ?1"),
            [key],
            pack_from_row,
        )
        .optional()?)
}

/// The full text of a pack version.
pub fn pack_source(tx: &Transaction<'_>, key: &str) -> Result<Option<String>, StoreError> {
    Ok(tx
        .query_row("SELECT source FROM packs WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Sets the status of a pack version; returns false when there is no such version.
pub fn set_pack_status(tx: &Transaction<'_>, key: &str, status: &str) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "UPDATE packs SET status = ?1 WHERE key = ?2",
        params![status, key],
    )? == 1)
}

/// A public key trusted to sign packs.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrustedKey {
    /// The minisign key id, 16 upper-case hex digits.
    pub key_id: String,
    /// The base64 public key line.
    pub public_key: String,
    pub comment: String,
    pub added_at: String,
}

/// Stores a trusted key; returns false when a key with this id is already there.
pub fn add_key(tx: &Transaction<'_>, key: &TrustedKey) -> Result<bool, StoreError> {
    Ok(tx.execute(
        "INSERT INTO trusted_keys (key_id, public_key, comment, added_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        params![key.key_id, key.public_key, key.comment, key.added_at],
    )? == 1)
}

/// Every trusted key.
pub fn list_keys(tx: &Transaction<'_>) -> Result<Vec<TrustedKey>, StoreError> {
    let mut stmt = tx.prepare(
        "SELECT key_id, public_key, comment, added_at FROM trusted_keys ORDER BY added_at, key_id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(TrustedKey {
            key_id: r.get(0)?,
            public_key: r.get(1)?,
            comment: r.get(2)?,
            added_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Removes a trusted key; returns false when there is no such key.
pub fn remove_key(tx: &Transaction<'_>, key_id: &str) -> Result<bool, StoreError> {
    Ok(tx.execute("DELETE FROM trusted_keys WHERE key_id = ?1", [key_id])? == 1)
}
