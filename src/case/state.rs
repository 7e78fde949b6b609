//! The states of a step and of a case.

use serde::{Deserialize, Serialize};

use super::CaseError;

/// The state of a step of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Todo,
    InProgress,
    Done,
    /// Not applicable to this case, decided by staff (with a reason) or by the protocol.
    NotApplicable,
    /// Cannot go on for now (with a reason).
    Blocked,
}

impl StepState {
    /// The stored and JSON name: `todo`, `in_progress`, `done`, `not_applicable`, `blocked`.
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Todo => "todo",
            StepState::InProgress => "in_progress",
            StepState::Done => "done",
            StepState::NotApplicable => "not_applicable",
            StepState::Blocked => "blocked",
        }
    }

    /// Parses a stored name or a command-line name (`in-progress`, `na`, ...).
    pub fn parse(s: &str) -> Result<StepState, CaseError> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "todo" | "to_do" => Ok(StepState::Todo),
            "in_progress" | "inprogress" | "started" => Ok(StepState::InProgress),
            "done" => Ok(StepState::Done),
            "na" | "n/a" | "not_applicable" => Ok(StepState::NotApplicable),
            "blocked" => Ok(StepState::Blocked),
            _ => Err(CaseError::UnknownState(s.to_string())),
        }
    }

    /// Finished steps (done or not applicable) satisfy the `after` of others.
    pub fn is_finished(self) -> bool {
        matches!(self, StepState::Done | StepState::NotApplicable)
    }

    /// States that need a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, StepState::NotApplicable | StepState::Blocked)
    }
}

impl std::fmt::Display for StepState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a case is open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Open,
    Closed,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        match s {
            "open" => Some(CaseStatus::Open),
            "closed" => Some(CaseStatus::Closed),
            _ => None,
        }
    }
}
