//! [`Engine`]: the operations on packs, keys and cases, each in one database transaction.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use serde_json::{json, Value};

use crate::pack::{self, FactKind, FactValue, Facts, Pack, PackStatus, RecordKind};
use crate::store::audit::{self, time_text, NewEvent};
use crate::store::registry::{self, Inserted, PackOrigin, PackRecord, TrustedKey};
use crate::store::{ChainBreak, ChainReport, Event, Store, StoreError};

use super::view::{self, CaseRow, StepRow};
use super::{
    ArchivedStep, CaseError, CaseStatus, CaseSummary, CaseView, HistoryEntry, PackRef, StepState,
    StepView, COORDINATOR,
};

/// Who makes a change: the role acting and, optionally, staff initials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub role: Option<String>,
    pub initials: Option<String>,
}

impl Actor {
    pub fn role(role: &str) -> Actor {
        Actor {
            role: Some(role.to_string()),
            initials: None,
        }
    }
}

/// A case to open.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    /// `ID` (the highest active version) or `ID@VERSION`.
    pub pack: String,
    pub facts: Facts,
    /// Optional free text; checked by the PII guard.
    pub label: Option<String>,
    pub actor: Actor,
}

/// A change of one step.
#[derive(Debug, Clone)]
pub struct StepChangeRequest {
    pub step: String,
    pub state: StepState,
    /// The role acting: the step's owner or the coordinator.
    pub role: String,
    pub initials: Option<String>,
    /// Required for `not_applicable` and `blocked`.
    pub reason: Option<String>,
    pub note: Option<String>,
    /// Values of the step's `record` fields, as raw text (`true`, `12`, `2026-05-01`, ...).
    pub record: BTreeMap<String, String>,
}

/// Filter of [`Engine::case_list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    /// Only cases with at least one overdue step.
    pub overdue_only: bool,
    /// Only cases where this role has a next action; their next actions are this role's.
    pub role: Option<String>,
    /// Leave `next_actions` empty and give only `actionable_by_role` (a screen that shows
    /// counts need not pay for building every action of every case).
    pub counts_only: bool,
}

/// What a change of facts did to the case's steps.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FactsChange {
    pub case: CaseView,
    pub now_applicable: Vec<String>,
    pub now_not_applicable: Vec<String>,
}

/// A step whose definition differs between two pack versions.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepDefinitionChange {
    pub id: String,
    /// The names of the step's fields that differ (`title`, `when`, `due`, ...).
    pub fields: Vec<String>,
}

/// The preview (and, after [`Engine::migrate`], the record) of moving a case to another
/// version of its pack.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MigrationPreview {
    pub reference: String,
    pub from: String,
    pub to: String,
    /// Steps in both versions with the same definition (state kept).
    pub kept: Vec<String>,
    /// Steps in both versions whose definition changed (state kept).
    pub changed: Vec<StepDefinitionChange>,
    /// Steps only in the new version (start as todo).
    pub added: Vec<String>,
    /// Steps only in the old version: archived with their state and history.
    pub archived: Vec<String>,
    /// Answered facts the new version does not have (dropped from the case, kept in the audit
    /// trail).
    pub dropped_facts: Vec<String>,
}

/// A closed case whose retention period is over.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PurgeItem {
    pub reference: String,
    pub pack: String,
    pub closed_at: DateTime<Utc>,
    pub purge_after: DateTime<Utc>,
    pub events: u64,
    pub steps: u64,
}

/// Result of a pack import.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ImportOutcome {
    pub key: String,
    /// False when the same id@version with the same content was already there.
    pub new: bool,
    pub origin: PackOrigin,
    pub signed_by: Option<String>,
    /// Validation warnings, one line each.
    pub warnings: Vec<String>,
}

/// Result of `db check`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckReport {
    /// Problems reported by SQLite's integrity and foreign key checks.
    pub integrity: Vec<String>,
    pub chain: ChainReport,
    /// Differences between the stored state and the state replayed from the audit trail.
    pub mismatches: Vec<String>,
}

impl CheckReport {
    pub fn is_ok(&self) -> bool {
        self.integrity.is_empty() && self.chain.first_break.is_none() && self.mismatches.is_empty()
    }
}

/// The case engine over one database.
pub struct Engine {
    store: Store,
    packs: RefCell<HashMap<String, Arc<Pack>>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store)
            .finish()
    }
}

fn parse_time(reference: &str, s: &str) -> Result<DateTime<Utc>, CaseError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| CaseError::Damaged {
            reference: reference.to_string(),
            detail: format!("time `{s}`: {e}"),
        })
}

fn parse_opt_time(reference: &str, s: Option<String>) -> Result<Option<DateTime<Utc>>, CaseError> {
    s.map(|s| parse_time(reference, &s)).transpose()
}

fn damaged(reference: &str, detail: impl std::fmt::Display) -> CaseError {
    CaseError::Damaged {
        reference: reference.to_string(),
        detail: detail.to_string(),
    }
}

fn check_initials(initials: Option<&str>) -> Result<(), CaseError> {
    if let Some(i) = initials {
        if i.is_empty() || i.chars().count() > 5 || !i.chars().all(char::is_alphanumeric) {
            return Err(CaseError::InvalidInitials(i.to_string()));
        }
    }
    Ok(())
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Checks a typed fact value against the pack (kind, options, bounds).
fn check_fact(pack: &Pack, id: &str, value: &FactValue) -> Result<(), CaseError> {
    let fact = pack.fact(id).ok_or_else(|| CaseError::NoFact {
        pack: pack.key(),
        fact: id.to_string(),
        facts: pack
            .facts
            .iter()
            .map(|f| f.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    let raw = match (fact.kind, value) {
        (FactKind::Bool, FactValue::Bool(b)) => b.to_string(),
        (FactKind::Choice, FactValue::Choice(c)) => c.clone(),
        (FactKind::Multi, FactValue::Multi(m)) => m.join(","),
        (FactKind::Number, FactValue::Number(n)) => n.to_string(),
        (FactKind::Multi, FactValue::Choice(c)) => c.clone(),
        _ => {
            return Err(CaseError::InvalidFact {
                fact: id.to_string(),
                message: format!("expected a {} value", fact.kind.as_str()),
            })
        }
    };
    fact.parse_value(&raw)
        .map(|_| ())
        .map_err(|message| CaseError::InvalidFact {
            fact: id.to_string(),
            message,
        })
}

fn record_value(step: &pack::Step, field: &str, raw: &str) -> Result<Value, CaseError> {
    let def =
        step.record
            .iter()
            .find(|r| r.id == field)
            .ok_or_else(|| CaseError::NoRecordField {
                step: step.id.clone(),
                field: field.to_string(),
                fields: if step.record.is_empty() {
                    "(none)".to_string()
                } else {
                    step.record
                        .iter()
                        .map(|r| r.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            })?;
    let bad = |message: String| CaseError::InvalidRecord {
        field: field.to_string(),
        message,
    };
    let raw = raw.trim();
    Ok(match def.kind {
        RecordKind::Bool => match raw.to_ascii_lowercase().as_str() {
            "true" | "yes" => Value::Bool(true),
            "false" | "no" => Value::Bool(false),
            _ => return Err(bad(format!("expected true or false, got `{raw}`"))),
        },
        RecordKind::Number => {
            let n: f64 = raw
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| bad(format!("expected a number, got `{raw}`")))?;
            json!(n)
        }
        RecordKind::Date => {
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map_err(|_| bad(format!("expected a date YYYY-MM-DD, got `{raw}`")))?;
            Value::String(raw.to_string())
        }
        RecordKind::Choice => {
            if !def.options.iter().any(|o| o.id == raw) {
                let allowed: Vec<&str> = def.options.iter().map(|o| o.id.as_str()).collect();
                return Err(bad(format!(
                    "no option `{raw}`; allowed: {}",
                    allowed.join(", ")
                )));
            }
            Value::String(raw.to_string())
        }
        RecordKind::Text => {
            crate::privacy::guard(&format!("record field {field}"), raw)?;
            Value::String(raw.to_string())
        }
    })
}

fn read_case(tx: &Transaction<'_>, reference: &str) -> Result<CaseRow, CaseError> {
    let row = tx
        .prepare_cached(
            "SELECT reference, pack_key, status, label, facts, training, opened_at, closed_at
             FROM cases WHERE reference = ?1",
        )?
        .query_row([reference], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })
        .optional()?
        .ok_or_else(|| CaseError::NoCase(reference.to_string()))?;
    case_from_parts(row)
}

type CaseParts = (
    String,
    String,
    String,
    Option<String>,
    String,
    bool,
    String,
    Option<String>,
);

fn case_from_parts(p: CaseParts) -> Result<CaseRow, CaseError> {
    let (reference, pack_key, status, label, facts, training, opened_at, closed_at) = p;
    let status = CaseStatus::parse(&status).ok_or_else(|| damaged(&reference, "status"))?;
    let facts: Facts = serde_json::from_str(&facts).map_err(|e| damaged(&reference, e))?;
    let opened_at = parse_time(&reference, &opened_at)?;
    let closed_at = parse_opt_time(&reference, closed_at)?;
    Ok(CaseRow {
        reference,
        pack_key,
        status,
        label,
        facts,
        training,
        opened_at,
        closed_at,
    })
}

type StepParts = (
    String,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn step_from_parts(p: StepParts) -> Result<(String, String, StepRow), CaseError> {
    let (reference, step, state, reason, record, changed_at, finished_at, archived_from) = p;
    let state = StepState::parse(&state).map_err(|_| damaged(&reference, "step state"))?;
    let record: serde_json::Map<String, Value> =
        serde_json::from_str(&record).map_err(|e| damaged(&reference, e))?;
    let changed_at = parse_opt_time(&reference, changed_at)?;
    let finished_at = parse_opt_time(&reference, finished_at)?;
    Ok((
        reference,
        step,
        StepRow {
            state,
            reason,
            record,
            changed_at,
            finished_at,
            archived_from,
        },
    ))
}

const STEP_COLUMNS: &str =
    "reference, step, state, reason, record, changed_at, finished_at, archived_from";

fn step_parts(r: &rusqlite::Row<'_>) -> rusqlite::Result<StepParts> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn read_steps(
    tx: &Transaction<'_>,
    reference: &str,
) -> Result<HashMap<String, StepRow>, CaseError> {
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {STEP_COLUMNS} FROM steps WHERE reference = ?1"
    ))?;
    let rows = stmt.query_map([reference], step_parts)?;
    let mut out = HashMap::new();
    for row in rows {
        let (_, step, row) = step_from_parts(row?)?;
        out.insert(step, row);
    }
    Ok(out)
}

fn write_step(
    tx: &Transaction<'_>,
    reference: &str,
    step: &str,
    row: &StepRow,
) -> Result<(), CaseError> {
    tx.prepare_cached(
        "INSERT INTO steps (reference, step, state, reason, record, changed_at, finished_at, archived_from)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (reference, step) DO UPDATE SET state = excluded.state,
             reason = excluded.reason, record = excluded.record, changed_at = excluded.changed_at,
             finished_at = excluded.finished_at, archived_from = excluded.archived_from")?.execute(params![
            reference,
            step,
            row.state.as_str(),
            row.reason,
            Value::Object(row.record.clone()).to_string(),
            row.changed_at.map(time_text),
            row.finished_at.map(time_text),
            row.archived_from
        ],
    )?;
    Ok(())
}

fn facts_json(facts: &Facts) -> String {
    serde_json::to_string(facts).unwrap_or_else(|_| "{}".to_string())
}

/// Truncates to whole seconds, the precision of stored times.
fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

impl Engine {
    /// Opens the database at `path` (see [`Store::open`]) and installs the shipped packs
    /// that are not there yet.
    pub fn open(path: &Path, now: DateTime<Utc>) -> Result<Engine, CaseError> {
        let mut engine = Engine::from_store(Store::open(path)?);
        engine.install_shipped(now)?;
        Ok(engine)
    }

    /// An engine over an already open store (nothing installed).
    pub fn from_store(store: Store) -> Engine {
        Engine {
            store,
            packs: RefCell::new(HashMap::new()),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    // ----- packs and keys -------------------------------------------------------------

    /// Installs the packs shipped with the program that are not in the database yet.
    /// Returns their keys.
    pub fn install_shipped(&mut self, now: DateTime<Utc>) -> Result<Vec<String>, CaseError> {
        let present: HashSet<String> = self.store.read(|tx| {
            Ok::<_, CaseError>(
                registry::list_packs(tx)?
                    .into_iter()
                    .map(|p| p.key)
                    .collect(),
            )
        })?;
        let mut todo = Vec::new();
        for shipped in pack::shipped() {
            let validated = pack::parse_pack(shipped.file_name, shipped.source).map_err(|d| {
                CaseError::InvalidPack {
                    key: shipped.file_name.to_string(),
                    detail: pack::render_human(&d, shipped.source),
                }
            })?;
            let key = validated.pack.key();
            if !present.contains(&key) {
                todo.push((shipped, validated.pack));
            }
        }
        if todo.is_empty() {
            return Ok(Vec::new());
        }
        self.store.write(|tx| {
            let mut installed = Vec::new();
            for (shipped, pack) in &todo {
                let rec = PackRecord {
                    key: pack.key(),
                    id: pack.id.clone(),
                    version: pack.version.to_string(),
                    file_name: shipped.file_name.to_string(),
                    sha256: audit::sha256_hex(shipped.source.as_bytes()),
                    status: pack.status.as_str().to_string(),
                    origin: PackOrigin::Shipped,
                    signed_by: None,
                    installed_at: time_text(now),
                };
                if registry::insert_pack(tx, &rec, shipped.source)? == Inserted::New {
                    audit::append(
                        tx,
                        &NewEvent {
                            at: now,
                            kind: "pack_installed",
                            data: json!({"pack": rec.key, "sha256": rec.sha256, "origin": "shipped"}),
                            ..Default::default()
                        },
                    )?;
                    installed.push(rec.key);
                }
            }
            Ok(installed)
        })
    }

    /// Every pack version in the database.
    pub fn list_packs(&self) -> Result<Vec<PackRecord>, CaseError> {
        self.store.read(|tx| Ok(registry::list_packs(tx)?))
    }

    /// How many open cases each pack version has (`id@version` → count), counted in SQL.
    pub fn open_cases_per_pack(&self) -> Result<HashMap<String, u32>, CaseError> {
        self.store.read(|tx| {
            let mut stmt = tx.prepare(
                "SELECT pack_key, count(*) FROM cases WHERE status = 'open' GROUP BY pack_key",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// The validated pack `id@version` from the database (parsed once, then cached).
    pub fn pack(&self, key: &str) -> Result<Arc<Pack>, CaseError> {
        if let Some(p) = self.packs.borrow().get(key) {
            return Ok(p.clone());
        }
        let (file_name, source) = self.store.read(|tx| {
            let rec =
                registry::get_pack(tx, key)?.ok_or_else(|| CaseError::NoPack(key.to_string()))?;
            let source = registry::pack_source(tx, key)?.unwrap_or_default();
            if audit::sha256_hex(source.as_bytes()) != rec.sha256 {
                return Err(CaseError::StoredPackInvalid {
                    key: key.to_string(),
                    detail: "its stored text does not match its SHA-256: the database was edited outside Caseway; run `caseway db check` and restore a backup".into(),
                });
            }
            Ok::<_, CaseError>((rec.file_name, source))
        })?;
        let pack = self.parse_stored(key, &file_name, &source)?;
        self.packs
            .borrow_mut()
            .insert(key.to_string(), pack.clone());
        Ok(pack)
    }

    fn parse_stored(
        &self,
        key: &str,
        file_name: &str,
        source: &str,
    ) -> Result<Arc<Pack>, CaseError> {
        let v = pack::parse_pack(file_name, source).map_err(|d| CaseError::StoredPackInvalid {
            key: key.to_string(),
            detail: pack::render_human(&d, source),
        })?;
        Ok(Arc::new(v.pack))
    }

    /// The registry record of `spec` (`ID@VERSION`, or `ID` for its highest active version).
    pub fn resolve_pack(&self, spec: &str) -> Result<PackRecord, CaseError> {
        let packs = self.list_packs()?;
        if spec.contains('@') {
            return packs
                .into_iter()
                .find(|p| p.key == spec)
                .ok_or_else(|| CaseError::NoPack(spec.to_string()));
        }
        if !packs.iter().any(|p| p.id == spec) {
            return Err(CaseError::NoPack(spec.to_string()));
        }
        packs
            .into_iter()
            .filter(|p| p.id == spec && p.status == PackStatus::Active.as_str())
            .filter_map(|p| semver::Version::parse(&p.version).ok().map(|v| (v, p)))
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, p)| p)
            .ok_or_else(|| CaseError::NoActiveVersion(spec.to_string()))
    }

    /// Imports a pack file. `signature` is the text of its `.minisig`; without a signature
    /// by a trusted key the import is refused unless `allow_unsigned` (training use; the
    /// audit trail records it and cases opened on the pack are marked as training).
    pub fn import_pack(
        &mut self,
        file_name: &str,
        source: &str,
        signature: Option<&str>,
        allow_unsigned: bool,
        now: DateTime<Utc>,
    ) -> Result<ImportOutcome, CaseError> {
        let validated =
            pack::parse_pack(file_name, source).map_err(|d| CaseError::InvalidPack {
                key: file_name.to_string(),
                detail: pack::render_human(&d, source),
            })?;
        let check = super::check_signature(&self.list_keys()?, source, signature);
        let problem = check.problem();
        let signed_by = match check {
            super::SignatureCheck::Trusted { key_id } => Some(key_id),
            _ => None,
        };
        if let (Some(problem), false) = (&problem, allow_unsigned) {
            return Err(CaseError::Signature(format!(
                "cannot import {file_name}: {problem}; a pack used for real cases must be signed by a trusted key (`caseway keys add`), or import it with --unsigned for training only"
            )));
        }
        let origin = if signed_by.is_some() {
            PackOrigin::Signed
        } else {
            PackOrigin::Unsigned
        };
        let p = &validated.pack;
        let rec = PackRecord {
            key: p.key(),
            id: p.id.clone(),
            version: p.version.to_string(),
            file_name: Path::new(file_name)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| file_name.to_string()),
            sha256: audit::sha256_hex(source.as_bytes()),
            status: p.status.as_str().to_string(),
            origin,
            signed_by: signed_by.clone(),
            installed_at: time_text(now),
        };
        let new = self
            .store
            .write(|tx| match registry::insert_pack(tx, &rec, source)? {
                Inserted::Conflict => Err(CaseError::PackConflict(rec.key.clone())),
                Inserted::AlreadyPresent => Ok(false),
                Inserted::New => {
                    audit::append(
                        tx,
                        &NewEvent {
                            at: now,
                            kind: "pack_imported",
                            reason: problem.as_deref(),
                            data: json!({"pack": rec.key, "sha256": rec.sha256,
                                         "origin": origin.as_str(), "signed_by": signed_by,
                                         "unsigned": origin == PackOrigin::Unsigned}),
                            ..Default::default()
                        },
                    )?;
                    Ok(true)
                }
            })?;
        Ok(ImportOutcome {
            key: rec.key,
            new,
            origin,
            signed_by,
            warnings: validated
                .warnings
                .iter()
                .map(|d| {
                    format!(
                        "{}:{}:{}: {} [{}]",
                        d.file, d.line, d.column, d.message, d.code
                    )
                })
                .collect(),
        })
    }

    /// Sets the status of a pack version (`activate`, `retire`, back to draft).
    pub fn set_pack_status(
        &mut self,
        key: &str,
        status: PackStatus,
        now: DateTime<Utc>,
    ) -> Result<PackRecord, CaseError> {
        self.store.write(|tx| {
            let before =
                registry::get_pack(tx, key)?.ok_or_else(|| CaseError::NoPack(key.to_string()))?;
            registry::set_pack_status(tx, key, status.as_str())?;
            if before.status != status.as_str() {
                audit::append(
                    tx,
                    &NewEvent {
                        at: now,
                        kind: "pack_status",
                        from_state: Some(&before.status),
                        to_state: Some(status.as_str()),
                        data: json!({"pack": key}),
                        ..Default::default()
                    },
                )?;
            }
            registry::get_pack(tx, key)?.ok_or_else(|| CaseError::NoPack(key.to_string()))
        })
    }

    /// Trusts a minisign public key (the content of a `.pub` file or its base64 line).
    pub fn add_key(&mut self, text: &str, now: DateTime<Utc>) -> Result<TrustedKey, CaseError> {
        let mut comment = String::new();
        let mut line = None;
        for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(c) = l.strip_prefix("untrusted comment:") {
                comment = c.trim().to_string();
            } else {
                line = Some(l);
            }
        }
        let line = line.ok_or_else(|| CaseError::InvalidKey("no key found".into()))?;
        let pk = minisign::PublicKey::from_base64(line)
            .map_err(|e| CaseError::InvalidKey(e.to_string()))?;
        let mut id = [0u8; 8];
        id.copy_from_slice(&pk.keynum()[..8]);
        let key = TrustedKey {
            key_id: format!("{:016X}", u64::from_le_bytes(id)),
            public_key: line.to_string(),
            comment: comment.chars().take(200).collect(),
            added_at: time_text(now),
        };
        self.store.write(|tx| {
            if registry::add_key(tx, &key)? {
                audit::append(
                    tx,
                    &NewEvent {
                        at: now,
                        kind: "key_added",
                        data: json!({"key_id": key.key_id, "public_key": key.public_key}),
                        ..Default::default()
                    },
                )?;
            }
            Ok(key.clone())
        })
    }

    pub fn list_keys(&self) -> Result<Vec<TrustedKey>, CaseError> {
        self.store.read(|tx| Ok(registry::list_keys(tx)?))
    }

    /// Stops trusting a key (packs already imported stay).
    pub fn remove_key(&mut self, key_id: &str, now: DateTime<Utc>) -> Result<(), CaseError> {
        let id = key_id.trim().to_ascii_uppercase();
        self.store.write(|tx| {
            if !registry::remove_key(tx, &id)? {
                return Err(CaseError::NoKey(key_id.to_string()));
            }
            audit::append(
                tx,
                &NewEvent {
                    at: now,
                    kind: "key_removed",
                    data: json!({"key_id": id}),
                    ..Default::default()
                },
            )?;
            Ok(())
        })
    }

    // ----- cases ------------------------------------------------------------------------

    /// Parses `KEY=VALUE` fact answers typed on the command line against a pack.
    pub fn parse_facts(pack: &Pack, raw: &[(String, String)]) -> Result<Facts, CaseError> {
        let mut facts = Facts::new();
        for (k, v) in raw {
            let fact = pack.fact(k).ok_or_else(|| CaseError::NoFact {
                pack: pack.key(),
                fact: k.clone(),
                facts: pack
                    .facts
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
            let value = fact
                .parse_value(v)
                .map_err(|message| CaseError::InvalidFact {
                    fact: k.clone(),
                    message,
                })?;
            facts.insert(k.clone(), value);
        }
        Ok(facts)
    }

    /// Opens a case on a pack version and returns its view.
    pub fn open_case(&mut self, new: &NewCase, now: DateTime<Utc>) -> Result<CaseView, CaseError> {
        let now = whole_seconds(now);
        let rec = self.resolve_pack(&new.pack)?;
        if rec.status == PackStatus::Retired.as_str() {
            return Err(CaseError::PackRetired(rec.key));
        }
        let pack = self.pack(&rec.key)?;
        for (id, value) in &new.facts {
            check_fact(&pack, id, value)?;
        }
        self.check_role_opt(&pack, new.actor.role.as_deref())?;
        check_initials(new.actor.initials.as_deref())?;
        let label = non_empty(new.label.as_deref());
        if let Some(l) = label {
            crate::privacy::guard("label", l)?;
        }
        let training = rec.origin == PackOrigin::Unsigned;
        let reference = self.store.write(|tx| {
            let mut reference = None;
            for _ in 0..50 {
                let candidate = crate::privacy::new_reference(now.year());
                let n = tx.execute(
                    "INSERT INTO cases (reference, pack_key, status, label, facts, training, opened_at, head_hash)
                     VALUES (?1, ?2, 'open', ?3, ?4, ?5, ?6, ?7) ON CONFLICT (reference) DO NOTHING",
                    params![candidate, rec.key, label, facts_json(&new.facts), training,
                            time_text(now), audit::GENESIS_HASH],
                )?;
                if n == 1 {
                    reference = Some(candidate);
                    break;
                }
            }
            let reference = reference.ok_or(CaseError::NoReference)?;
            audit::append(
                tx,
                &NewEvent {
                    reference: Some(&reference),
                    at: now,
                    kind: "case_opened",
                    to_state: Some("open"),
                    role: new.actor.role.as_deref(),
                    initials: new.actor.initials.as_deref(),
                    data: json!({"pack": rec.key, "facts": new.facts, "label": label,
                                 "training": training}),
                    ..Default::default()
                },
            )?;
            audit::append(
                tx,
                &NewEvent {
                    at: now,
                    kind: audit::CASE_REGISTERED,
                    data: json!({"reference": reference, "pack": rec.key}),
                    ..Default::default()
                },
            )?;
            Ok::<_, CaseError>(reference)
        })?;
        self.case_view(&reference, now)
    }

    fn check_role_opt(&self, pack: &Pack, role: Option<&str>) -> Result<(), CaseError> {
        match role {
            Some(r) if r != COORDINATOR && pack.role(r).is_none() => Err(CaseError::NoRole {
                pack: pack.key(),
                role: r.to_string(),
                roles: pack
                    .roles
                    .iter()
                    .map(|r| r.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
            _ => Ok(()),
        }
    }

    /// Everything about one case at time `now`, with each step's notes and history.
    pub fn case_view(&self, reference: &str, now: DateTime<Utc>) -> Result<CaseView, CaseError> {
        let (case, rows, events) = self.store.read(|tx| {
            let case = read_case(tx, reference)?;
            let rows = read_steps(tx, reference)?;
            let events = audit::events_of(tx, Some(reference))?;
            Ok::<_, CaseError>((case, rows, events))
        })?;
        let pack = self.pack(&case.pack_key)?;
        let (cores, mut steps) = view::step_views(&pack, &case, &rows, now);
        let mut by_step: HashMap<&str, Vec<&Event>> = HashMap::new();
        for e in &events {
            if let Some(s) = &e.step {
                by_step.entry(s.as_str()).or_default().push(e);
            }
        }
        for s in &mut steps {
            if let Some(evs) = by_step.get(s.id.as_str()) {
                s.history = evs.iter().map(|e| HistoryEntry::from(*e)).collect();
                s.notes = evs
                    .iter()
                    .filter(|e| e.note.is_some())
                    .map(|e| HistoryEntry::from(*e))
                    .collect();
            }
        }
        let mut archived: Vec<ArchivedStep> = rows
            .iter()
            .filter_map(|(id, r)| {
                r.archived_from.as_ref().map(|from| ArchivedStep {
                    id: id.clone(),
                    state: r.state,
                    reason: r.reason.clone(),
                    record: r.record.clone(),
                    archived_from: from.clone(),
                    history: by_step
                        .get(id.as_str())
                        .map(|evs| evs.iter().map(|e| HistoryEntry::from(*e)).collect())
                        .unwrap_or_default(),
                })
            })
            .collect();
        archived.sort_by(|a, b| a.id.cmp(&b.id));
        let mut next_actions: BTreeMap<String, Vec<super::NextAction>> = BTreeMap::new();
        let open = case.status == CaseStatus::Open;
        for a in view::next_actions(reference, &pack, &cores, open, None) {
            next_actions.entry(a.role.clone()).or_default().push(a);
        }
        let unanswered_facts = pack
            .facts
            .iter()
            .filter(|f| !case.facts.contains_key(&f.id))
            .map(|f| f.id.clone())
            .collect();
        Ok(CaseView {
            reference: case.reference,
            pack: PackRef::of(&pack),
            status: case.status,
            label: case.label,
            training: case.training,
            facts: case.facts,
            unanswered_facts,
            opened_at: case.opened_at,
            closed_at: case.closed_at,
            steps,
            archived_steps: archived,
            next_actions,
        })
    }

    /// The case list at time `now`, newest first.
    pub fn case_list(
        &self,
        filter: &CaseFilter,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseSummary>, CaseError> {
        let (cases, steps) = self.store.read(|tx| {
            let mut stmt = tx.prepare(
                "SELECT reference, pack_key, status, label, facts, training, opened_at, closed_at
                 FROM cases ORDER BY opened_at DESC, reference",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })?;
            let mut cases = Vec::new();
            for r in rows {
                let c = case_from_parts(r?)?;
                if filter.status.is_none_or(|s| s == c.status) {
                    cases.push(c);
                }
            }
            // Step rows come in key order, so each case's rows are read as one run: the case
            // is looked up once per run, and rows of cases the filter left out are skipped
            // unparsed.
            let position: HashMap<&str, usize> = cases
                .iter()
                .enumerate()
                .map(|(i, c)| (c.reference.as_str(), i))
                .collect();
            let mut steps: Vec<HashMap<String, StepRow>> =
                cases.iter().map(|_| HashMap::new()).collect();
            let mut stmt = tx.prepare(&format!(
                "SELECT {STEP_COLUMNS} FROM steps ORDER BY reference, step"
            ))?;
            let mut rows = stmt.query([])?;
            let mut run: Option<(String, Option<usize>)> = None;
            while let Some(r) = rows.next()? {
                let reference = r.get_ref(0)?.as_str().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        0,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })?;
                if run.as_ref().is_none_or(|(current, _)| current != reference) {
                    run = Some((reference.to_owned(), position.get(reference).copied()));
                }
                let Some(i) = run.as_ref().and_then(|(_, i)| *i) else {
                    continue;
                };
                let (_, step, row) = step_from_parts(step_parts(r)?)?;
                steps[i].insert(step, row);
            }
            drop(position);
            Ok::<_, CaseError>((cases, steps))
        })?;
        let mut refs: HashMap<String, PackRef> = HashMap::new();
        let mut indexes: HashMap<String, view::StepIndex> = HashMap::new();
        let mut out = Vec::new();
        for (case, rows) in cases.into_iter().zip(steps) {
            let pack = self.pack(&case.pack_key)?;
            let index = indexes
                .entry(case.pack_key.clone())
                .or_insert_with(|| view::StepIndex::of(&pack));
            let cores = view::cores(&pack, index, &case, &rows, now);
            let open = case.status == CaseStatus::Open;
            if let Some(role) = filter.role.as_deref() {
                let has_action = pack
                    .steps
                    .iter()
                    .zip(&cores)
                    .any(|(s, c)| open && c.actionable() && s.role == role);
                if !has_action {
                    continue;
                }
            }
            let applicable = || cores.iter().filter(|c| c.applicable);
            let overdue = applicable().filter(|c| c.overdue).count() as u32;
            if filter.overdue_only && overdue == 0 {
                continue;
            }
            let mut actionable_by_role: BTreeMap<String, u32> = BTreeMap::new();
            if open {
                for (s, c) in pack.steps.iter().zip(&cores) {
                    if c.actionable() {
                        *actionable_by_role.entry(s.role.clone()).or_default() += 1;
                    }
                }
            }
            let actions = if filter.counts_only {
                Vec::new()
            } else {
                view::next_actions(&case.reference, &pack, &cores, open, filter.role.as_deref())
            };
            let pack_ref = refs
                .entry(case.pack_key.clone())
                .or_insert_with(|| PackRef::of(&pack))
                .clone();
            out.push(CaseSummary {
                pack: pack_ref,
                status: case.status,
                training: case.training,
                opened_at: case.opened_at,
                closed_at: case.closed_at,
                applicable_steps: applicable().count() as u32,
                finished_steps: applicable().filter(|c| c.state.is_finished()).count() as u32,
                overdue_steps: overdue,
                due_soon_steps: applicable().filter(|c| c.due_soon).count() as u32,
                next_due: applicable()
                    .filter(|c| !c.state.is_finished())
                    .filter_map(|c| c.due)
                    .min(),
                next_actions: actions,
                actionable_by_role,
                reference: case.reference,
                label: case.label,
            });
        }
        Ok(out)
    }

    /// Changes the state of a step (with the rules of the protocol) and returns the step's
    /// new view.
    pub fn set_step_state(
        &mut self,
        reference: &str,
        change: &StepChangeRequest,
        now: DateTime<Utc>,
    ) -> Result<StepView, CaseError> {
        self.change_step(reference, change, None, now)
    }

    /// Undoes the latest step change of the case that is not undone yet, by a new event
    /// that moves the step back to its previous state (with its previous reason). The same
    /// rules apply as for any change (role, reason, dependencies). Nothing is deleted.
    pub fn undo_last_step_change(
        &mut self,
        reference: &str,
        role: &str,
        initials: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<StepView, CaseError> {
        let events = self.timeline(reference)?;
        let mut undone = HashSet::new();
        let mut target = None;
        for e in events.iter().rev().filter(|e| e.kind == "step") {
            if let Some(of) = e.data.get("undo_of").and_then(Value::as_i64) {
                undone.insert(of);
            } else if !undone.contains(&e.seq) && e.from_state != e.to_state {
                target = Some(e);
                break;
            }
        }
        let e = target.ok_or_else(|| CaseError::NothingToUndo(reference.to_string()))?;
        let (Some(step), Some(from)) = (&e.step, &e.from_state) else {
            return Err(damaged(reference, format!("event {} has no step", e.seq)));
        };
        let state = StepState::parse(from)?;
        let reason = events
            .iter()
            .rfind(|x| x.seq < e.seq && x.kind == "step" && x.step.as_ref() == Some(step))
            .and_then(|x| x.reason.clone())
            .filter(|_| state.needs_reason());
        let change = StepChangeRequest {
            step: step.clone(),
            state,
            role: role.to_string(),
            initials: initials.map(str::to_string),
            reason,
            note: Some(format!("undo of event {}", e.seq)),
            record: BTreeMap::new(),
        };
        self.change_step(reference, &change, Some(e.seq), now)
    }

    fn change_step(
        &mut self,
        reference: &str,
        change: &StepChangeRequest,
        undo_of: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<StepView, CaseError> {
        let now = whole_seconds(now);
        check_initials(change.initials.as_deref())?;
        let reason = non_empty(change.reason.as_deref());
        let note = non_empty(change.note.as_deref());
        if let Some(r) = reason {
            crate::privacy::guard("reason", r)?;
        }
        if let Some(n) = note {
            crate::privacy::guard("note", n)?;
        }
        let pack_key = self
            .store
            .read(|tx| Ok::<_, CaseError>(read_case(tx, reference)?.pack_key))?;
        let pack = self.pack(&pack_key)?;
        let step = pack.step(&change.step).ok_or_else(|| CaseError::NoStep {
            pack: pack.key(),
            step: change.step.clone(),
        })?;
        self.check_role_opt(&pack, Some(&change.role))?;
        if change.role != step.role && change.role != COORDINATOR {
            return Err(CaseError::WrongRole {
                step: step.id.clone(),
                owner: step.role.clone(),
                role: change.role.clone(),
            });
        }
        if change.state.needs_reason() && reason.is_none() {
            return Err(CaseError::ReasonRequired {
                step: step.id.clone(),
                state: change.state.as_str(),
            });
        }
        let mut record = serde_json::Map::new();
        for (field, raw) in &change.record {
            record.insert(field.clone(), record_value(step, field, raw)?);
        }
        self.store.write(|tx| {
            // Re-read under the write lock: another process may have changed the case.
            let case = read_case(tx, reference)?;
            if case.pack_key != pack.key() {
                return Err(CaseError::Migration {
                    reference: reference.to_string(),
                    to: case.pack_key.clone(),
                    why: "the case was migrated meanwhile; retry".into(),
                });
            }
            if case.status == CaseStatus::Closed {
                return Err(CaseError::Closed(reference.to_string()));
            }
            if !step.applies(&case.facts) {
                return Err(CaseError::NotApplicable {
                    reference: reference.to_string(),
                    step: step.id.clone(),
                    condition: step
                        .when
                        .as_ref()
                        .map(|c| c.source().to_string())
                        .unwrap_or_default(),
                });
            }
            let mut rows = read_steps(tx, reference)?;
            let before = rows.get(&step.id).cloned().unwrap_or_else(StepRow::todo);
            if before.state == change.state
                && note.is_none()
                && record.is_empty()
                && reason == before.reason.as_deref()
            {
                return Err(CaseError::Unchanged {
                    step: step.id.clone(),
                    state: change.state.as_str(),
                });
            }
            if change.state == StepState::Done {
                let (_, views) = view::step_views(&pack, &case, &rows, now);
                if let Some(v) = views.iter().find(|v| v.id == step.id) {
                    if !v.blocked_by.is_empty() {
                        let waiting = v
                            .blocked_by
                            .iter()
                            .map(|d| {
                                let st = rows.get(d).map(|r| r.state).unwrap_or(StepState::Todo);
                                format!("{d} ({st})")
                            })
                            .collect::<Vec<_>>()
                            .join(", ");
                        return Err(CaseError::Waiting {
                            step: step.id.clone(),
                            waiting,
                        });
                    }
                }
            }
            let mut after = before.clone();
            after.state = change.state;
            after.reason = if change.state.needs_reason() {
                reason.map(str::to_string)
            } else {
                None
            };
            for (k, v) in &record {
                after.record.insert(k.clone(), v.clone());
            }
            if before.state != change.state {
                after.changed_at = Some(now);
                after.finished_at = change.state.is_finished().then_some(now);
            }
            write_step(tx, reference, &step.id, &after)?;
            audit::append(
                tx,
                &NewEvent {
                    reference: Some(reference),
                    at: now,
                    kind: "step",
                    step: Some(&step.id),
                    from_state: Some(before.state.as_str()),
                    to_state: Some(change.state.as_str()),
                    role: Some(&change.role),
                    initials: change.initials.as_deref(),
                    reason,
                    note,
                    data: {
                        let mut data = serde_json::Map::new();
                        if !record.is_empty() {
                            data.insert("record".into(), Value::Object(record.clone()));
                        }
                        if let Some(of) = undo_of {
                            data.insert("undo_of".into(), json!(of));
                        }
                        Value::Object(data)
                    },
                },
            )?;
            rows.insert(step.id.clone(), after);
            let (_, views) = view::step_views(&pack, &case, &rows, now);
            views
                .into_iter()
                .find(|v| v.id == step.id)
                .ok_or_else(|| damaged(reference, "step vanished"))
        })
    }

    /// Adds a note to a step without changing its state. Any role of the pack may write one.
    pub fn add_note(
        &mut self,
        reference: &str,
        step: &str,
        actor: &Actor,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, CaseError> {
        let now = whole_seconds(now);
        let note = non_empty(Some(note)).ok_or(CaseError::CaseReasonRequired { action: "note" })?;
        crate::privacy::guard("note", note)?;
        check_initials(actor.initials.as_deref())?;
        let pack_key = self
            .store
            .read(|tx| Ok::<_, CaseError>(read_case(tx, reference)?.pack_key))?;
        let pack = self.pack(&pack_key)?;
        if pack.step(step).is_none() {
            return Err(CaseError::NoStep {
                pack: pack_key,
                step: step.to_string(),
            });
        }
        self.check_role_opt(&pack, actor.role.as_deref())?;
        self.store.write(|tx| {
            let ev = audit::append(
                tx,
                &NewEvent {
                    reference: Some(reference),
                    at: now,
                    kind: "note",
                    step: Some(step),
                    role: actor.role.as_deref(),
                    initials: actor.initials.as_deref(),
                    note: Some(note),
                    ..Default::default()
                },
            )?;
            Ok(ev.seq)
        })
    }

    /// Sets (adds or changes) answers to facts; the steps that apply are re-evaluated.
    pub fn set_facts(
        &mut self,
        reference: &str,
        updates: &Facts,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<FactsChange, CaseError> {
        let now = whole_seconds(now);
        check_initials(actor.initials.as_deref())?;
        let pack_key = self
            .store
            .read(|tx| Ok::<_, CaseError>(read_case(tx, reference)?.pack_key))?;
        let pack = self.pack(&pack_key)?;
        for (id, value) in updates {
            check_fact(&pack, id, value)?;
        }
        self.check_role_opt(&pack, actor.role.as_deref())?;
        let (before, after) = self.store.write(|tx| {
            let case = read_case(tx, reference)?;
            if case.status == CaseStatus::Closed {
                return Err(CaseError::Closed(reference.to_string()));
            }
            let mut facts = case.facts.clone();
            for (k, v) in updates {
                facts.insert(k.clone(), v.clone());
            }
            tx.execute(
                "UPDATE cases SET facts = ?1 WHERE reference = ?2",
                params![facts_json(&facts), reference],
            )?;
            audit::append(
                tx,
                &NewEvent {
                    reference: Some(reference),
                    at: now,
                    kind: "facts",
                    role: actor.role.as_deref(),
                    initials: actor.initials.as_deref(),
                    data: json!({"set": updates, "before": case.facts, "facts": facts}),
                    ..Default::default()
                },
            )?;
            Ok((case.facts, facts))
        })?;
        let mut now_applicable = Vec::new();
        let mut now_not_applicable = Vec::new();
        for s in &pack.steps {
            match (s.applies(&before), s.applies(&after)) {
                (false, true) => now_applicable.push(s.id.clone()),
                (true, false) => now_not_applicable.push(s.id.clone()),
                _ => {}
            }
        }
        Ok(FactsChange {
            case: self.case_view(reference, now)?,
            now_applicable,
            now_not_applicable,
        })
    }

    /// Closes a case (reason required).
    pub fn close_case(
        &mut self,
        reference: &str,
        reason: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CaseView, CaseError> {
        self.change_status(reference, reason, actor, now, CaseStatus::Closed)
    }

    /// Reopens a closed case (reason required).
    pub fn reopen_case(
        &mut self,
        reference: &str,
        reason: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<CaseView, CaseError> {
        self.change_status(reference, reason, actor, now, CaseStatus::Open)
    }

    fn change_status(
        &mut self,
        reference: &str,
        reason: &str,
        actor: &Actor,
        now: DateTime<Utc>,
        to: CaseStatus,
    ) -> Result<CaseView, CaseError> {
        let now = whole_seconds(now);
        let action = if to == CaseStatus::Closed {
            "close"
        } else {
            "reopen"
        };
        let reason = non_empty(Some(reason)).ok_or(CaseError::CaseReasonRequired { action })?;
        crate::privacy::guard("reason", reason)?;
        check_initials(actor.initials.as_deref())?;
        let pack_key = self
            .store
            .read(|tx| Ok::<_, CaseError>(read_case(tx, reference)?.pack_key))?;
        let pack = self.pack(&pack_key)?;
        self.check_role_opt(&pack, actor.role.as_deref())?;
        self.store.write(|tx| {
            let case = read_case(tx, reference)?;
            if case.status == to {
                return Err(match to {
                    CaseStatus::Closed => CaseError::Closed(reference.to_string()),
                    CaseStatus::Open => CaseError::AlreadyOpen(reference.to_string()),
                });
            }
            let closed_at = (to == CaseStatus::Closed).then(|| time_text(now));
            tx.execute(
                "UPDATE cases SET status = ?1, closed_at = ?2 WHERE reference = ?3",
                params![to.as_str(), closed_at, reference],
            )?;
            audit::append(
                tx,
                &NewEvent {
                    reference: Some(reference),
                    at: now,
                    kind: if to == CaseStatus::Closed {
                        "case_closed"
                    } else {
                        "case_reopened"
                    },
                    from_state: Some(case.status.as_str()),
                    to_state: Some(to.as_str()),
                    role: actor.role.as_deref(),
                    initials: actor.initials.as_deref(),
                    reason: Some(reason),
                    ..Default::default()
                },
            )?;
            Ok::<_, CaseError>(())
        })?;
        self.case_view(reference, now)
    }

    /// Every audit event of a case, oldest first.
    pub fn timeline(&self, reference: &str) -> Result<Vec<Event>, CaseError> {
        self.store.read(|tx| {
            read_case(tx, reference)?;
            Ok(audit::events_of(tx, Some(reference))?)
        })
    }

    // ----- migration --------------------------------------------------------------------

    fn migration_target(
        &self,
        reference: &str,
        to: &str,
    ) -> Result<(CaseRow, Arc<Pack>, Arc<Pack>), CaseError> {
        let case = self.store.read(|tx| read_case(tx, reference))?;
        let from = self.pack(&case.pack_key)?;
        let key = if to.contains('@') {
            to.to_string()
        } else {
            format!("{}@{}", from.id, to.trim_start_matches('v'))
        };
        let fail = |why: String| CaseError::Migration {
            reference: reference.to_string(),
            to: key.clone(),
            why,
        };
        let rec = self
            .list_packs()?
            .into_iter()
            .find(|p| p.key == key)
            .ok_or_else(|| fail("no such pack version in the database; import it first".into()))?;
        if rec.id != from.id {
            return Err(fail(format!("it is another protocol than {}", from.id)));
        }
        if rec.status == PackStatus::Retired.as_str() {
            return Err(CaseError::PackRetired(key));
        }
        let target = self.pack(&key)?;
        if target.version <= from.version {
            return Err(fail(format!(
                "the case is on {} already; a case only moves to a newer version",
                from.version
            )));
        }
        if case.status == CaseStatus::Closed {
            return Err(CaseError::Closed(reference.to_string()));
        }
        Ok((case, from, target))
    }

    fn preview(case: &CaseRow, from: &Pack, to: &Pack) -> MigrationPreview {
        let mut kept = Vec::new();
        let mut changed = Vec::new();
        let mut archived = Vec::new();
        for s in &from.steps {
            match to.step(&s.id) {
                None => archived.push(s.id.clone()),
                Some(t) => {
                    let a = serde_json::to_value(s).unwrap_or_default();
                    let b = serde_json::to_value(t).unwrap_or_default();
                    let mut fields: Vec<String> = match (a.as_object(), b.as_object()) {
                        (Some(a), Some(b)) => a
                            .keys()
                            .chain(b.keys())
                            .filter(|k| a.get(*k) != b.get(*k))
                            .cloned()
                            .collect(),
                        _ => Vec::new(),
                    };
                    fields.sort();
                    fields.dedup();
                    if fields.is_empty() {
                        kept.push(s.id.clone());
                    } else {
                        changed.push(StepDefinitionChange {
                            id: s.id.clone(),
                            fields,
                        });
                    }
                }
            }
        }
        let added = to
            .steps
            .iter()
            .filter(|s| from.step(&s.id).is_none())
            .map(|s| s.id.clone())
            .collect();
        let dropped_facts = case
            .facts
            .keys()
            .filter(|k| to.fact(k).is_none())
            .cloned()
            .collect();
        MigrationPreview {
            reference: case.reference.clone(),
            from: from.key(),
            to: to.key(),
            kept,
            changed,
            added,
            archived,
            dropped_facts,
        }
    }

    /// What moving the case to version `to` (`VERSION` or `ID@VERSION`) of its pack would do.
    pub fn migrate_preview(
        &self,
        reference: &str,
        to: &str,
    ) -> Result<MigrationPreview, CaseError> {
        let (case, from, target) = self.migration_target(reference, to)?;
        Ok(Self::preview(&case, &from, &target))
    }

    /// Moves the case to version `to` of its pack: the state of every step whose id still
    /// exists is kept; the others are archived with their history, never deleted.
    pub fn migrate(
        &mut self,
        reference: &str,
        to: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<MigrationPreview, CaseError> {
        let now = whole_seconds(now);
        check_initials(actor.initials.as_deref())?;
        let (_, from, target) = self.migration_target(reference, to)?;
        self.store.write(|tx| {
            let case = read_case(tx, reference)?;
            if case.pack_key != from.key() || case.status == CaseStatus::Closed {
                return Err(CaseError::Migration {
                    reference: reference.to_string(),
                    to: target.key(),
                    why: "the case changed meanwhile; retry".into(),
                });
            }
            let preview = Self::preview(&case, &from, &target);
            let mut rows = read_steps(tx, reference)?;
            // Removed steps are archived even if never touched, so the case shows them.
            for id in &preview.archived {
                rows.entry(id.clone()).or_insert_with(StepRow::todo);
            }
            for (id, row) in &rows {
                let in_target = target.step(id).is_some();
                let mut new = row.clone();
                if !in_target && row.archived_from.is_none() {
                    new.archived_from = Some(from.key());
                } else if in_target {
                    new.archived_from = None;
                }
                if &new != row || new.archived_from.is_some() {
                    write_step(tx, reference, id, &new)?;
                }
            }
            let mut facts = case.facts.clone();
            facts.retain(|k, _| target.fact(k).is_some());
            tx.execute(
                "UPDATE cases SET pack_key = ?1, facts = ?2 WHERE reference = ?3",
                params![target.key(), facts_json(&facts), reference],
            )?;
            audit::append(
                tx,
                &NewEvent {
                    reference: Some(reference),
                    at: now,
                    kind: "case_migrated",
                    role: actor.role.as_deref(),
                    initials: actor.initials.as_deref(),
                    data: json!({"from": from.key(), "to": target.key(), "facts": facts,
                                 "preview": preview}),
                    ..Default::default()
                },
            )?;
            Ok(preview)
        })
    }

    // ----- retention, checks, backup ------------------------------------------------------

    /// Closed cases whose pack's retention period has passed at `now`.
    pub fn purge_preview(&self, now: DateTime<Utc>) -> Result<Vec<PurgeItem>, CaseError> {
        let closed: Vec<(String, String, String, u64, u64)> = self.store.read(|tx| {
            let mut stmt = tx.prepare(
                "SELECT c.reference, c.pack_key, c.closed_at,
                        (SELECT count(*) FROM events e WHERE e.reference = c.reference),
                        (SELECT count(*) FROM steps s WHERE s.reference = c.reference)
                 FROM cases c WHERE c.status = 'closed' AND c.closed_at IS NOT NULL
                 ORDER BY c.closed_at, c.reference",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            Ok::<_, CaseError>(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        let mut out = Vec::new();
        for (reference, pack_key, closed_at, events, steps) in closed {
            let pack = self.pack(&pack_key)?;
            let Some(retention) = &pack.retention else {
                continue;
            };
            let closed_at = parse_time(&reference, &closed_at)?;
            let purge_after = retention.add_to(closed_at);
            if purge_after <= now {
                out.push(PurgeItem {
                    reference,
                    pack: pack_key,
                    closed_at,
                    purge_after,
                    events,
                    steps,
                });
            }
        }
        Ok(out)
    }

    /// Removes the cases of [`Engine::purge_preview`] with their steps and events; records
    /// each removal in the global audit chain. Returns what was removed.
    pub fn purge(&mut self, now: DateTime<Utc>) -> Result<Vec<PurgeItem>, CaseError> {
        let now = whole_seconds(now);
        let items = self.purge_preview(now)?;
        self.store.write(|tx| {
            for item in &items {
                let head: String = tx.query_row(
                    "SELECT head_hash FROM cases WHERE reference = ?1 AND status = 'closed'",
                    [&item.reference],
                    |r| r.get(0),
                )?;
                tx.execute("DELETE FROM events WHERE reference = ?1", [&item.reference])?;
                tx.execute("DELETE FROM steps WHERE reference = ?1", [&item.reference])?;
                tx.execute("DELETE FROM cases WHERE reference = ?1", [&item.reference])?;
                audit::append(
                    tx,
                    &NewEvent {
                        at: now,
                        kind: audit::CASE_PURGED,
                        reason: Some("retention period over"),
                        data: json!({"reference": item.reference, "pack": item.pack,
                                     "closed_at": time_text(item.closed_at),
                                     "events": item.events, "head_hash": head}),
                        ..Default::default()
                    },
                )?;
            }
            Ok::<_, CaseError>(())
        })?;
        Ok(items)
    }

    /// Recomputes the audit chains (`db verify`).
    pub fn verify(&self) -> Result<ChainReport, CaseError> {
        self.store.read(|tx| Ok(audit::verify(tx)?))
    }

    /// `db check`: SQLite integrity, the audit chains, and the stored state of every case
    /// against the state replayed from its events.
    pub fn check(&self) -> Result<CheckReport, CaseError> {
        // A damaged file is a finding of the check, not a failure to run it.
        let integrity = match self.store.integrity_problems() {
            Ok(p) => p,
            Err(e @ StoreError::Corrupt(_)) => vec![e.to_string()],
            Err(e) => return Err(e.into()),
        };
        let read = self.store.read(|tx| {
            let chain = audit::verify(tx)?;
            let mismatches = replay_mismatches(tx)?;
            Ok::<_, CaseError>((chain, mismatches))
        });
        let (chain, mismatches) = match read {
            Ok(r) => r,
            Err(e) if !integrity.is_empty() => (
                ChainReport {
                    events: 0,
                    chains: 0,
                    first_break: Some(ChainBreak {
                        seq: None,
                        reference: None,
                        problem: format!("the audit trail cannot be read: {e}"),
                    }),
                },
                Vec::new(),
            ),
            Err(e) => return Err(e),
        };
        Ok(CheckReport {
            integrity,
            chain,
            mismatches,
        })
    }

    /// Writes a consistent copy of the database to `dest` (which must not exist).
    pub fn backup(&self, dest: &Path) -> Result<(), CaseError> {
        Ok(self.store.backup_to(dest)?)
    }

    /// Replaces the database with the backup `src` after checking it.
    pub fn restore(&mut self, src: &Path) -> Result<(), CaseError> {
        self.packs.borrow_mut().clear();
        Ok(self.store.restore_from(src)?)
    }
}

/// Replays every case's events and lists where the stored state differs.
fn replay_mismatches(tx: &Transaction<'_>) -> Result<Vec<String>, CaseError> {
    let mut out = Vec::new();
    {
        let mut stmt = tx.prepare("SELECT key, sha256, source FROM packs ORDER BY key")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (key, sha, source) = row?;
            if audit::sha256_hex(source.as_bytes()) != sha {
                out.push(format!(
                    "pack {key}: its stored text does not match its SHA-256 {sha}"
                ));
            }
        }
    }
    let references: Vec<String> = {
        let mut stmt = tx.prepare("SELECT reference FROM cases ORDER BY reference")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    for reference in references {
        let case = read_case(tx, &reference)?;
        let stored = read_steps(tx, &reference)?;
        let events = audit::events_of(tx, Some(&reference))?;
        let mut pack_key = None;
        let mut facts: Option<Facts> = None;
        let mut status = None;
        let mut closed_at: Option<String> = None;
        let mut steps: HashMap<String, StepRow> = HashMap::new();
        for e in &events {
            match e.kind.as_str() {
                "case_opened" => {
                    pack_key = e
                        .data
                        .get("pack")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    facts =
                        serde_json::from_value(e.data.get("facts").cloned().unwrap_or_default())
                            .ok();
                    status = Some(CaseStatus::Open);
                }
                "step" => {
                    let (Some(step), Some(to)) = (&e.step, &e.to_state) else {
                        continue;
                    };
                    let to = StepState::parse(to)?;
                    let at = parse_time(&reference, &e.at)?;
                    let row = steps.entry(step.clone()).or_insert_with(StepRow::todo);
                    if row.state != to {
                        row.changed_at = Some(at);
                        row.finished_at = to.is_finished().then_some(at);
                    }
                    row.state = to;
                    row.reason = if to.needs_reason() {
                        e.reason.clone()
                    } else {
                        None
                    };
                    if let Some(Value::Object(rec)) = e.data.get("record") {
                        for (k, v) in rec {
                            row.record.insert(k.clone(), v.clone());
                        }
                    }
                }
                "facts" => {
                    facts =
                        serde_json::from_value(e.data.get("facts").cloned().unwrap_or_default())
                            .ok();
                }
                "case_closed" => {
                    status = Some(CaseStatus::Closed);
                    closed_at = Some(e.at.clone());
                }
                "case_reopened" => {
                    status = Some(CaseStatus::Open);
                    closed_at = None;
                }
                "case_migrated" => {
                    let from = e
                        .data
                        .get("from")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    pack_key = e.data.get("to").and_then(Value::as_str).map(str::to_string);
                    facts =
                        serde_json::from_value(e.data.get("facts").cloned().unwrap_or_default())
                            .ok();
                    let archived: Vec<String> = e
                        .data
                        .pointer("/preview/archived")
                        .and_then(|v| serde_json::from_value(v.clone()).ok())
                        .unwrap_or_default();
                    let added: Vec<String> = e
                        .data
                        .pointer("/preview/added")
                        .and_then(|v| serde_json::from_value(v.clone()).ok())
                        .unwrap_or_default();
                    for id in &archived {
                        steps.entry(id.clone()).or_insert_with(StepRow::todo);
                    }
                    for (id, row) in steps.iter_mut() {
                        if archived.contains(id) && row.archived_from.is_none() {
                            row.archived_from = from.clone();
                        } else if added.contains(id) {
                            row.archived_from = None;
                        }
                    }
                }
                _ => {}
            }
        }
        let mut say = |what: String| out.push(format!("case {reference}: {what}"));
        if pack_key.as_deref() != Some(case.pack_key.as_str()) {
            say(format!(
                "stored pack {} but events say {:?}",
                case.pack_key, pack_key
            ));
        }
        if facts.as_ref() != Some(&case.facts) {
            say("stored facts differ from the events".into());
        }
        if status != Some(case.status) {
            say(format!(
                "stored status {} differs from the events",
                case.status.as_str()
            ));
        }
        if closed_at != case.closed_at.map(time_text) {
            say("stored closing time differs from the events".into());
        }
        let ids: HashSet<&String> = stored.keys().chain(steps.keys()).collect();
        let mut ids: Vec<&String> = ids.into_iter().collect();
        ids.sort();
        for id in ids {
            match (stored.get(id), steps.get(id)) {
                (Some(a), Some(b)) if a == b => {}
                (Some(a), Some(b)) => say(format!(
                    "step {id}: stored {} but events say {}",
                    a.state, b.state
                )),
                (Some(a), None) => say(format!("step {id}: stored {} without any event", a.state)),
                (None, Some(b)) => say(format!(
                    "step {id}: events say {} but nothing is stored",
                    b.state
                )),
                (None, None) => {}
            }
        }
    }
    Ok(out)
}
