//! The validated, in-memory model of a protocol pack, ready for the case engine.
//!
//! Values of these types only come out of [`crate::pack::parse_pack`] (or a store that kept
//! one), so every reference in them (roles, phases, facts, options, steps) is known to resolve.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::duration::Span;

/// The file format version this engine reads; newer packs are refused.
pub const SUPPORTED_FORMAT: u32 = 1;

/// One version of one inter-agency protocol.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Pack {
    pub format: u32,
    pub id: String,
    pub version: semver::Version,
    pub status: PackStatus,
    pub title: Text,
    pub summary: Option<Text>,
    pub publisher: Option<String>,
    pub jurisdiction: Option<String>,
    pub effective: Option<chrono::NaiveDate>,
    pub default_language: String,
    pub languages: Vec<String>,
    pub retention: Option<Span>,
    pub changelog: Vec<ChangelogEntry>,
    pub roles: Vec<Role>,
    pub phases: Vec<Phase>,
    pub facts: Vec<Fact>,
    pub steps: Vec<Step>,
}

impl Pack {
    /// The pack's identity, `id@version`: a case pins to it.
    pub fn key(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    pub fn fact(&self, id: &str) -> Option<&Fact> {
        self.facts.iter().find(|f| f.id == id)
    }

    pub fn role(&self, id: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.id == id)
    }

    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }

    /// The text in `lang`, falling back to the pack's default language, then to any language.
    pub fn text<'a>(&self, text: &'a Text, lang: &str) -> &'a str {
        text.get(lang, &self.default_language)
    }
}

/// Lifecycle of a pack version.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum PackStatus {
    Draft,
    Active,
    Retired,
}

impl PackStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            PackStatus::Draft => "draft",
            PackStatus::Active => "active",
            PackStatus::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(PackStatus::Draft),
            "active" => Some(PackStatus::Active),
            "retired" => Some(PackStatus::Retired),
            _ => None,
        }
    }
}

/// A translated text: language tag -> text.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// The text in `lang`, else in `default_lang`, else in any language ("" if empty).
    pub fn get<'a>(&'a self, lang: &str, default_lang: &str) -> &'a str {
        self.0
            .get(lang)
            .or_else(|| self.0.get(default_lang))
            .or_else(|| self.0.values().next())
            .map(String::as_str)
            .unwrap_or("")
    }

    /// A text in a single language.
    pub fn single(lang: &str, text: &str) -> Self {
        let mut m = BTreeMap::new();
        m.insert(lang.to_string(), text.to_string());
        Text(m)
    }
}

/// One entry of `[[pack.changelog]]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChangelogEntry {
    pub version: semver::Version,
    pub date: Option<chrono::NaiveDate>,
    pub notes: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Role {
    pub id: String,
    pub title: Text,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Phase {
    pub id: String,
    pub title: Text,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum FactKind {
    Bool,
    Choice,
    Multi,
    Number,
}

impl FactKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            FactKind::Bool => "bool",
            FactKind::Choice => "choice",
            FactKind::Multi => "multi",
            FactKind::Number => "number",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "bool" => Some(FactKind::Bool),
            "choice" => Some(FactKind::Choice),
            "multi" => Some(FactKind::Multi),
            "number" => Some(FactKind::Number),
            _ => None,
        }
    }
}

/// An option of a `choice` or `multi` fact (or of a `choice` record field).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FactOption {
    pub id: String,
    pub label: Text,
}

/// A case characteristic asked when a case is opened.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fact {
    pub id: String,
    pub kind: FactKind,
    pub question: Text,
    pub options: Vec<FactOption>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Fact {
    pub fn option(&self, id: &str) -> Option<&FactOption> {
        self.options.iter().find(|o| o.id == id)
    }

    fn option_list(&self) -> String {
        self.options
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Parses a value typed on the command line: `true`/`false` (also yes/no), an option id,
    /// a comma-separated list of option ids (empty string = none), or a number.
    /// The error names the allowed values.
    pub fn parse_value(&self, raw: &str) -> Result<FactValue, String> {
        let raw = raw.trim();
        match self.kind {
            FactKind::Bool => match raw.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" => Ok(FactValue::Bool(true)),
                "false" | "no" | "n" => Ok(FactValue::Bool(false)),
                _ => Err(format!(
                    "fact `{}` is yes/no: expected `true` or `false`, got `{raw}`",
                    self.id
                )),
            },
            FactKind::Choice => {
                if self.option(raw).is_some() {
                    Ok(FactValue::Choice(raw.to_string()))
                } else {
                    Err(format!(
                        "fact `{}` has no option `{raw}`; allowed: {}",
                        self.id,
                        self.option_list()
                    ))
                }
            }
            FactKind::Multi => {
                let mut chosen: Vec<String> = Vec::new();
                for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    if self.option(part).is_none() {
                        return Err(format!(
                            "fact `{}` has no option `{part}`; allowed (comma-separated): {}",
                            self.id,
                            self.option_list()
                        ));
                    }
                    if !chosen.iter().any(|c| c == part) {
                        chosen.push(part.to_string());
                    }
                }
                Ok(FactValue::Multi(chosen))
            }
            FactKind::Number => {
                let n: f64 = raw
                    .parse()
                    .map_err(|_| format!("fact `{}` is a number, got `{raw}`", self.id))?;
                if !n.is_finite() {
                    return Err(format!("fact `{}` is a number, got `{raw}`", self.id));
                }
                if let Some(min) = self.min {
                    if n < min {
                        return Err(format!(
                            "fact `{}` must be at least {min}, got {n}",
                            self.id
                        ));
                    }
                }
                if let Some(max) = self.max {
                    if n > max {
                        return Err(format!("fact `{}` must be at most {max}, got {n}", self.id));
                    }
                }
                Ok(FactValue::Number(n))
            }
        }
    }
}

/// The answer to a fact. JSON: `true`, `"option"`, `["a", "b"]`, `3.5`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum FactValue {
    Bool(bool),
    Choice(String),
    Multi(Vec<String>),
    Number(f64),
}

impl FactValue {
    /// The answer as text, the form a fact is given in on the command line (`true`, `a`,
    /// `a,b`, `3.5`) and that `Engine::parse_facts` reads back.
    pub fn to_text(&self) -> String {
        match self {
            FactValue::Bool(b) => b.to_string(),
            FactValue::Choice(s) => s.clone(),
            FactValue::Multi(items) => items.join(","),
            FactValue::Number(n) => n.to_string(),
        }
    }
}

/// The answered facts of a case; a missing key means "not answered yet".
pub type Facts = BTreeMap<String, FactValue>;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Required {
    Must,
    Could,
    MustUnlessDocumented,
}

impl Required {
    pub fn as_str(&self) -> &'static str {
        match self {
            Required::Must => "must",
            Required::Could => "could",
            Required::MustUnlessDocumented => "must-unless-documented",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "must" => Some(Required::Must),
            "could" => Some(Required::Could),
            "must-unless-documented" => Some(Required::MustUnlessDocumented),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Routine,
    Urgent,
}

impl Priority {
    pub fn as_str(&self) -> &'static str {
        match self {
            Priority::Routine => "routine",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "routine" => Some(Priority::Routine),
            "urgent" => Some(Priority::Urgent),
            _ => None,
        }
    }
}

/// One step of the protocol.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Step {
    pub id: String,
    pub phase: String,
    /// The owning role: only it (or the coordinator) completes the step.
    pub role: String,
    pub support: Vec<String>,
    pub title: Text,
    pub guidance: Option<Text>,
    pub required: Required,
    pub priority: Priority,
    /// Applicability: `None` means always applicable.
    pub when: Option<Condition>,
    /// Steps that must be finished first.
    pub after: Vec<String>,
    pub due: Option<Due>,
    pub references: Vec<Reference>,
    pub record: Vec<RecordField>,
    /// The milestone of the case this step marks when it is done, for the statistics
    /// (`None` for most steps). At most one step of a pack claims each milestone.
    pub milestone: Option<Milestone>,
}

impl Step {
    /// Whether the step applies to a case with these facts (no `when` = always).
    pub fn applies(&self, facts: &Facts) -> bool {
        self.when.as_ref().is_none_or(|c| c.eval(facts))
    }
}

/// A point in a case the anonymised statistics measure from the opening of the case:
/// the step that marks it is named in the pack with `milestone = "..."`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Milestone {
    /// The forensic interview of the child was held.
    ForensicInterview,
    /// The medical examination was made.
    MedicalExamination,
    /// Crisis support or therapy started (the first session).
    TherapyStart,
}

impl Milestone {
    /// Every milestone, in the order the statistics report them.
    pub const ALL: [Milestone; 3] = [
        Milestone::ForensicInterview,
        Milestone::MedicalExamination,
        Milestone::TherapyStart,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Milestone::ForensicInterview => "forensic-interview",
            Milestone::MedicalExamination => "medical-examination",
            Milestone::TherapyStart => "therapy-start",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Milestone::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl Pack {
    /// The step that marks `milestone`, if the pack names one.
    pub fn milestone_step(&self, milestone: Milestone) -> Option<&Step> {
        self.steps.iter().find(|s| s.milestone == Some(milestone))
    }
}

/// A source the step cites; the URL is shown, never fetched.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Reference {
    pub label: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum RecordKind {
    Bool,
    Text,
    Number,
    Date,
    Choice,
}

impl RecordKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            RecordKind::Bool => "bool",
            RecordKind::Text => "text",
            RecordKind::Number => "number",
            RecordKind::Date => "date",
            RecordKind::Choice => "choice",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "bool" => Some(RecordKind::Bool),
            "text" => Some(RecordKind::Text),
            "number" => Some(RecordKind::Number),
            "date" => Some(RecordKind::Date),
            "choice" => Some(RecordKind::Choice),
            _ => None,
        }
    }
}

/// A field recorded when a step is done.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RecordField {
    pub id: String,
    pub kind: RecordKind,
    pub label: Text,
    pub options: Vec<FactOption>,
}

/// Where a deadline's clock starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "id")]
pub enum Anchor {
    /// The case was opened.
    Opened,
    /// The named step was finished.
    Step(String),
    /// A number fact, read as hours before the case was opened.
    Fact(String),
}

impl std::fmt::Display for Anchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Anchor::Opened => f.write_str("opened"),
            Anchor::Step(s) => f.write_str(s),
            Anchor::Fact(s) => write!(f, "fact:{s}"),
        }
    }
}

/// A deadline: `within` after `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub within: Span,
    pub from: Anchor,
}
