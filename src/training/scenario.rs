//! Scenario files: a fictional case (pack, facts, when it was opened) and an ordered list of
//! beats, each a presenter note with a step change and/or a change of facts. The format is
//! documented in `protocols/scenarios/README.md`.
//!
//! [`parse_scenario`] checks the file on its own (syntax, unknown fields, types, the order of
//! the beats' times); [`Scenario::check`] checks it against its pack (step, role, fact and
//! option ids, reasons, applicability, and that a step marked done has its `after` steps
//! finished by earlier beats). Every error names the file, line and column and what to fix.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::case::{StepState, COORDINATOR};
use crate::pack::{FactKind, FactValue, Facts, Pack, Text};

/// The largest scenario file read.
pub const MAX_SCENARIO_SIZE: u64 = 1024 * 1024;

/// The scenarios shipped with Caseway (file name, source), embedded from
/// `protocols/scenarios/`.
pub const SHIPPED_SCENARIOS: &[(&str, &str)] = &[
    (
        "sextortion-image-removal.toml",
        include_str!("../../protocols/scenarios/sextortion-image-removal.toml"),
    ),
    (
        "grooming-contact-72h.toml",
        include_str!("../../protocols/scenarios/grooming-contact-72h.toml"),
    ),
];

/// Errors of scenario files.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario {path}: {detail}; check the path")]
    Read { path: PathBuf, detail: String },
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// A line and column (1-based) in a scenario file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Loc {
    line: usize,
    column: usize,
}

/// A parsed scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    /// The file name it was read from.
    pub file: String,
    pub id: String,
    pub title: Text,
    pub summary: Option<Text>,
    /// `id@version` of the pack the scenario is written for.
    pub pack: String,
    /// The fictional case is opened this many hours before the walkthrough starts.
    pub opened_hours_ago: u32,
    /// The facts the case is opened with.
    pub facts: Facts,
    pub beats: Vec<Beat>,
    #[serde(skip)]
    locs: ScenarioLocs,
}

#[derive(Debug, Clone, Default)]
struct ScenarioLocs {
    pack: Loc,
    facts: BTreeMap<String, Loc>,
}

/// One beat of a scenario: what the presenter says and what changes.
#[derive(Debug, Clone, Serialize)]
pub struct Beat {
    /// 1-based position in the scenario.
    pub number: usize,
    pub note: Text,
    /// Hours after the case was opened at which the change happens (the previous beat's when
    /// the file gives none, 0 for the first).
    pub at_hours: u32,
    /// Facts set by this beat (before its step change).
    pub facts: Facts,
    pub step: Option<String>,
    pub state: Option<StepState>,
    /// The role making the change; the step's owner when the file gives none.
    pub role: Option<String>,
    pub reason: Option<String>,
    /// Values of the step's record fields, as text.
    pub record: BTreeMap<String, String>,
    /// The step shown highlighted: `highlight` from the file, else the changed step.
    pub highlight: Option<String>,
    #[serde(skip)]
    locs: BeatLocs,
}

#[derive(Debug, Clone, Default)]
struct BeatLocs {
    beat: Loc,
    step: Loc,
    role: Loc,
    highlight: Loc,
    facts: BTreeMap<String, Loc>,
    record: BTreeMap<String, Loc>,
}

impl Beat {
    /// The presenter note in `lang` (else English, else any language).
    pub fn note_in(&self, lang: &str) -> &str {
        self.note.get(lang, "en")
    }
}

impl Scenario {
    /// The title in `lang` (else English, else any language).
    pub fn title_in(&self, lang: &str) -> &str {
        self.title.get(lang, "en")
    }

    /// The summary in `lang` (else English, else any language), "" without one.
    pub fn summary_in(&self, lang: &str) -> &str {
        self.summary.as_ref().map_or("", |s| s.get(lang, "en"))
    }

    fn err(&self, loc: Loc, message: impl Into<String>) -> ScenarioError {
        ScenarioError::Invalid {
            file: self.file.clone(),
            line: loc.line,
            column: loc.column,
            message: message.into(),
        }
    }

    /// Checks the scenario against its pack: the pack key, every fact and option, every step,
    /// role, reason and record field, that each changed step applies to the facts in force at
    /// its beat, that no beat leaves a step as it was, and that a step marked done has its
    /// `after` steps finished by earlier beats.
    pub fn check(&self, pack: &Pack) -> Result<(), ScenarioError> {
        if pack.key() != self.pack {
            return Err(self.err(
                self.locs.pack,
                format!(
                    "the scenario is written for {} but is checked against {}; change `pack` or use that pack",
                    self.pack,
                    pack.key()
                ),
            ));
        }
        let mut facts = Facts::new();
        for (id, value) in &self.facts {
            let loc = self.locs.facts.get(id).copied().unwrap_or_default();
            self.check_fact(pack, id, value, loc)?;
            facts.insert(id.clone(), value.clone());
        }
        let mut states: HashMap<&str, (StepState, Option<&str>)> = HashMap::new();
        for beat in &self.beats {
            for (id, value) in &beat.facts {
                let loc = beat.locs.facts.get(id).copied().unwrap_or_default();
                self.check_fact(pack, id, value, loc)?;
                facts.insert(id.clone(), value.clone());
            }
            if let Some(h) = &beat.highlight {
                if pack.step(h).is_none() {
                    return Err(self.err(
                        beat.locs.highlight,
                        format!(
                            "beat {}: pack {} has no step `{h}`{}",
                            beat.number,
                            pack.key(),
                            did_you_mean(h, pack.steps.iter().map(|s| s.id.as_str()))
                        ),
                    ));
                }
            }
            let (Some(step_id), Some(state)) = (&beat.step, beat.state) else {
                continue;
            };
            let n = beat.number;
            let step = pack.step(step_id).ok_or_else(|| {
                self.err(
                    beat.locs.step,
                    format!(
                        "beat {n}: pack {} has no step `{step_id}`{}",
                        pack.key(),
                        did_you_mean(step_id, pack.steps.iter().map(|s| s.id.as_str()))
                    ),
                )
            })?;
            if let Some(role) = &beat.role {
                if role != COORDINATOR && pack.role(role).is_none() {
                    return Err(self.err(
                        beat.locs.role,
                        format!(
                            "beat {n}: pack {} has no role `{role}`; its roles are: {}",
                            pack.key(),
                            pack.roles
                                .iter()
                                .map(|r| r.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                if role != &step.role && role != COORDINATOR {
                    return Err(self.err(
                        beat.locs.role,
                        format!(
                            "beat {n}: step `{step_id}` belongs to role {}: only {} or the coordinator may change it; remove `role` or set it to one of them",
                            step.role, step.role
                        ),
                    ));
                }
            }
            if !step.applies(&facts) {
                return Err(self.err(
                    beat.locs.step,
                    format!(
                        "beat {n}: step `{step_id}` does not apply with the facts in force at this beat (condition `{}`); set the facts it needs in [facts] or in an earlier beat",
                        step.when.as_ref().map(|c| c.source().to_string()).unwrap_or_default()
                    ),
                ));
            }
            if state.needs_reason() && beat.reason.is_none() {
                return Err(self.err(
                    beat.locs.step,
                    format!(
                        "beat {n}: marking step `{step_id}` as {state} needs a reason; add `reason = \"...\"`"
                    ),
                ));
            }
            for field in beat.record.keys() {
                if !step.record.iter().any(|r| &r.id == field) {
                    let loc = beat.locs.record.get(field).copied().unwrap_or_default();
                    return Err(self.err(
                        loc,
                        format!(
                            "beat {n}: step `{step_id}` has no record field `{field}`; its fields are: {}",
                            if step.record.is_empty() {
                                "(none)".to_string()
                            } else {
                                step.record
                                    .iter()
                                    .map(|r| r.id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            }
                        ),
                    ));
                }
            }
            let before = states
                .get(step_id.as_str())
                .copied()
                .unwrap_or((StepState::Todo, None));
            let reason = if state.needs_reason() {
                beat.reason.as_deref()
            } else {
                None
            };
            if before.0 == state && beat.record.is_empty() && before.1 == reason {
                return Err(self.err(
                    beat.locs.step,
                    format!(
                        "beat {n}: step `{step_id}` is already {state} at this beat; change another step or give another state"
                    ),
                ));
            }
            if state == StepState::Done {
                let waiting: Vec<String> = step
                    .after
                    .iter()
                    .filter(|dep| {
                        let applies = pack.step(dep).is_some_and(|d| d.applies(&facts));
                        let finished = states
                            .get(dep.as_str())
                            .is_some_and(|(s, _)| s.is_finished());
                        applies && !finished
                    })
                    .map(|dep| {
                        let st = states
                            .get(dep.as_str())
                            .map_or(StepState::Todo, |(s, _)| *s);
                        format!("{dep} ({st})")
                    })
                    .collect();
                if !waiting.is_empty() {
                    return Err(self.err(
                        beat.locs.step,
                        format!(
                            "beat {n}: step `{step_id}` cannot be done before {}; add earlier beats that finish them (done or na)",
                            waiting.join(", ")
                        ),
                    ));
                }
            }
            states.insert(step_id.as_str(), (state, reason));
        }
        Ok(())
    }

    fn check_fact(
        &self,
        pack: &Pack,
        id: &str,
        value: &FactValue,
        loc: Loc,
    ) -> Result<(), ScenarioError> {
        let fact = pack.fact(id).ok_or_else(|| {
            self.err(
                loc,
                format!(
                    "pack {} has no fact `{id}`{}",
                    pack.key(),
                    did_you_mean(id, pack.facts.iter().map(|f| f.id.as_str()))
                ),
            )
        })?;
        let normalised = fact
            .parse_value(&value.to_text())
            .map_err(|m| self.err(loc, m))?;
        if &normalised != value {
            let how = match fact.kind {
                FactKind::Bool => "true or false, without quotes",
                FactKind::Choice => "one option id in quotes, e.g. \"12-17\"",
                FactKind::Multi => "a list of option ids, e.g. [\"grooming\"]",
                FactKind::Number => "a number, without quotes",
            };
            return Err(self.err(
                loc,
                format!("fact `{id}` is a {} fact: write {how}", fact.kind.as_str()),
            ));
        }
        Ok(())
    }
}

fn did_you_mean<'a>(wrong: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    candidates
        .map(|c| (strsim::jaro_winkler(wrong, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

// ----- the file as written ------------------------------------------------------------

type RawMap = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scenario: Spanned<RawHeader>,
    #[serde(default)]
    facts: RawMap,
    #[serde(default)]
    beat: Vec<Spanned<RawBeat>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    id: Spanned<String>,
    title: Spanned<toml::Value>,
    pack: Spanned<String>,
    #[serde(default)]
    summary: Option<Spanned<toml::Value>>,
    opened_hours_ago: Spanned<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBeat {
    note: Spanned<toml::Value>,
    #[serde(default)]
    at_hours: Option<Spanned<u32>>,
    #[serde(default)]
    facts: RawMap,
    #[serde(default)]
    step: Option<Spanned<String>>,
    #[serde(default)]
    state: Option<Spanned<String>>,
    #[serde(default)]
    role: Option<Spanned<String>>,
    #[serde(default)]
    reason: Option<Spanned<String>>,
    #[serde(default)]
    record: RawMap,
    #[serde(default)]
    highlight: Option<Spanned<String>>,
}

struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn loc(&self, span: Range<usize>) -> Loc {
        let start = span.start.min(self.text.len());
        let before = self.text.get(..start).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        Loc { line, column }
    }

    fn err(&self, span: Range<usize>, message: impl Into<String>) -> ScenarioError {
        let loc = self.loc(span);
        ScenarioError::Invalid {
            file: self.file.to_string(),
            line: loc.line,
            column: loc.column,
            message: message.into(),
        }
    }

    fn text(&self, v: &Spanned<toml::Value>, what: &str) -> Result<Text, ScenarioError> {
        let bad = || {
            self.err(
                v.span(),
                format!("{what} must be a text or a table of texts by language, e.g. {{ en = \"...\", sv = \"...\" }}"),
            )
        };
        let text = match v.get_ref() {
            toml::Value::String(s) => Text::single("en", s),
            toml::Value::Table(t) => {
                let mut map = BTreeMap::new();
                for (lang, value) in t {
                    let s = value.as_str().ok_or_else(bad)?;
                    map.insert(lang.clone(), s.to_string());
                }
                Text(map)
            }
            _ => return Err(bad()),
        };
        if text.0.values().all(|s| s.trim().is_empty()) {
            return Err(self.err(
                v.span(),
                format!("{what} is empty; write it in at least one language"),
            ));
        }
        Ok(text)
    }

    fn facts(&self, raw: &RawMap) -> Result<(Facts, BTreeMap<String, Loc>), ScenarioError> {
        let mut facts = Facts::new();
        let mut locs = BTreeMap::new();
        for (key, value) in raw {
            let fact_value = match value.get_ref() {
                toml::Value::Boolean(b) => FactValue::Bool(*b),
                toml::Value::String(s) => FactValue::Choice(s.clone()),
                toml::Value::Integer(i) => FactValue::Number(*i as f64),
                toml::Value::Float(f) => FactValue::Number(*f),
                toml::Value::Array(items) => {
                    let mut out = Vec::new();
                    for item in items {
                        let s = item.as_str().ok_or_else(|| {
                            self.err(
                                value.span(),
                                format!("fact `{}`: a list holds option ids in quotes, e.g. [\"grooming\", \"contact\"]", key.get_ref()),
                            )
                        })?;
                        out.push(s.to_string());
                    }
                    FactValue::Multi(out)
                }
                _ => {
                    return Err(self.err(
                        value.span(),
                        format!("fact `{}`: give true/false, an option id in quotes, a list of option ids, or a number", key.get_ref()),
                    ))
                }
            };
            locs.insert(key.get_ref().clone(), self.loc(key.span()));
            facts.insert(key.get_ref().clone(), fact_value);
        }
        Ok((facts, locs))
    }
}

fn valid_id(id: &str) -> bool {
    (3..=64).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Parses a scenario file (checks that need the pack are in [`Scenario::check`]).
pub fn parse_scenario(file_name: &str, source: &str) -> Result<Scenario, ScenarioError> {
    let src = Source {
        file: file_name,
        text: source,
    };
    let raw: RawFile = toml::from_str(source).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let message = e.message().trim().replace('\n', " ");
        src.err(
            span,
            format!("{message}; see protocols/scenarios/README.md for the fields"),
        )
    })?;
    let header = raw.scenario.get_ref();
    let id = header.id.get_ref().clone();
    if !valid_id(&id) {
        return Err(src.err(
            header.id.span(),
            format!("scenario id `{id}` must be 3 to 64 characters among a-z, 0-9 and '-'"),
        ));
    }
    let pack = header.pack.get_ref().trim().to_string();
    match pack.split_once('@') {
        Some((p, v)) if !p.is_empty() && semver::Version::parse(v).is_ok() => {}
        _ => {
            return Err(src.err(
                header.pack.span(),
                format!("pack `{pack}` must be ID@VERSION, e.g. \"barnahus-online-csa@1.1.0\": a scenario is written for one exact version"),
            ))
        }
    }
    let title = src.text(&header.title, "title")?;
    let summary = header
        .summary
        .as_ref()
        .map(|s| src.text(s, "summary"))
        .transpose()?;
    let opened_hours_ago = *header.opened_hours_ago.get_ref();
    let (facts, fact_locs) = src.facts(&raw.facts)?;
    if raw.beat.is_empty() {
        return Err(src.err(
            raw.scenario.span(),
            "the scenario has no beats; add at least one [[beat]] with a note",
        ));
    }
    let mut beats = Vec::new();
    let mut at = 0u32;
    for (i, spanned) in raw.beat.iter().enumerate() {
        let number = i + 1;
        let b = spanned.get_ref();
        let beat_loc = src.loc(spanned.span());
        let note = src.text(&b.note, &format!("beat {number}: note"))?;
        if let Some(h) = &b.at_hours {
            let hours = *h.get_ref();
            if hours < at {
                return Err(src.err(
                    h.span(),
                    format!("beat {number}: at_hours = {hours} is before the previous beat ({at}); beats run forward in time"),
                ));
            }
            if hours > opened_hours_ago {
                return Err(src.err(
                    h.span(),
                    format!("beat {number}: at_hours = {hours} is after the start of the walkthrough (the case is opened {opened_hours_ago} hours before it); raise opened_hours_ago to at least {hours}"),
                ));
            }
            at = hours;
        }
        let state = match (&b.step, &b.state) {
            (Some(_), Some(s)) => Some(StepState::parse(s.get_ref()).map_err(|_| {
                src.err(
                    s.span(),
                    format!(
                        "beat {number}: unknown state `{}`; use todo, in-progress, done, na or blocked",
                        s.get_ref()
                    ),
                )
            })?),
            (None, Some(s)) => {
                return Err(src.err(
                    s.span(),
                    format!("beat {number}: `state` needs a `step`; add step = \"STEP-ID\""),
                ))
            }
            (Some(s), None) => {
                return Err(src.err(
                    s.span(),
                    format!("beat {number}: step `{}` has no `state`; add state = \"done\" (or todo, in-progress, na, blocked), or use `highlight` to only show it", s.get_ref()),
                ))
            }
            (None, None) => None,
        };
        if b.step.is_none() {
            let stray = [
                ("role", b.role.as_ref().map(|r| r.span())),
                ("reason", b.reason.as_ref().map(|r| r.span())),
                ("record", b.record.keys().next().map(|k| k.span())),
            ];
            if let Some((name, Some(span))) = stray.into_iter().find(|(_, s)| s.is_some()) {
                return Err(src.err(
                    span,
                    format!("beat {number}: `{name}` belongs to a step change; add step and state, or remove it"),
                ));
            }
        }
        let (beat_facts, beat_fact_locs) = src.facts(&b.facts)?;
        let mut record = BTreeMap::new();
        let mut record_locs = BTreeMap::new();
        for (key, value) in &b.record {
            let text = match value.get_ref() {
                toml::Value::String(s) => s.clone(),
                toml::Value::Boolean(v) => v.to_string(),
                toml::Value::Integer(v) => v.to_string(),
                toml::Value::Float(v) => v.to_string(),
                toml::Value::Datetime(v) => v.to_string(),
                _ => {
                    return Err(src.err(
                        value.span(),
                        format!("beat {number}: record field `{}` takes one value: true/false, a number, a date or a text", key.get_ref()),
                    ))
                }
            };
            record_locs.insert(key.get_ref().clone(), src.loc(key.span()));
            record.insert(key.get_ref().clone(), text);
        }
        let reason = b
            .reason
            .as_ref()
            .map(|r| r.get_ref().trim().to_string())
            .filter(|r| !r.is_empty());
        let step = b.step.as_ref().map(|s| s.get_ref().clone());
        let highlight = b
            .highlight
            .as_ref()
            .map(|h| h.get_ref().clone())
            .or_else(|| step.clone());
        beats.push(Beat {
            number,
            note,
            at_hours: at,
            facts: beat_facts,
            step,
            state,
            role: b.role.as_ref().map(|r| r.get_ref().clone()),
            reason,
            record,
            highlight,
            locs: BeatLocs {
                beat: beat_loc,
                step: b
                    .step
                    .as_ref()
                    .map(|s| src.loc(s.span()))
                    .unwrap_or(beat_loc),
                role: b
                    .role
                    .as_ref()
                    .map(|s| src.loc(s.span()))
                    .unwrap_or(beat_loc),
                highlight: b
                    .highlight
                    .as_ref()
                    .or(b.step.as_ref())
                    .map(|s| src.loc(s.span()))
                    .unwrap_or(beat_loc),
                facts: beat_fact_locs,
                record: record_locs,
            },
        });
    }
    Ok(Scenario {
        file: file_name.to_string(),
        id,
        title,
        summary,
        pack,
        opened_hours_ago,
        facts,
        beats,
        locs: ScenarioLocs {
            pack: src.loc(header.pack.span()),
            facts: fact_locs,
        },
    })
}

/// Reads and parses a scenario file.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    let read = |detail: String| ScenarioError::Read {
        path: path.to_path_buf(),
        detail,
    };
    let meta = std::fs::metadata(path).map_err(|e| read(e.to_string()))?;
    if meta.len() > MAX_SCENARIO_SIZE {
        return Err(read(format!(
            "the file is {} bytes, over the limit of {MAX_SCENARIO_SIZE}",
            meta.len()
        )));
    }
    let source = std::fs::read_to_string(path).map_err(|e| read(e.to_string()))?;
    parse_scenario(&path.display().to_string(), &source)
}

/// The scenarios shipped with Caseway, parsed.
pub fn shipped_scenarios() -> Result<Vec<Scenario>, ScenarioError> {
    SHIPPED_SCENARIOS
        .iter()
        .map(|(file, source)| parse_scenario(file, source))
        .collect()
}

impl Beat {
    /// Where the beat starts in its file (line, column).
    pub fn location(&self) -> (usize, usize) {
        (self.locs.beat.line, self.locs.beat.column)
    }
}
