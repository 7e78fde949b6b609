//! What a case looks like at a given time: the derived view of every step (applicability,
//! state, deadline, what it waits for) and the next actions per role.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::pack::{Anchor, FactValue, Facts, Pack, Priority};
use crate::store::Event;

use super::{CaseStatus, StepState, DUE_SOON_HOURS};

/// The pack version a case is pinned to.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PackRef {
    pub id: String,
    pub version: String,
    /// `id@version`.
    pub key: String,
    /// Title in the pack's default language.
    pub title: String,
}

impl PackRef {
    pub(crate) fn of(pack: &Pack) -> PackRef {
        PackRef {
            id: pack.id.clone(),
            version: pack.version.to_string(),
            key: pack.key(),
            title: pack
                .title
                .get(&pack.default_language, &pack.default_language)
                .to_string(),
        }
    }
}

/// One audit event as shown in a step's history or a case's timeline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HistoryEntry {
    pub seq: i64,
    pub at: String,
    pub kind: String,
    pub step: Option<String>,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub role: Option<String>,
    pub initials: Option<String>,
    pub reason: Option<String>,
    pub note: Option<String>,
}

impl From<&Event> for HistoryEntry {
    fn from(e: &Event) -> Self {
        HistoryEntry {
            seq: e.seq,
            at: e.at.clone(),
            kind: e.kind.clone(),
            step: e.step.clone(),
            from_state: e.from_state.clone(),
            to_state: e.to_state.clone(),
            role: e.role.clone(),
            initials: e.initials.clone(),
            reason: e.reason.clone(),
            note: e.note.clone(),
        }
    }
}

/// A step of a case, derived from the pack, the facts, the stored state and the clock.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StepView {
    pub id: String,
    /// Title in the pack's default language.
    pub title: String,
    pub phase: String,
    /// The owning role.
    pub role: String,
    pub support: Vec<String>,
    /// `must`, `could` or `must-unless-documented`.
    pub required: String,
    /// `routine` or `urgent`.
    pub priority: String,
    /// False when the step's `when` condition is false for the case's facts.
    pub applicable: bool,
    /// `not_applicable` for a step that does not apply by protocol.
    pub state: StepState,
    pub reason: Option<String>,
    /// The deadline (UTC); `None` when the step has none or its anchor has not happened.
    pub due: Option<DateTime<Utc>>,
    /// Applicable, unfinished, the case open, and the deadline passed.
    pub overdue: bool,
    /// Applicable, unfinished, the case open, and due within [`DUE_SOON_HOURS`].
    pub due_soon: bool,
    /// The `after` steps that still have to be finished before this one can be.
    pub blocked_by: Vec<String>,
    /// Values of the step's `record` fields.
    pub record: serde_json::Map<String, serde_json::Value>,
    pub changed_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Notes written on the step, oldest first (filled by [`super::Engine::case_view`]).
    pub notes: Vec<HistoryEntry>,
    /// Every event about the step, oldest first (filled by [`super::Engine::case_view`]).
    pub history: Vec<HistoryEntry>,
}

/// A step the case had under an earlier pack version, kept with its history after migration.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ArchivedStep {
    pub id: String,
    pub state: StepState,
    pub reason: Option<String>,
    pub record: serde_json::Map<String, serde_json::Value>,
    /// The pack version (`id@version`) the step belonged to.
    pub archived_from: String,
    pub history: Vec<HistoryEntry>,
}

/// A step a role can act on now: applicable, not finished, not blocked, nothing to wait for.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct NextAction {
    pub reference: String,
    pub step: String,
    pub title: String,
    pub role: String,
    pub state: StepState,
    pub priority: String,
    pub due: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub due_soon: bool,
}

/// Everything about one case.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseView {
    pub reference: String,
    pub pack: PackRef,
    pub status: CaseStatus,
    pub label: Option<String>,
    /// Opened on a pack imported without a valid signature: for training only.
    pub training: bool,
    pub facts: Facts,
    /// Facts of the pack the case has not answered yet.
    pub unanswered_facts: Vec<String>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Every step of the pack, in pack order.
    pub steps: Vec<StepView>,
    pub archived_steps: Vec<ArchivedStep>,
    /// Owning role -> the steps it can act on now, most pressing first.
    pub next_actions: BTreeMap<String, Vec<NextAction>>,
}

/// One line of the case list.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CaseSummary {
    pub reference: String,
    pub pack: PackRef,
    pub status: CaseStatus,
    pub label: Option<String>,
    pub training: bool,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub applicable_steps: u32,
    pub finished_steps: u32,
    pub overdue_steps: u32,
    pub due_soon_steps: u32,
    /// The earliest deadline among unfinished applicable steps.
    pub next_due: Option<DateTime<Utc>>,
    /// The steps that can be acted on now (for the role asked, or all roles), most pressing
    /// first; empty when the list was asked for counts only.
    pub next_actions: Vec<NextAction>,
    /// Owning role -> how many of its steps can be acted on now.
    pub actionable_by_role: BTreeMap<String, u32>,
}

/// A case row as stored.
#[derive(Debug, Clone)]
pub(crate) struct CaseRow {
    pub reference: String,
    pub pack_key: String,
    pub status: CaseStatus,
    pub label: Option<String>,
    pub facts: Facts,
    pub training: bool,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A step row as stored (a step without a row is `todo`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StepRow {
    pub state: StepState,
    pub reason: Option<String>,
    pub record: serde_json::Map<String, serde_json::Value>,
    pub changed_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub archived_from: Option<String>,
}

impl StepRow {
    pub(crate) fn todo() -> StepRow {
        StepRow {
            state: StepState::Todo,
            reason: None,
            record: serde_json::Map::new(),
            changed_at: None,
            finished_at: None,
            archived_from: None,
        }
    }
}

/// The deadline of step `i`, if its anchor has happened.
fn due_of(
    index: &StepIndex,
    step: &crate::pack::Step,
    i: usize,
    case: &CaseRow,
    applies: &[bool],
    recorded: &[Option<&StepRow>],
) -> Option<DateTime<Utc>> {
    let due = step.due.as_ref()?;
    let start = match &due.from {
        Anchor::Opened => case.opened_at,
        Anchor::Step(_) => {
            let other = index.anchor[i]?;
            let row = recorded[other]?;
            if !applies[other] || !row.state.is_finished() {
                return None;
            }
            row.finished_at?
        }
        Anchor::Fact(fact) => match case.facts.get(fact) {
            Some(FactValue::Number(hours)) if hours.is_finite() => {
                let ms = (hours * 3_600_000.0).round();
                if ms.abs() > 1e15 {
                    return None;
                }
                case.opened_at - Duration::milliseconds(ms as i64)
            }
            _ => return None,
        },
    };
    Some(due.within.add_to(start))
}

/// A pack's steps by position: where each step's `after` steps and deadline anchor are, and
/// the position of each step id. Built once per pack when many cases are computed (the case
/// list), so each case costs lookups by position rather than searches by id.
pub(crate) struct StepIndex {
    position: HashMap<String, usize>,
    after: Vec<Vec<usize>>,
    anchor: Vec<Option<usize>>,
}

impl StepIndex {
    pub(crate) fn of(pack: &Pack) -> StepIndex {
        let position: HashMap<String, usize> = pack
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let at = |id: &str| position.get(id).copied();
        let after = pack
            .steps
            .iter()
            .map(|s| s.after.iter().filter_map(|d| at(d)).collect())
            .collect();
        let anchor = pack
            .steps
            .iter()
            .map(|s| match s.due.as_ref().map(|d| &d.from) {
                Some(Anchor::Step(other)) => at(other),
                _ => None,
            })
            .collect();
        StepIndex {
            position,
            after,
            anchor,
        }
    }

    /// Each step's row, in pack order (rows of steps the pack no longer has are left out).
    fn recorded<'r>(
        &self,
        steps: usize,
        rows: &'r HashMap<String, StepRow>,
    ) -> Vec<Option<&'r StepRow>> {
        let mut recorded = vec![None; steps];
        for (id, row) in rows {
            if let Some(&i) = self.position.get(id) {
                recorded[i] = Some(row);
            }
        }
        recorded
    }
}

/// What the list and the full view both need about a step, without allocating.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Core {
    pub applicable: bool,
    /// `not_applicable` for a step that does not apply by protocol.
    pub state: StepState,
    pub due: Option<DateTime<Utc>>,
    pub overdue: bool,
    pub due_soon: bool,
    /// Some `after` step is still unfinished.
    pub waiting: bool,
}

impl Core {
    /// Applicable, todo or in progress, nothing to wait for.
    pub fn actionable(&self) -> bool {
        self.applicable
            && matches!(self.state, StepState::Todo | StepState::InProgress)
            && !self.waiting
    }
}

/// Whether each step applies, in pack order.
fn applicability(pack: &Pack, facts: &Facts) -> Vec<bool> {
    pack.steps.iter().map(|s| s.applies(facts)).collect()
}

/// Whether step `j` is finished for the purpose of `after`: done, not applicable, or not
/// applicable by protocol.
fn finished(applies: &[bool], recorded: &[Option<&StepRow>], j: usize) -> bool {
    !applies[j] || recorded[j].is_some_and(|r| r.state.is_finished())
}

/// The core of every step of the case's pack, in pack order; `index` is the pack's, built
/// once by a caller that computes many cases.
pub(crate) fn cores(
    pack: &Pack,
    index: &StepIndex,
    case: &CaseRow,
    rows: &HashMap<String, StepRow>,
    now: DateTime<Utc>,
) -> Vec<Core> {
    let applies = applicability(pack, &case.facts);
    let recorded = index.recorded(pack.steps.len(), rows);
    let open = case.status == CaseStatus::Open;
    let soon = now + Duration::hours(DUE_SOON_HOURS);
    pack.steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let applicable = applies[i];
            let state = if applicable {
                recorded[i].map_or(StepState::Todo, |r| r.state)
            } else {
                StepState::NotApplicable
            };
            let due = due_of(index, step, i, case, &applies, &recorded);
            let pending = applicable && !state.is_finished() && open;
            let overdue = pending && due.is_some_and(|d| d < now);
            let due_soon = pending && due.is_some_and(|d| d >= now && d < soon);
            let waiting = applicable
                && !state.is_finished()
                && index.after[i]
                    .iter()
                    .any(|&j| !finished(&applies, &recorded, j));
            Core {
                applicable,
                state,
                due,
                overdue,
                due_soon,
                waiting,
            }
        })
        .collect()
}

/// The derived view of every step of the case's pack (history and notes left empty).
pub(crate) fn step_views(
    pack: &Pack,
    case: &CaseRow,
    rows: &HashMap<String, StepRow>,
    now: DateTime<Utc>,
) -> (Vec<Core>, Vec<StepView>) {
    let index = StepIndex::of(pack);
    let cores = cores(pack, &index, case, rows, now);
    let applies: Vec<bool> = cores.iter().map(|c| c.applicable).collect();
    let recorded = index.recorded(pack.steps.len(), rows);
    let lang = pack.default_language.as_str();
    let views = pack
        .steps
        .iter()
        .zip(&cores)
        .enumerate()
        .map(|(i, (step, core))| {
            let row = recorded[i];
            let blocked_by = if core.waiting {
                index.after[i]
                    .iter()
                    .filter(|&&j| !finished(&applies, &recorded, j))
                    .map(|&j| pack.steps[j].id.clone())
                    .collect()
            } else {
                Vec::new()
            };
            StepView {
                id: step.id.clone(),
                title: step.title.get(lang, lang).to_string(),
                phase: step.phase.clone(),
                role: step.role.clone(),
                support: step.support.clone(),
                required: step.required.as_str().to_string(),
                priority: step.priority.as_str().to_string(),
                applicable: core.applicable,
                state: core.state,
                reason: row
                    .filter(|_| core.applicable)
                    .and_then(|r| r.reason.clone()),
                due: core.due,
                overdue: core.overdue,
                due_soon: core.due_soon,
                blocked_by,
                record: row.map(|r| r.record.clone()).unwrap_or_default(),
                changed_at: row.and_then(|r| r.changed_at),
                finished_at: row.and_then(|r| r.finished_at),
                notes: Vec::new(),
                history: Vec::new(),
            }
        })
        .collect();
    (cores, views)
}

/// The steps that can be acted on now (of `role` only, if given), most pressing first.
pub(crate) fn next_actions(
    reference: &str,
    pack: &Pack,
    cores: &[Core],
    open: bool,
    role: Option<&str>,
) -> Vec<NextAction> {
    if !open {
        return Vec::new();
    }
    let mut picked: Vec<(usize, &crate::pack::Step, &Core)> = pack
        .steps
        .iter()
        .zip(cores)
        .enumerate()
        .filter(|(_, (s, c))| c.actionable() && role.is_none_or(|r| s.role == r))
        .map(|(i, (s, c))| (i, s, c))
        .collect();
    picked.sort_by(|(ia, sa, a), (ib, sb, b)| {
        b.overdue
            .cmp(&a.overdue)
            .then_with(|| match (a.due, b.due) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .then_with(|| {
                let urgent = |s: &crate::pack::Step| s.priority == Priority::Urgent;
                urgent(sb).cmp(&urgent(sa))
            })
            .then_with(|| ia.cmp(ib))
    });
    let lang = pack.default_language.as_str();
    picked
        .into_iter()
        .map(|(_, s, c)| NextAction {
            reference: reference.to_string(),
            step: s.id.clone(),
            title: s.title.get(lang, lang).to_string(),
            role: s.role.clone(),
            state: c.state,
            priority: s.priority.as_str().to_string(),
            due: c.due,
            overdue: c.overdue,
            due_soon: c.due_soon,
        })
        .collect()
}
