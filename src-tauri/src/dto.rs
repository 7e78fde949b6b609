//! Data sent to and from the window. TypeScript types are generated from these (`cargo test`
//! writes `ui/src/lib/bindings/`), and `scripts/test` checks the committed copies are fresh.
//!
//! Engine views are converted here, with pack texts resolved in the language the UI asks for
//! (falling back to the pack's default language).

use std::collections::BTreeMap;

use caseway::case::{CaseSummary, CaseView, HistoryEntry, StepView};
use caseway::pack::{FactKind, FactValue, Pack, Text};
use caseway::store::{Event, PackRecord};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What the first screen shows about the app itself.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct AppInfo {
    /// The engine's version.
    pub engine_version: String,
    /// The database file in use (the training database in training mode).
    pub database: String,
    /// Training mode: fictional cases in a separate database.
    pub training: bool,
}

/// The answer to a fact: `true`, `"option"`, `["a", "b"]` or `3.5`.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum FactAnswer {
    Bool(bool),
    Choice(String),
    Multi(Vec<String>),
    Number(f64),
}

impl From<&FactValue> for FactAnswer {
    fn from(v: &FactValue) -> Self {
        match v {
            FactValue::Bool(b) => FactAnswer::Bool(*b),
            FactValue::Choice(c) => FactAnswer::Choice(c.clone()),
            FactValue::Multi(m) => FactAnswer::Multi(m.clone()),
            FactValue::Number(n) => FactAnswer::Number(*n),
        }
    }
}

impl From<FactAnswer> for FactValue {
    fn from(v: FactAnswer) -> Self {
        match v {
            FactAnswer::Bool(b) => FactValue::Bool(b),
            FactAnswer::Choice(c) => FactValue::Choice(c),
            FactAnswer::Multi(m) => FactValue::Multi(m),
            FactAnswer::Number(n) => FactValue::Number(n),
        }
    }
}

/// An id with its text in the UI language.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct Labelled {
    pub id: String,
    pub title: String,
}

/// A question asked when a case is opened.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct FactQuestion {
    pub id: String,
    /// `bool`, `choice`, `multi` or `number`.
    pub kind: String,
    pub question: String,
    pub options: Vec<Labelled>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ReferenceText {
    pub label: String,
    /// Shown as text, never fetched.
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct RecordFieldText {
    pub id: String,
    /// `bool`, `text`, `number`, `date` or `choice`.
    pub kind: String,
    pub label: String,
    pub options: Vec<Labelled>,
}

/// A step's texts in the UI language.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StepText {
    pub id: String,
    pub title: String,
    /// Markdown subset.
    pub guidance: Option<String>,
    pub references: Vec<ReferenceText>,
    pub record: Vec<RecordFieldText>,
    /// The applicability condition as written in the pack.
    pub condition: Option<String>,
    /// The deadline rule, e.g. `24h from opened`.
    pub deadline: Option<String>,
}

/// A pack version's structure and texts in the UI language.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PackOutline {
    pub key: String,
    pub id: String,
    pub version: String,
    pub title: String,
    pub summary: Option<String>,
    pub language: String,
    pub roles: Vec<Labelled>,
    pub phases: Vec<Labelled>,
    pub facts: Vec<FactQuestion>,
    pub steps: Vec<StepText>,
}

fn text(t: &Text, lang: &str, pack: &Pack) -> String {
    t.get(lang, &pack.default_language).to_string()
}

fn labelled<'a>(
    items: impl Iterator<Item = (&'a str, &'a Text)>,
    lang: &str,
    pack: &Pack,
) -> Vec<Labelled> {
    items
        .map(|(id, t)| Labelled {
            id: id.to_string(),
            title: text(t, lang, pack),
        })
        .collect()
}

impl PackOutline {
    pub fn of(pack: &Pack, lang: &str) -> Self {
        let language = if pack.languages.iter().any(|l| l == lang) {
            lang.to_string()
        } else {
            pack.default_language.clone()
        };
        let lang = language.as_str();
        PackOutline {
            key: pack.key(),
            id: pack.id.clone(),
            version: pack.version.to_string(),
            title: text(&pack.title, lang, pack),
            summary: pack.summary.as_ref().map(|s| text(s, lang, pack)),
            language: language.clone(),
            roles: labelled(
                pack.roles.iter().map(|r| (r.id.as_str(), &r.title)),
                lang,
                pack,
            ),
            phases: labelled(
                pack.phases.iter().map(|p| (p.id.as_str(), &p.title)),
                lang,
                pack,
            ),
            facts: pack
                .facts
                .iter()
                .map(|f| FactQuestion {
                    id: f.id.clone(),
                    kind: match f.kind {
                        FactKind::Bool => "bool",
                        FactKind::Choice => "choice",
                        FactKind::Multi => "multi",
                        FactKind::Number => "number",
                    }
                    .to_string(),
                    question: text(&f.question, lang, pack),
                    options: labelled(
                        f.options.iter().map(|o| (o.id.as_str(), &o.label)),
                        lang,
                        pack,
                    ),
                    min: f.min,
                    max: f.max,
                })
                .collect(),
            steps: pack
                .steps
                .iter()
                .map(|s| StepText {
                    id: s.id.clone(),
                    title: text(&s.title, lang, pack),
                    guidance: s.guidance.as_ref().map(|g| text(g, lang, pack)),
                    references: s
                        .references
                        .iter()
                        .map(|r| ReferenceText {
                            label: r.label.clone(),
                            url: r.url.clone(),
                        })
                        .collect(),
                    record: s
                        .record
                        .iter()
                        .map(|r| RecordFieldText {
                            id: r.id.clone(),
                            kind: r.kind.as_str().to_string(),
                            label: text(&r.label, lang, pack),
                            options: labelled(
                                r.options.iter().map(|o| (o.id.as_str(), &o.label)),
                                lang,
                                pack,
                            ),
                        })
                        .collect(),
                    condition: s.when.as_ref().map(|c| c.source().to_string()),
                    deadline: s
                        .due
                        .as_ref()
                        .map(|d| format!("{} from {}", d.within, d.from)),
                })
                .collect(),
        }
    }
}

/// An installed pack version.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PackSummary {
    pub key: String,
    pub id: String,
    pub version: String,
    /// `draft`, `active` or `retired`.
    pub status: String,
    pub title: String,
    pub publisher: Option<String>,
    /// The date the version takes effect (ISO 8601).
    pub effective: Option<String>,
    /// `shipped`, `signed` or `unsigned`.
    pub origin: String,
    pub signed_by: Option<String>,
    /// Open cases pinned to this version.
    pub open_cases: u32,
}

impl PackSummary {
    pub fn of(record: &PackRecord, pack: &Pack, lang: &str, open_cases: u32) -> Self {
        PackSummary {
            key: record.key.clone(),
            id: record.id.clone(),
            version: record.version.clone(),
            status: record.status.clone(),
            title: text(&pack.title, lang, pack),
            publisher: pack.publisher.clone(),
            effective: pack.effective.map(|d| d.to_string()),
            origin: record.origin.as_str().to_string(),
            signed_by: record.signed_by.clone(),
            open_cases,
        }
    }
}

/// The pack version a case is pinned to.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PackPin {
    pub key: String,
    pub id: String,
    pub version: String,
}

/// One event of the audit trail.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct TrailEntry {
    pub seq: i64,
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
}

impl From<&HistoryEntry> for TrailEntry {
    fn from(e: &HistoryEntry) -> Self {
        TrailEntry {
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

impl From<&Event> for TrailEntry {
    fn from(e: &Event) -> Self {
        TrailEntry::from(&HistoryEntry::from(e))
    }
}

/// A step of a case as the checklist shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CaseStep {
    pub id: String,
    pub phase: String,
    pub role: String,
    pub support: Vec<String>,
    /// `must`, `could` or `must-unless-documented`.
    pub required: String,
    /// `routine` or `urgent`.
    pub priority: String,
    pub applicable: bool,
    /// `todo`, `in_progress`, `done`, `not_applicable` or `blocked`.
    pub state: String,
    pub reason: Option<String>,
    /// UTC, RFC 3339.
    pub due: Option<String>,
    pub overdue: bool,
    pub due_soon: bool,
    /// Steps this one waits for.
    pub blocked_by: Vec<String>,
    #[ts(type = "Record<string, unknown>")]
    pub record: serde_json::Map<String, serde_json::Value>,
    pub changed_at: Option<String>,
    pub finished_at: Option<String>,
    pub notes: Vec<TrailEntry>,
    pub history: Vec<TrailEntry>,
}

impl From<&StepView> for CaseStep {
    fn from(s: &StepView) -> Self {
        CaseStep {
            id: s.id.clone(),
            phase: s.phase.clone(),
            role: s.role.clone(),
            support: s.support.clone(),
            required: s.required.clone(),
            priority: s.priority.clone(),
            applicable: s.applicable,
            state: s.state.as_str().to_string(),
            reason: s.reason.clone(),
            due: s.due.map(|d| d.to_rfc3339()),
            overdue: s.overdue,
            due_soon: s.due_soon,
            blocked_by: s.blocked_by.clone(),
            record: s.record.clone(),
            changed_at: s.changed_at.map(|d| d.to_rfc3339()),
            finished_at: s.finished_at.map(|d| d.to_rfc3339()),
            notes: s.notes.iter().map(TrailEntry::from).collect(),
            history: s.history.iter().map(TrailEntry::from).collect(),
        }
    }
}

/// Everything the case screen shows.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CaseDetail {
    pub reference: String,
    pub pack: PackPin,
    /// `open` or `closed`.
    pub status: String,
    pub label: Option<String>,
    pub training: bool,
    pub facts: BTreeMap<String, FactAnswer>,
    pub unanswered_facts: Vec<String>,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub steps: Vec<CaseStep>,
    pub archived_steps: Vec<String>,
}

impl From<&CaseView> for CaseDetail {
    fn from(c: &CaseView) -> Self {
        CaseDetail {
            reference: c.reference.clone(),
            pack: PackPin {
                key: c.pack.key.clone(),
                id: c.pack.id.clone(),
                version: c.pack.version.clone(),
            },
            status: c.status.as_str().to_string(),
            label: c.label.clone(),
            training: c.training,
            facts: c.facts.iter().map(|(k, v)| (k.clone(), v.into())).collect(),
            unanswered_facts: c.unanswered_facts.clone(),
            opened_at: c.opened_at.to_rfc3339(),
            closed_at: c.closed_at.map(|d| d.to_rfc3339()),
            steps: c.steps.iter().map(CaseStep::from).collect(),
            archived_steps: c.archived_steps.iter().map(|a| a.id.clone()).collect(),
        }
    }
}

/// One line of the case list.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CaseLine {
    pub reference: String,
    pub pack: PackPin,
    pub pack_title: String,
    pub status: String,
    pub label: Option<String>,
    pub training: bool,
    pub opened_at: String,
    pub applicable_steps: u32,
    pub finished_steps: u32,
    pub overdue_steps: u32,
    pub due_soon_steps: u32,
    pub next_due: Option<String>,
    /// Steps the acting role can act on now.
    pub my_open_steps: u32,
}

impl CaseLine {
    pub fn of(c: &CaseSummary, pack_title: String, role: Option<&str>) -> Self {
        CaseLine {
            reference: c.reference.clone(),
            pack: PackPin {
                key: c.pack.key.clone(),
                id: c.pack.id.clone(),
                version: c.pack.version.clone(),
            },
            pack_title,
            status: c.status.as_str().to_string(),
            label: c.label.clone(),
            training: c.training,
            opened_at: c.opened_at.to_rfc3339(),
            applicable_steps: c.applicable_steps,
            finished_steps: c.finished_steps,
            overdue_steps: c.overdue_steps,
            due_soon_steps: c.due_soon_steps,
            next_due: c.next_due.map(|d| d.to_rfc3339()),
            my_open_steps: match role {
                Some(r) => c.actionable_by_role.get(r).copied().unwrap_or(0),
                None => c.actionable_by_role.values().sum(),
            },
        }
    }
}

/// Who is acting in the window.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ActorInput {
    pub role: String,
    pub initials: Option<String>,
}

/// Which cases the list shows.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct CaseQuery {
    /// `open`, `closed` or `all`.
    pub status: String,
    pub overdue_only: bool,
    /// Only cases where `role` has steps to act on.
    pub mine_only: bool,
    /// The role acting in the window: its open steps are counted on each line.
    pub role: Option<String>,
    pub lang: String,
}

/// A case to open.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct NewCaseInput {
    /// `id@version`.
    pub pack: String,
    pub facts: BTreeMap<String, FactAnswer>,
    pub label: Option<String>,
    pub actor: ActorInput,
}

/// A change of one step.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StepChangeInput {
    pub reference: String,
    pub step: String,
    /// `todo`, `in_progress`, `done`, `not_applicable` or `blocked`.
    pub state: String,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub record: BTreeMap<String, String>,
    pub actor: ActorInput,
}

/// One finding in a pack file, as `caseway pack validate` reports it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PackDiagnostic {
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    pub message: String,
    pub hint: String,
    pub line: usize,
    pub column: usize,
    /// The source line the finding points at.
    pub source_line: String,
}

impl PackDiagnostic {
    pub fn of(d: &caseway::pack::Diagnostic, source: &str) -> Self {
        PackDiagnostic {
            code: d.code.to_string(),
            severity: d.severity.as_str().to_string(),
            message: d.message.clone(),
            hint: d.hint.clone(),
            line: d.line,
            column: d.column,
            source_line: source
                .lines()
                .nth(d.line.saturating_sub(1))
                .unwrap_or_default()
                .to_string(),
        }
    }
}

/// One changed field of an item.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct FieldDiff {
    pub field: String,
    pub old: String,
    pub new: String,
    pub affects_running_cases: bool,
}

/// An item present in both versions with changed fields.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ItemDiff {
    pub id: String,
    pub fields: Vec<FieldDiff>,
}

/// Added, removed and changed items of one kind.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ItemsDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<ItemDiff>,
}

fn field_diff(f: &caseway::pack::FieldChange) -> FieldDiff {
    FieldDiff {
        field: f.field.clone(),
        old: f.old.clone(),
        new: f.new.clone(),
        affects_running_cases: f.affects_running_cases,
    }
}

impl From<&caseway::pack::ItemChanges> for ItemsDiff {
    fn from(c: &caseway::pack::ItemChanges) -> Self {
        ItemsDiff {
            added: c.added.clone(),
            removed: c.removed.clone(),
            changed: c
                .changed
                .iter()
                .map(|ch| ItemDiff {
                    id: ch.id.clone(),
                    fields: ch.fields.iter().map(field_diff).collect(),
                })
                .collect(),
        }
    }
}

/// What changed between two versions of a pack.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PackChanges {
    pub old: String,
    pub new: String,
    pub pack: Vec<FieldDiff>,
    pub roles: ItemsDiff,
    pub phases: ItemsDiff,
    pub facts: ItemsDiff,
    pub steps: ItemsDiff,
    /// Plain statements of what migrating a running case changes.
    pub affects_running_cases: Vec<String>,
}

impl From<&caseway::pack::PackDiff> for PackChanges {
    fn from(d: &caseway::pack::PackDiff) -> Self {
        PackChanges {
            old: d.old.clone(),
            new: d.new.clone(),
            pack: d.pack.iter().map(field_diff).collect(),
            roles: (&d.roles).into(),
            phases: (&d.phases).into(),
            facts: (&d.facts).into(),
            steps: (&d.steps).into(),
            affects_running_cases: d.affects_running_cases.clone(),
        }
    }
}

/// A pack file chosen for import, before the coordinator confirms.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct PackInspectionView {
    pub file_name: String,
    pub valid: bool,
    pub errors: u32,
    pub warnings: u32,
    pub diagnostics: Vec<PackDiagnostic>,
    /// `trusted`, `unsigned` or `refused`.
    pub signature: String,
    /// The trusted key that signed it.
    pub signed_by: Option<String>,
    /// Why it cannot be used for real cases, if it cannot.
    pub signature_problem: Option<String>,
    pub outline: Option<PackOutline>,
    pub compared_with: Option<String>,
    pub changes: Option<PackChanges>,
    /// Same `id@version` installed: with the same content (true) or other content (false).
    pub already_installed: Option<bool>,
}

impl PackInspectionView {
    pub fn of(i: &caseway::case::PackInspection, source: &str, lang: &str) -> Self {
        use caseway::case::SignatureCheck;
        let errors = i.diagnostics.iter().filter(|d| d.is_error()).count() as u32;
        PackInspectionView {
            file_name: i.file_name.clone(),
            valid: i.is_valid(),
            errors,
            warnings: i.diagnostics.len() as u32 - errors,
            diagnostics: i
                .diagnostics
                .iter()
                .map(|d| PackDiagnostic::of(d, source))
                .collect(),
            signature: match &i.signature {
                SignatureCheck::Trusted { .. } => "trusted",
                SignatureCheck::Unsigned => "unsigned",
                SignatureCheck::Refused { .. } => "refused",
            }
            .to_string(),
            signed_by: match &i.signature {
                SignatureCheck::Trusted { key_id } => Some(key_id.clone()),
                _ => None,
            },
            signature_problem: i.signature.problem(),
            outline: i.pack.as_ref().map(|p| PackOutline::of(p, lang)),
            compared_with: i.compared_with.clone(),
            changes: i.diff.as_ref().map(PackChanges::from),
            already_installed: i.already_installed,
        }
    }
}

/// A trusted signing key.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct SigningKey {
    pub key_id: String,
    pub comment: String,
    pub added_at: String,
}

impl From<&caseway::store::TrustedKey> for SigningKey {
    fn from(k: &caseway::store::TrustedKey) -> Self {
        SigningKey {
            key_id: k.key_id.clone(),
            comment: k.comment.clone(),
            added_at: k.added_at.clone(),
        }
    }
}

/// What moving a case to another version of its pack does.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct MigrationPlan {
    pub reference: String,
    pub from: String,
    pub to: String,
    pub kept: Vec<String>,
    pub changed: Vec<ItemChangeNames>,
    pub added: Vec<String>,
    pub archived: Vec<String>,
    pub dropped_facts: Vec<String>,
}

/// A kept step whose definition changed, with the names of the changed fields.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ItemChangeNames {
    pub id: String,
    pub fields: Vec<String>,
}

impl From<&caseway::case::MigrationPreview> for MigrationPlan {
    fn from(m: &caseway::case::MigrationPreview) -> Self {
        MigrationPlan {
            reference: m.reference.clone(),
            from: m.from.clone(),
            to: m.to.clone(),
            kept: m.kept.clone(),
            changed: m
                .changed
                .iter()
                .map(|c| ItemChangeNames {
                    id: c.id.clone(),
                    fields: c.fields.clone(),
                })
                .collect(),
            added: m.added.clone(),
            archived: m.archived.clone(),
            dropped_facts: m.dropped_facts.clone(),
        }
    }
}

/// A shipped training scenario.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ScenarioSummary {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub pack: String,
    pub beats: usize,
}

/// The current beat of a walkthrough, with the case as it stands at that beat.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct WalkthroughView {
    pub scenario_id: String,
    pub title: String,
    /// Beats applied so far: 0 (the case just opened) to `beats`.
    pub position: usize,
    pub beats: usize,
    pub note: String,
    pub highlight: Option<String>,
    /// The time of the beat, UTC RFC 3339.
    pub clock: String,
    pub at_hours: u32,
    pub case: CaseDetail,
}

impl From<&caseway::training::BeatView> for WalkthroughView {
    fn from(b: &caseway::training::BeatView) -> Self {
        WalkthroughView {
            scenario_id: b.scenario_id.clone(),
            title: b.title.clone(),
            position: b.position,
            beats: b.beats,
            note: b.note.clone(),
            highlight: b.highlight.clone(),
            clock: b.clock.to_rfc3339(),
            at_hours: b.at_hours,
            case: CaseDetail::from(&b.case),
        }
    }
}

/// One row of a statistics table: pack version, period, and the cells as shown (`<k`, `x`).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StatsRowView {
    pub pack: String,
    pub period: String,
    pub cells: Vec<String>,
}

/// One statistics table.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StatsTableView {
    pub id: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<StatsRowView>,
}

/// The anonymised statistics an export would contain.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StatsPreview {
    #[ts(type = "number")]
    pub k: u64,
    pub tables: Vec<StatsTableView>,
}

impl From<&caseway::privacy::stats::StatsReport> for StatsPreview {
    fn from(r: &caseway::privacy::stats::StatsReport) -> Self {
        StatsPreview {
            k: r.k,
            tables: r
                .tables
                .iter()
                .map(|t| StatsTableView {
                    id: t.id.clone(),
                    title: t.title.clone(),
                    columns: t.columns.clone(),
                    rows: t
                        .rows
                        .iter()
                        .map(|row| StatsRowView {
                            pack: row.pack.clone(),
                            period: row.period.clone(),
                            cells: row.cells.iter().map(|c| c.to_string()).collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// What to export.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct StatsQuery {
    /// First and last opening day, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    #[ts(type = "number")]
    pub k: u64,
    /// `month` or `quarter`.
    pub period: String,
}
