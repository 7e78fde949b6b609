//! A guided walkthrough of a scenario on a fictional case in the training database.
//!
//! The walkthrough opens a case with the scenario's facts, `opened_hours_ago` hours before
//! the walkthrough starts, and applies the beats one at a time, each at its time
//! (`opened + at_hours`). Going back replays: the current case is closed (it stays in the
//! training database with its audit trail) and a new one is opened at the same time and
//! given beats 1..n again, so the checklist after beat n is always exactly the result of
//! beats 1..n. Nothing is ever deleted from the audit trail.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::case::{Actor, CaseError, CaseView, Engine, NewCase, StepChangeRequest, COORDINATOR};

use super::{ensure_training, Beat, Scenario, TrainingError};

/// The reason written when a replay replaces a walkthrough's case.
const REPLACED: &str = "training walkthrough went back: replaced by a replay of its beats";

/// A scenario being walked through on a training database. It does not hold the engine:
/// every call takes it, so the caller keeps one engine for the training database.
#[derive(Debug, Clone)]
pub struct Walkthrough {
    scenario: Scenario,
    reference: String,
    opened_at: DateTime<Utc>,
    position: usize,
}

/// What a screen shows for the current beat (serialisable for the desktop front end).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BeatView {
    pub scenario_id: String,
    pub title: String,
    /// Beats applied so far: 0 (the case just opened) to `beats`.
    pub position: usize,
    pub beats: usize,
    /// The current beat's presenter note; the scenario summary at position 0.
    pub note: String,
    /// The step to highlight, if the current beat names one.
    pub highlight: Option<String>,
    /// The time of the current beat (the case is shown at this time).
    pub clock: DateTime<Utc>,
    /// Hours since the case was opened, at the current beat.
    pub at_hours: u32,
    pub case: CaseView,
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

impl Walkthrough {
    /// Checks the scenario against its pack in the training database and opens its case
    /// (position 0: no beat applied). `now` is when the walkthrough starts: the case is opened
    /// `opened_hours_ago` hours before it.
    pub fn start(
        engine: &mut Engine,
        scenario: Scenario,
        now: DateTime<Utc>,
    ) -> Result<Walkthrough, TrainingError> {
        ensure_training(engine)?;
        let pack = engine.pack(&scenario.pack)?;
        scenario.check(&pack)?;
        let opened_at = whole_seconds(now) - Duration::hours(i64::from(scenario.opened_hours_ago));
        let reference = open_case(engine, &scenario, opened_at)?;
        Ok(Walkthrough {
            scenario,
            reference,
            opened_at,
            position: 0,
        })
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The reference of the fictional case currently showing the walkthrough (it changes when
    /// going back).
    pub fn reference(&self) -> &str {
        &self.reference
    }

    pub fn opened_at(&self) -> DateTime<Utc> {
        self.opened_at
    }

    /// How many beats are applied: 0 to [`Walkthrough::len`].
    pub fn position(&self) -> usize {
        self.position
    }

    /// The number of beats.
    pub fn len(&self) -> usize {
        self.scenario.beats.len()
    }

    /// Never true: a scenario has at least one beat.
    pub fn is_empty(&self) -> bool {
        self.scenario.beats.is_empty()
    }

    /// The last beat applied (`None` at position 0).
    pub fn current_beat(&self) -> Option<&Beat> {
        self.position
            .checked_sub(1)
            .and_then(|i| self.scenario.beats.get(i))
    }

    /// The current beat's note in `lang` (else English); the scenario summary at position 0.
    pub fn note(&self, lang: &str) -> &str {
        match self.current_beat() {
            Some(b) => b.note_in(lang),
            None => self.scenario.summary_in(lang),
        }
    }

    /// The step the current beat highlights.
    pub fn highlighted_step(&self) -> Option<&str> {
        self.current_beat().and_then(|b| b.highlight.as_deref())
    }

    /// Hours after opening at the current beat.
    pub fn at_hours(&self) -> u32 {
        self.current_beat().map_or(0, |b| b.at_hours)
    }

    /// The time of the current beat: when the case was opened plus the beat's `at_hours`.
    pub fn clock(&self) -> DateTime<Utc> {
        self.opened_at + Duration::hours(i64::from(self.at_hours()))
    }

    /// Applies the next beat. False when already at the end.
    pub fn forward(&mut self, engine: &mut Engine) -> Result<bool, TrainingError> {
        let Some(beat) = self.scenario.beats.get(self.position) else {
            return Ok(false);
        };
        apply(
            engine,
            &self.scenario,
            &self.reference,
            self.opened_at,
            beat,
        )?;
        self.position += 1;
        Ok(true)
    }

    /// Goes back one beat (by replaying the beats before it on a new case). False when
    /// already at position 0.
    pub fn back(&mut self, engine: &mut Engine) -> Result<bool, TrainingError> {
        match self.position.checked_sub(1) {
            Some(n) => {
                self.goto(engine, n)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Moves to position `n` (0 = no beat applied): forward by applying beats, backward by
    /// replaying beats 1..n on a new case.
    pub fn goto(&mut self, engine: &mut Engine, n: usize) -> Result<(), TrainingError> {
        if n > self.len() {
            return Err(TrainingError::Invalid(format!(
                "scenario {} has {} beats; choose a beat from 0 to {}",
                self.scenario.id,
                self.len(),
                self.len()
            )));
        }
        if n < self.position {
            ensure_training(engine)?;
            let old = self.reference.clone();
            let at = self.clock();
            let reference = open_case(engine, &self.scenario, self.opened_at)?;
            self.reference = reference;
            self.position = 0;
            match engine.close_case(&old, REPLACED, &Actor::role(COORDINATOR), at) {
                Ok(_) | Err(CaseError::Closed(_)) | Err(CaseError::NoCase(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        while self.position < n {
            self.forward(engine)?;
        }
        Ok(())
    }

    /// The case at the current beat's time.
    pub fn view(&self, engine: &Engine) -> Result<CaseView, TrainingError> {
        Ok(engine.case_view(&self.reference, self.clock())?)
    }

    /// Everything a screen shows for the current beat, with texts in `lang`.
    pub fn beat_view(&self, engine: &Engine, lang: &str) -> Result<BeatView, TrainingError> {
        Ok(BeatView {
            scenario_id: self.scenario.id.clone(),
            title: self.scenario.title_in(lang).to_string(),
            position: self.position,
            beats: self.len(),
            note: self.note(lang).to_string(),
            highlight: self.highlighted_step().map(str::to_string),
            clock: self.clock(),
            at_hours: self.at_hours(),
            case: self.view(engine)?,
        })
    }
}

fn open_case(
    engine: &mut Engine,
    scenario: &Scenario,
    opened_at: DateTime<Utc>,
) -> Result<String, TrainingError> {
    let view = engine.open_case(
        &NewCase {
            pack: scenario.pack.clone(),
            facts: scenario.facts.clone(),
            label: Some(format!("Training: {}", scenario.id)),
            actor: Actor::role(COORDINATOR),
        },
        opened_at,
    )?;
    Ok(view.reference)
}

fn apply(
    engine: &mut Engine,
    scenario: &Scenario,
    reference: &str,
    opened_at: DateTime<Utc>,
    beat: &Beat,
) -> Result<(), TrainingError> {
    let at = opened_at + Duration::hours(i64::from(beat.at_hours));
    let stopped = |source: CaseError| TrainingError::Beat {
        scenario: scenario.id.clone(),
        beat: beat.number,
        source,
    };
    if !beat.facts.is_empty() {
        engine
            .set_facts(reference, &beat.facts, &Actor::role(COORDINATOR), at)
            .map_err(stopped)?;
    }
    if let (Some(step), Some(state)) = (&beat.step, beat.state) {
        let role = match &beat.role {
            Some(r) => r.clone(),
            None => {
                let pack = engine.pack(&scenario.pack)?;
                pack.step(step)
                    .map(|s| s.role.clone())
                    .unwrap_or_else(|| COORDINATOR.to_string())
            }
        };
        engine
            .set_step_state(
                reference,
                &StepChangeRequest {
                    step: step.clone(),
                    state,
                    role,
                    initials: None,
                    reason: beat.reason.clone(),
                    note: None,
                    record: beat.record.clone(),
                },
                at,
            )
            .map_err(stopped)?;
    }
    Ok(())
}
