//! The one error type that crosses into the window: `{ code, message }`.
//!
//! The codes are a closed list the UI acts on; the message is for people and says what to do.

use caseway::case::CaseError;
use caseway::store::StoreError;
use serde::Serialize;
use ts_rs::TS;

/// What the UI switches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub enum ErrorCode {
    /// The database could not be opened or used: the window explains what to do.
    Database,
    /// The engine refused the request (a rule, a missing reason, identifying text...): the
    /// message says why, and the screen stays as it was.
    Refused,
    /// Anything else: an unexpected condition, shown as a message.
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Database => "database",
            ErrorCode::Refused => "refused",
            ErrorCode::Internal => "internal",
        }
    }
}

#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export, export_to = "../../ui/src/lib/bindings/")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> Self {
        let code = match &e {
            CaseError::Store(_) | CaseError::Damaged { .. } => ErrorCode::Database,
            e if e.is_refusal() => ErrorCode::Refused,
            _ => ErrorCode::Internal,
        };
        ApiError::new(code, e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::new(ErrorCode::Database, e.to_string())
    }
}

impl From<caseway::training::TrainingError> for ApiError {
    fn from(e: caseway::training::TrainingError) -> Self {
        use caseway::training::TrainingError;
        match e {
            TrainingError::Case(c) => c.into(),
            TrainingError::Store(s) => s.into(),
            e if e.is_refusal() => ApiError::new(ErrorCode::Refused, e.to_string()),
            e => ApiError::new(ErrorCode::Database, e.to_string()),
        }
    }
}
