//! The audit trail: append-only events chained by SHA-256.
//!
//! Each case has its own chain (so that purging a case after its retention period removes a
//! whole chain, recorded by an event in the global chain); events that belong to no case
//! (pack imports, keys) form the global chain. An event's `hash` covers every column of the
//! event and the `prev_hash` of the event before it in its chain; the hash of the last event
//! is kept with the case (`cases.head_hash`) or in `meta` (`audit_head`), so that removing the
//! last events is detected too. Each new case is also registered in the global chain, so
//! that removing a whole case without a purge record is detected.
//!
//! The hash, so that others can recompute it: lower-case hex of SHA-256 over the bytes
//! `caseway-audit-v1\n` followed by the compact JSON array
//! `[seq, reference, at, kind, [step, from_state, to_state, role, initials, reason, note],
//! data, prev_hash]`, where absent values are `null` and `data` is the stored JSON text of
//! the `data` column (object keys sorted, no spaces) as a JSON string. The first event of
//! a chain has `prev_hash` = 64 zeros.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::StoreError;

/// `prev_hash` of the first event of a chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Kind of the global event that records a new case (data: `reference`, `pack`).
pub const CASE_REGISTERED: &str = "case_registered";
/// Kind of the global event that records a purged case (data: `reference`, ...).
pub const CASE_PURGED: &str = "case_purged";

/// An event to append. `reference` is the case (or `None` for the global chain).
#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    pub reference: Option<&'a str>,
    pub at: chrono::DateTime<chrono::Utc>,
    pub kind: &'a str,
    pub step: Option<&'a str>,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub role: Option<&'a str>,
    pub initials: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub note: Option<&'a str>,
    /// Extra data as a JSON value (facts, record fields, pack keys, ...).
    pub data: serde_json::Value,
}

/// A stored event.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Event {
    pub seq: i64,
    pub reference: Option<String>,
    /// UTC, RFC 3339.
    pub at: String,
    pub kind: String,
    pub step: Option<String>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub role: Option<String>,
    pub initials: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub data: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl Event {
    /// The hash this event should carry, computed from its content and `prev_hash`.
    pub fn compute_hash(&self) -> String {
        hash_fields(
            self.seq,
            self.reference.as_deref(),
            &self.at,
            &self.kind,
            [
                self.step.as_deref(),
                self.from_state.as_deref(),
                self.to_state.as_deref(),
                self.role.as_deref(),
                self.initials.as_deref(),
                self.reason.as_deref(),
                self.note.as_deref(),
            ],
            &data_text(&self.data),
            &self.prev_hash,
        )
    }
}

fn data_text(data: &serde_json::Value) -> String {
    // serde_json keeps object keys sorted (no `preserve_order`), so this is canonical.
    data.to_string()
}

fn hash_fields(
    seq: i64,
    reference: Option<&str>,
    at: &str,
    kind: &str,
    rest: [Option<&str>; 7],
    data: &str,
    prev_hash: &str,
) -> String {
    let canonical = serde_json::json!([seq, reference, at, kind, rest, data, prev_hash]);
    let mut h = Sha256::new();
    h.update(b"caseway-audit-v1\n");
    h.update(canonical.to_string().as_bytes());
    hex(&h.finalize())
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The time format of every stored timestamp: RFC 3339 UTC with seconds.
pub fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn head(tx: &Transaction<'_>, reference: Option<&str>) -> Result<String, StoreError> {
    let h: Option<String> = match reference {
        Some(r) => tx
            .prepare_cached("SELECT head_hash FROM cases WHERE reference = ?1")?
            .query_row([r], |row| row.get(0))
            .optional()?,
        None => tx
            .query_row(
                "SELECT value FROM meta WHERE key = 'audit_head'",
                [],
                |row| row.get(0),
            )
            .optional()?,
    };
    Ok(h.unwrap_or_else(|| GENESIS_HASH.to_string()))
}

/// Appends an event to its chain and moves the chain's head. For a case event the case row
/// must exist.
pub fn append(tx: &Transaction<'_>, ev: &NewEvent<'_>) -> Result<Event, StoreError> {
    let prev_hash = head(tx, ev.reference)?;
    let last: Option<i64> = tx
        .prepare_cached("SELECT seq FROM sqlite_sequence WHERE name = 'events'")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let mut event = Event {
        seq: last.unwrap_or(0) + 1,
        reference: ev.reference.map(str::to_string),
        at: time_text(ev.at),
        kind: ev.kind.to_string(),
        step: ev.step.map(str::to_string),
        from_state: ev.from_state.map(str::to_string),
        to_state: ev.to_state.map(str::to_string),
        role: ev.role.map(str::to_string),
        initials: ev.initials.map(str::to_string),
        reason: ev.reason.map(str::to_string),
        note: ev.note.map(str::to_string),
        data: if ev.data.is_null() {
            serde_json::json!({})
        } else {
            ev.data.clone()
        },
        prev_hash,
        hash: String::new(),
    };
    event.hash = event.compute_hash();
    tx.prepare_cached(
        "INSERT INTO events (seq, reference, at, kind, step, from_state, to_state, role, initials,
                             reason, note, data, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        event.seq,
        event.reference,
        event.at,
        event.kind,
        event.step,
        event.from_state,
        event.to_state,
        event.role,
        event.initials,
        event.reason,
        event.note,
        data_text(&event.data),
        event.prev_hash,
        event.hash
    ])?;
    match ev.reference {
        Some(r) => {
            let n = tx
                .prepare_cached("UPDATE cases SET head_hash = ?1 WHERE reference = ?2")?
                .execute(params![event.hash, r])?;
            if n != 1 {
                return Err(StoreError::Sql(rusqlite::Error::QueryReturnedNoRows));
            }
        }
        None => {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('audit_head', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [&event.hash],
            )?;
        }
    }
    Ok(event)
}

const EVENT_COLUMNS: &str = "seq, reference, at, kind, step, from_state, to_state, role, initials, reason, note, data, prev_hash, hash";

fn event_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let data: String = r.get(11)?;
    Ok(Event {
        seq: r.get(0)?,
        reference: r.get(1)?,
        at: r.get(2)?,
        kind: r.get(3)?,
        step: r.get(4)?,
        from_state: r.get(5)?,
        to_state: r.get(6)?,
        role: r.get(7)?,
        initials: r.get(8)?,
        reason: r.get(9)?,
        note: r.get(10)?,
        // A data column that is not JSON is kept as a string, so verify sees the edit.
        data: serde_json::from_str(&data).unwrap_or(serde_json::Value::String(data)),
        prev_hash: r.get(12)?,
        hash: r.get(13)?,
    })
}

/// The events of one case (or of the global chain with `None`), oldest first.
pub fn events_of(tx: &Transaction<'_>, reference: Option<&str>) -> Result<Vec<Event>, StoreError> {
    let sql = match reference {
        Some(_) => format!("SELECT {EVENT_COLUMNS} FROM events WHERE reference = ?1 ORDER BY seq"),
        None => format!("SELECT {EVENT_COLUMNS} FROM events WHERE reference IS NULL ORDER BY seq"),
    };
    let mut stmt = tx.prepare(&sql)?;
    let rows = match reference {
        Some(r) => stmt.query_map([r], event_from_row)?,
        None => stmt.query_map([], event_from_row)?,
    };
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Where the audit chain is broken.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChainBreak {
    /// The first bad event (`None` when the problem is a missing tail of a chain).
    pub seq: Option<i64>,
    pub reference: Option<String>,
    pub problem: String,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let chain = self.reference.as_deref().unwrap_or("global chain");
        match self.seq {
            Some(seq) => write!(f, "event {seq} ({chain}): {}", self.problem),
            None => write!(f, "{chain}: {}", self.problem),
        }
    }
}

/// Summary of a verified audit trail.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ChainReport {
    pub events: u64,
    pub chains: u64,
    /// The first problem found, in event order; `None` when the whole trail is intact.
    pub first_break: Option<ChainBreak>,
}

/// Recomputes every chain and names the first event that does not match.
pub fn verify(tx: &Transaction<'_>) -> Result<ChainReport, StoreError> {
    let mut last: HashMap<Option<String>, String> = HashMap::new();
    let mut count = 0u64;
    let mut first_break = None;
    // Cases registered in the global chain, minus those purged: they must all exist.
    let mut registered: std::collections::BTreeSet<String> = Default::default();
    let mut stmt = tx.prepare(&format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq"))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let ev = event_from_row(row)?;
        count += 1;
        let expected_prev = last
            .get(&ev.reference)
            .cloned()
            .unwrap_or_else(|| GENESIS_HASH.to_string());
        let problem = if ev.compute_hash() != ev.hash {
            Some("its content does not match its hash: it was edited or damaged".to_string())
        } else if ev.prev_hash != expected_prev {
            Some(
                "it does not follow the event before it in its chain: an event was removed, inserted or reordered"
                    .to_string(),
            )
        } else {
            None
        };
        if let (Some(problem), None) = (problem, &first_break) {
            first_break = Some(ChainBreak {
                seq: Some(ev.seq),
                reference: ev.reference.clone(),
                problem,
            });
        }
        if ev.reference.is_none() {
            let named = ev.data.get("reference").and_then(|r| r.as_str());
            match (ev.kind.as_str(), named) {
                (CASE_REGISTERED, Some(r)) => {
                    registered.insert(r.to_string());
                }
                (CASE_PURGED, Some(r)) => {
                    registered.remove(r);
                }
                _ => {}
            }
        }
        last.insert(ev.reference, ev.hash);
    }
    drop(rows);
    drop(stmt);
    if first_break.is_none() {
        let mut stmt = tx.prepare("SELECT reference, head_hash FROM cases ORDER BY reference")?;
        let heads = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for h in heads {
            let (reference, head_hash) = h?;
            if !registered.remove(&reference) {
                first_break = Some(ChainBreak {
                    seq: None,
                    reference: Some(reference),
                    problem: "the case is not registered in the global chain: it was added outside Caseway".into(),
                });
                break;
            }
            let actual = last
                .get(&Some(reference.clone()))
                .cloned()
                .unwrap_or_else(|| GENESIS_HASH.to_string());
            if actual != head_hash {
                first_break = Some(ChainBreak {
                    seq: None,
                    reference: Some(reference),
                    problem:
                        "its last events are missing (the chain ends before the recorded head)"
                            .into(),
                });
                break;
            }
        }
    }
    if let (None, Some(missing)) = (&first_break, registered.iter().next()) {
        first_break = Some(ChainBreak {
            seq: None,
            reference: Some(missing.clone()),
            problem: "the case was removed without a purge record".into(),
        });
    }
    if first_break.is_none() {
        let global_head = head(tx, None)?;
        let actual = last
            .get(&None)
            .cloned()
            .unwrap_or_else(|| GENESIS_HASH.to_string());
        if actual != global_head {
            first_break = Some(ChainBreak {
                seq: None,
                reference: None,
                problem: "its last events are missing (the chain ends before the recorded head)"
                    .into(),
            });
        }
    }
    Ok(ChainReport {
        events: count,
        chains: last.len() as u64,
        first_break,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Event {
        Event {
            seq: 7,
            reference: Some("BH-2026-7F3K".into()),
            at: "2026-03-02T09:00:00Z".into(),
            kind: "step".into(),
            step: Some("register-report".into()),
            from_state: Some("todo".into()),
            to_state: Some("done".into()),
            role: Some("police".into()),
            initials: Some("KL".into()),
            reason: None,
            note: Some("ok".into()),
            data: serde_json::json!({"record": {"b": true, "a": 1}}),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        }
    }

    #[test]
    fn the_hash_of_an_event_is_frozen() {
        // Stored databases are verified with this exact serialisation: changing it breaks
        // every existing audit trail, so this value must never change.
        assert_eq!(sample().compute_hash(), FROZEN);
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = sample().compute_hash();
        type Edit = Box<dyn Fn(&mut Event)>;
        let edits: Vec<Edit> = vec![
            Box::new(|e| e.seq += 1),
            Box::new(|e| e.reference = None),
            Box::new(|e| e.at.push('x')),
            Box::new(|e| e.kind.push('x')),
            Box::new(|e| e.step = None),
            Box::new(|e| e.from_state = None),
            Box::new(|e| e.to_state = Some("blocked".into())),
            Box::new(|e| e.role = Some("coordinator".into())),
            Box::new(|e| e.initials = None),
            Box::new(|e| e.reason = Some("x".into())),
            Box::new(|e| e.note = None),
            Box::new(|e| e.data = serde_json::json!({})),
            Box::new(|e| e.prev_hash = "1".repeat(64)),
            // Moving text between neighbouring fields changes the hash too.
            Box::new(|e| {
                e.step = Some("register".into());
                e.from_state = Some("-reporttodo".into());
            }),
        ];
        for (i, edit) in edits.iter().enumerate() {
            let mut e = sample();
            edit(&mut e);
            assert_ne!(e.compute_hash(), base, "edit {i} is not detected");
        }
    }

    const FROZEN: &str = "0f5a1a83ee3dcbfcb90972dadf20f6fac7ef6c262466ba7bc389e1fcb8f67c93";
}
