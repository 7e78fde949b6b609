//! The feed of the anonymised statistics: the cases of the database as
//! [`StatsCase`] records (categories and dates only) and the export built from them by
//! [`crate::privacy::stats::aggregate`].
//!
//! Only what the statistics need is read: the pack key, the opening time, the facts, and
//! per step its state and the time it was finished. Labels, notes, reasons and record
//! values are never read here. Cases opened on a pack imported without a valid signature
//! (`training`) are left out: they are not real cases.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::OptionalExtension;

use crate::pack::{FactKind, Milestone, Pack};
use crate::privacy::stats::{
    self, categorical_facts, Milestones, StatsCase, StatsOptions, StatsReport, StatsStep,
};

use super::view::{self, CaseRow, StepRow};
use super::{CaseError, CaseStatus, Engine, StepState};

/// A case row with only the columns the statistics may use.
struct Row {
    reference: String,
    pack_key: String,
    status: String,
    facts: String,
    opened_at: String,
}

/// A step row with only the columns the statistics may use.
struct StepCols {
    reference: String,
    step: String,
    state: String,
    finished_at: Option<String>,
    archived_from: Option<String>,
}

fn damaged(reference: &str, detail: impl std::fmt::Display) -> CaseError {
    CaseError::Damaged {
        reference: reference.to_string(),
        detail: detail.to_string(),
    }
}

fn time(reference: &str, s: &str) -> Result<DateTime<Utc>, CaseError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| damaged(reference, format!("time `{s}`: {e}")))
}

/// The record of one case: its applicable steps (those not marked not applicable) with
/// their deadlines and the time they were done, and when it reached each milestone (the
/// milestone step of its pack done).
fn stats_case(
    pack: &Pack,
    index: &view::StepIndex,
    case: &CaseRow,
    rows: &HashMap<String, StepRow>,
) -> StatsCase {
    // `now` only decides overdue flags, which the statistics do not use.
    let cores = view::cores(pack, index, case, rows, case.opened_at);
    let done_at = |i: usize| -> Option<DateTime<Utc>> {
        let core = &cores[i];
        if core.applicable && core.state == StepState::Done {
            rows.get(&pack.steps[i].id).and_then(|r| r.finished_at)
        } else {
            None
        }
    };
    let steps = pack
        .steps
        .iter()
        .zip(&cores)
        .enumerate()
        .filter(|(_, (_, c))| c.applicable && c.state != StepState::NotApplicable)
        .map(|(i, (s, c))| StatsStep {
            role: s.role.clone(),
            due: c.due,
            done_at: done_at(i),
        })
        .collect();
    let reached = |m: Milestone| {
        pack.steps
            .iter()
            .position(|s| s.milestone == Some(m))
            .and_then(done_at)
    };
    StatsCase {
        pack: case.pack_key.clone(),
        opened_at: case.opened_at,
        facts: categorical_facts(&case.facts),
        steps,
        milestones: Milestones {
            forensic_interview: reached(Milestone::ForensicInterview),
            medical_examination: reached(Milestone::MedicalExamination),
            therapy_start: reached(Milestone::TherapyStart),
        },
    }
}

impl Engine {
    /// The real (not training) cases opened from `from` to `to` (inclusive, UTC dates),
    /// as records for [`crate::privacy::stats::aggregate`], oldest first. Holds no
    /// reference, label, note, reason or record value. Refused on the training database
    /// ([`CaseError::TrainingStats`]).
    pub fn stats_cases(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<StatsCase>, CaseError> {
        let (cases, steps) = self.store().read(|tx| {
            let marker: Option<String> = tx
                .query_row(
                    "SELECT value FROM meta WHERE key = ?1",
                    [crate::training::MARKER_KEY],
                    |r| r.get(0),
                )
                .optional()?;
            if marker.as_deref() == Some(crate::training::MARKER_VALUE) {
                return Err(CaseError::TrainingStats(self.store().path().to_path_buf()));
            }
            let mut stmt = tx.prepare(
                "SELECT reference, pack_key, status, facts, opened_at FROM cases
                 WHERE training = 0 ORDER BY opened_at, reference",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(Row {
                    reference: r.get(0)?,
                    pack_key: r.get(1)?,
                    status: r.get(2)?,
                    facts: r.get(3)?,
                    opened_at: r.get(4)?,
                })
            })?;
            let mut cases = Vec::new();
            for row in rows {
                let row = row?;
                let opened_at = time(&row.reference, &row.opened_at)?;
                let day = opened_at.date_naive();
                if day >= from && day <= to {
                    cases.push((row, opened_at));
                }
            }
            let wanted: BTreeSet<&str> = cases.iter().map(|(c, _)| c.reference.as_str()).collect();
            let mut stmt = tx.prepare(
                "SELECT s.reference, s.step, s.state, s.finished_at, s.archived_from
                 FROM steps s JOIN cases c ON c.reference = s.reference WHERE c.training = 0",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(StepCols {
                    reference: r.get(0)?,
                    step: r.get(1)?,
                    state: r.get(2)?,
                    finished_at: r.get(3)?,
                    archived_from: r.get(4)?,
                })
            })?;
            let mut steps: HashMap<String, HashMap<String, StepRow>> = HashMap::new();
            for row in rows {
                let row = row?;
                if !wanted.contains(row.reference.as_str()) {
                    continue;
                }
                let state = StepState::parse(&row.state)
                    .map_err(|_| damaged(&row.reference, format!("step state `{}`", row.state)))?;
                let finished_at = match &row.finished_at {
                    Some(t) => Some(time(&row.reference, t)?),
                    None => None,
                };
                let step_row = StepRow {
                    state,
                    reason: None,
                    record: serde_json::Map::new(),
                    changed_at: None,
                    finished_at,
                    archived_from: row.archived_from,
                };
                steps
                    .entry(row.reference)
                    .or_default()
                    .insert(row.step, step_row);
            }
            Ok::<_, CaseError>((cases, steps))
        })?;
        let empty = HashMap::new();
        // Each pack is read and its steps indexed once, for all of its cases.
        let mut packs: HashMap<String, (Arc<Pack>, view::StepIndex)> = HashMap::new();
        let mut out = Vec::with_capacity(cases.len());
        for (row, opened_at) in cases {
            if !packs.contains_key(&row.pack_key) {
                let p = self.pack(&row.pack_key)?;
                let index = view::StepIndex::of(&p);
                packs.insert(row.pack_key.clone(), (p, index));
            }
            let (pack, index) = &packs[&row.pack_key];
            let status = CaseStatus::parse(&row.status)
                .ok_or_else(|| damaged(&row.reference, format!("status `{}`", row.status)))?;
            let facts = serde_json::from_str(&row.facts)
                .map_err(|e| damaged(&row.reference, format!("facts: {e}")))?;
            let case = CaseRow {
                reference: row.reference,
                pack_key: row.pack_key,
                status,
                label: None,
                facts,
                training: false,
                opened_at,
                closed_at: None,
            };
            let rows = steps.get(&case.reference).unwrap_or(&empty);
            out.push(stats_case(pack, index, &case, rows));
        }
        Ok(out)
    }

    /// The anonymised statistics of the real cases opened from `options.from` to
    /// `options.to` (see [`crate::privacy::stats`]). A breakdown listed with no `values`
    /// gets the options of its fact from the packs of those cases as columns (so every
    /// category shows, also with no case), and a fact that is a multiple choice in one of
    /// those packs is counted as one. Refused (exit code 1) for k = 0 or `from` after `to`.
    pub fn stats_export(&self, options: &StatsOptions) -> Result<StatsReport, CaseError> {
        if options.from > options.to || options.k == 0 {
            // The same refusal as the aggregation's, without reading the database.
            return Ok(stats::aggregate(&[], options)?);
        }
        let cases = self.stats_cases(options.from, options.to)?;
        let mut keys: Vec<&str> = cases.iter().map(|c| c.pack.as_str()).collect();
        keys.sort_unstable();
        keys.dedup();
        let packs = keys
            .iter()
            .map(|k| self.pack(k))
            .collect::<Result<Vec<_>, _>>()?;
        let mut options = options.clone();
        for b in &mut options.breakdowns {
            let facts: Vec<_> = packs.iter().filter_map(|p| p.fact(&b.fact)).collect();
            if facts.iter().any(|f| f.kind == FactKind::Multi) {
                b.multi = true;
            }
            if b.values.is_empty() {
                for f in facts {
                    let labels: Vec<String> = match f.kind {
                        FactKind::Bool => vec!["yes".into(), "no".into()],
                        FactKind::Choice | FactKind::Multi => {
                            f.options.iter().map(|o| o.id.clone()).collect()
                        }
                        FactKind::Number => Vec::new(),
                    };
                    for l in labels {
                        if !b.values.contains(&l) {
                            b.values.push(l);
                        }
                    }
                }
            }
        }
        Ok(stats::aggregate(&cases, &options)?)
    }
}
