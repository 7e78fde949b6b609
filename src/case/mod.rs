//! The case engine: cases pinned to a protocol version, the state of every step, deadlines,
//! next actions per role, the audit trail, migration to a newer pack version, closing,
//! retention and the checks of the database.
//!
//! Everything goes through [`Engine`], which owns the [`Store`](crate::store::Store). Every
//! function that depends on the time takes `now` as a parameter: the caller owns the clock.
//! Results are plain serialisable structs ([`CaseView`], [`CaseSummary`], ...), so the
//! desktop app can send them to its front end as JSON.

mod engine;
mod inspect;
mod state;
mod stats;
mod view;

pub use engine::{
    Actor, CaseFilter, CheckReport, Engine, FactsChange, ImportOutcome, MigrationPreview, NewCase,
    PurgeItem, StepChangeRequest, StepDefinitionChange,
};
pub use inspect::{check_signature, PackInspection, SignatureCheck};
pub use state::{CaseStatus, StepState};
pub use view::{ArchivedStep, CaseSummary, CaseView, HistoryEntry, NextAction, PackRef, StepView};

use crate::store::StoreError;

/// How long before its deadline a step counts as "due soon".
pub const DUE_SOON_HOURS: i64 = 24;

/// The role that may change every step, whatever its owner.
pub const COORDINATOR: &str = "coordinator";

/// Errors of the case engine. [`CaseError::is_refusal`] tells a refused or invalid request
/// (exit code 1) from a storage or I/O failure (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no case {0}; list the cases with `caseway case list`")]
    NoCase(String),
    #[error("no pack {0} in the database; list them with `caseway pack list`")]
    NoPack(String),
    #[error("no active version of pack {0}; give ID@VERSION or activate one with `caseway pack activate`")]
    NoActiveVersion(String),
    #[error("pack {0} is retired: new cases and migrations cannot use it; activate it first or choose another version")]
    PackRetired(String),
    #[error("the stored pack {key} no longer validates: {detail}")]
    StoredPackInvalid { key: String, detail: String },
    #[error("pack {key} is invalid: {detail}")]
    InvalidPack { key: String, detail: String },
    #[error("pack {0} is already in the database with different content; a pack version is immutable: give the changed pack a new version")]
    PackConflict(String),
    #[error("{0}")]
    Signature(String),
    #[error("invalid signing key: {0}; give a minisign public key file or its base64 line (starts with RW)")]
    InvalidKey(String),
    #[error("no trusted key {0}; list them with `caseway keys list`")]
    NoKey(String),
    #[error("pack {pack} has no step {step}")]
    NoStep { pack: String, step: String },
    #[error("pack {pack} has no role {role}; its roles are: {roles}")]
    NoRole {
        pack: String,
        role: String,
        roles: String,
    },
    #[error("pack {pack} has no fact {fact}; its facts are: {facts}")]
    NoFact {
        pack: String,
        fact: String,
        facts: String,
    },
    #[error("invalid value for fact {fact}: {message}")]
    InvalidFact { fact: String, message: String },
    #[error("step {step} belongs to role {owner}: only {owner} or the coordinator may change it, not {role}")]
    WrongRole {
        step: String,
        owner: String,
        role: String,
    },
    #[error("step {step} does not apply to case {reference} (condition `{condition}` is false for its facts); change the facts if this is wrong")]
    NotApplicable {
        reference: String,
        step: String,
        condition: String,
    },
    #[error("a reason is required to mark step {step} as {state}; pass --reason TEXT")]
    ReasonRequired { step: String, state: &'static str },
    #[error("a reason is required to {action} a case; pass --reason TEXT")]
    CaseReasonRequired { action: &'static str },
    #[error("step {step} cannot be finished before: {waiting}; finish those first or mark them not applicable")]
    Waiting { step: String, waiting: String },
    #[error("step {step} is already {state}; nothing to change")]
    Unchanged { step: String, state: &'static str },
    #[error("case {0} is closed; reopen it first with `caseway case reopen`")]
    Closed(String),
    #[error("case {0} is already open")]
    AlreadyOpen(String),
    #[error("step {step} has no record field {field}; its fields are: {fields}")]
    NoRecordField {
        step: String,
        field: String,
        fields: String,
    },
    #[error("invalid value for record field {field}: {message}")]
    InvalidRecord { field: String, message: String },
    #[error(transparent)]
    Pii(#[from] crate::privacy::PiiError),
    #[error("invalid staff initials `{0}`: give 1 to 5 letters or digits")]
    InvalidInitials(String),
    #[error("unknown state `{0}`; use todo, in-progress, done, na or blocked")]
    UnknownState(String),
    #[error("case {reference} cannot move to {to}: {why}")]
    Migration {
        reference: String,
        to: String,
        why: String,
    },
    #[error("stored data of case {reference} cannot be read ({detail}); run `caseway db check`")]
    Damaged { reference: String, detail: String },
    #[error("case {0} has no step change left to undo")]
    NothingToUndo(String),
    #[error("could not generate a unique case reference; try again")]
    NoReference,
    #[error("statistics export refused: {0}")]
    Stats(#[from] crate::privacy::stats::StatsError),
    #[error("{0} is the training database: its cases are fictional and are not exported; export from the real database")]
    TrainingStats(std::path::PathBuf),
}

impl CaseError {
    /// True for a refused or invalid request (exit code 1); false for a storage or I/O
    /// failure (exit code 2).
    pub fn is_refusal(&self) -> bool {
        !matches!(
            self,
            CaseError::Store(_)
                | CaseError::Damaged { .. }
                | CaseError::NoReference
                | CaseError::StoredPackInvalid { .. }
        )
    }
}

impl From<rusqlite::Error> for CaseError {
    fn from(e: rusqlite::Error) -> Self {
        CaseError::Store(StoreError::from(e))
    }
}
