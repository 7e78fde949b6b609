//! Fictional cases generated from a pack, for demonstrations: chosen or random facts, opened
//! at chosen times in the past so that deadlines are due or overdue, with part of the work
//! already done (in dependency order, spread over the time since opening).

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::case::{Actor, Engine, NewCase, StepChangeRequest, StepState, COORDINATOR};
use crate::pack::{FactKind, FactValue, Facts, Pack};

use super::{ensure_training, TrainingError};

/// The most cases one request generates.
pub const MAX_GENERATED: u32 = 1000;

/// The facts of generated cases.
#[derive(Debug, Clone, PartialEq)]
pub enum FactsChoice {
    /// Every case gets these facts.
    Given(Facts),
    /// Every fact of the pack gets a random answer, except those in `fixed`.
    Random { fixed: Facts },
}

/// When generated cases were opened, in hours before `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenedAgo {
    /// Case i is opened `hours[i % hours.len()]` hours ago.
    Each(Vec<u32>),
    /// A random number of hours in `min..=max`.
    Range { min: u32, max: u32 },
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateRequest {
    /// `ID` (its highest active version) or `ID@VERSION`.
    pub pack: String,
    pub count: u32,
    pub facts: FactsChoice,
    pub opened_hours_ago: OpenedAgo,
    /// The share (0 to 1) of each case's applicable steps to finish, in dependency order.
    pub advance: f64,
    /// The same seed (with the same request, pack and `now`) gives the same cases.
    pub seed: u64,
}

impl GenerateRequest {
    /// `count` cases on `pack` with random facts, opened up to three weeks ago, about a third
    /// of the work done.
    pub fn random(pack: &str, count: u32, seed: u64) -> GenerateRequest {
        GenerateRequest {
            pack: pack.to_string(),
            count,
            facts: FactsChoice::Random {
                fixed: Facts::new(),
            },
            opened_hours_ago: OpenedAgo::Range {
                min: 1,
                max: 21 * 24,
            },
            advance: 0.35,
            seed,
        }
    }
}

/// One generated case.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GeneratedCase {
    pub reference: String,
    pub pack: String,
    pub opened_at: DateTime<Utc>,
    pub facts: Facts,
    /// The steps marked done, in the order they were done.
    pub done: Vec<String>,
    /// The step left in progress, if any.
    pub in_progress: Option<String>,
}

/// Generates fictional cases in a training database (an engine over a real database is
/// refused). Returns them in the order they were made.
pub fn generate_cases(
    engine: &mut Engine,
    request: &GenerateRequest,
    now: DateTime<Utc>,
) -> Result<Vec<GeneratedCase>, TrainingError> {
    ensure_training(engine)?;
    if request.count == 0 || request.count > MAX_GENERATED {
        return Err(TrainingError::Invalid(format!(
            "count must be from 1 to {MAX_GENERATED}, got {}",
            request.count
        )));
    }
    if !(0.0..=1.0).contains(&request.advance) {
        return Err(TrainingError::Invalid(format!(
            "advance is the share of steps to finish, from 0 to 1; got {}",
            request.advance
        )));
    }
    match &request.opened_hours_ago {
        OpenedAgo::Each(h) if h.is_empty() => {
            return Err(TrainingError::Invalid(
                "give at least one number of hours for opened_hours_ago".into(),
            ))
        }
        OpenedAgo::Range { min, max } if min > max => {
            return Err(TrainingError::Invalid(format!(
                "opened_hours_ago range {min}-{max} is empty; give MIN-MAX with MIN <= MAX"
            )))
        }
        _ => {}
    }
    let key = engine.resolve_pack(&request.pack)?.key;
    let pack = engine.pack(&key)?;
    let fixed = match &request.facts {
        FactsChoice::Given(f) | FactsChoice::Random { fixed: f } => f,
    };
    // Refuse wrong facts once, before anything is written.
    let raw: Vec<(String, String)> = fixed
        .iter()
        .map(|(k, v)| (k.clone(), v.to_text()))
        .collect();
    Engine::parse_facts(&pack, &raw)?;

    let now = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
    let mut rng = fastrand::Rng::with_seed(request.seed);
    let mut out = Vec::new();
    for i in 0..request.count as usize {
        let facts = match &request.facts {
            FactsChoice::Given(f) => f.clone(),
            FactsChoice::Random { fixed } => {
                let mut f = random_facts(&pack, &mut rng);
                f.extend(fixed.iter().map(|(k, v)| (k.clone(), v.clone())));
                f
            }
        };
        let hours = match &request.opened_hours_ago {
            OpenedAgo::Each(h) => h[i % h.len()],
            OpenedAgo::Range { min, max } => rng.u32(*min..=*max),
        };
        let opened_at = now - Duration::hours(i64::from(hours));
        let view = engine.open_case(
            &NewCase {
                pack: key.clone(),
                facts: facts.clone(),
                label: Some(format!("Training case {}", i + 1)),
                actor: Actor::role(COORDINATOR),
            },
            opened_at,
        )?;
        let (done, in_progress) = plan_progress(&pack, &facts, request.advance, &mut rng);
        let span = (now - opened_at).num_seconds().max(0);
        let steps = done.len() as i64 + i64::from(in_progress.is_some());
        let mut k = 0i64;
        let when = |k: i64| opened_at + Duration::seconds(span * (k + 1) / (steps + 1));
        for step in &done {
            change(
                engine,
                &pack,
                &view.reference,
                step,
                StepState::Done,
                when(k),
            )?;
            k += 1;
        }
        if let Some(step) = &in_progress {
            change(
                engine,
                &pack,
                &view.reference,
                step,
                StepState::InProgress,
                when(k),
            )?;
        }
        out.push(GeneratedCase {
            reference: view.reference,
            pack: key.clone(),
            opened_at,
            facts,
            done,
            in_progress,
        });
    }
    Ok(out)
}

fn change(
    engine: &mut Engine,
    pack: &Pack,
    reference: &str,
    step: &str,
    state: StepState,
    at: DateTime<Utc>,
) -> Result<(), TrainingError> {
    let role = pack
        .step(step)
        .map(|s| s.role.clone())
        .unwrap_or_else(|| COORDINATOR.to_string());
    engine.set_step_state(
        reference,
        &StepChangeRequest {
            step: step.to_string(),
            state,
            role,
            initials: None,
            reason: None,
            note: None,
            record: Default::default(),
        },
        at,
    )?;
    Ok(())
}

/// Chooses the steps to finish: a share of the applicable steps, each only once every
/// applicable step it comes after is finished, mostly in pack order (earlier phases first);
/// then one more ready step left in progress.
fn plan_progress(
    pack: &Pack,
    facts: &Facts,
    advance: f64,
    rng: &mut fastrand::Rng,
) -> (Vec<String>, Option<String>) {
    let applicable: Vec<&str> = pack
        .steps
        .iter()
        .filter(|s| s.applies(facts))
        .map(|s| s.id.as_str())
        .collect();
    let target = (advance * applicable.len() as f64).round() as usize;
    let mut done: Vec<String> = Vec::new();
    let ready = |done: &[String]| -> Vec<&str> {
        applicable
            .iter()
            .copied()
            .filter(|id| !done.iter().any(|d| d == id))
            .filter(|id| {
                pack.step(id).is_some_and(|s| {
                    s.after.iter().all(|dep| {
                        done.iter().any(|d| d == dep)
                            || !pack.step(dep).is_some_and(|d| d.applies(facts))
                    })
                })
            })
            .collect()
    };
    while done.len() < target {
        let candidates = ready(&done);
        if candidates.is_empty() {
            break;
        }
        // Mostly the earliest ready step in pack order, sometimes another one.
        let pick = if rng.u8(0..10) < 7 {
            candidates[0]
        } else {
            candidates[rng.usize(0..candidates.len())]
        };
        done.push(pick.to_string());
    }
    let candidates = ready(&done);
    let in_progress = if advance > 0.0 && !candidates.is_empty() {
        Some(candidates[rng.usize(0..candidates.len())].to_string())
    } else {
        None
    };
    (done, in_progress)
}

/// A random answer to every fact of the pack.
fn random_facts(pack: &Pack, rng: &mut fastrand::Rng) -> Facts {
    let mut facts = Facts::new();
    for fact in &pack.facts {
        let value = match fact.kind {
            FactKind::Bool => FactValue::Bool(rng.bool()),
            FactKind::Choice => match fact.options.len() {
                0 => continue,
                n => FactValue::Choice(fact.options[rng.usize(0..n)].id.clone()),
            },
            FactKind::Multi => {
                if fact.options.is_empty() {
                    continue;
                }
                let mut chosen: Vec<String> = fact
                    .options
                    .iter()
                    .filter(|_| rng.u8(0..3) == 0)
                    .map(|o| o.id.clone())
                    .collect();
                if chosen.is_empty() {
                    chosen.push(fact.options[rng.usize(0..fact.options.len())].id.clone());
                }
                FactValue::Multi(chosen)
            }
            FactKind::Number => {
                // Small numbers, so that clocks such as "within 72 hours" are sometimes
                // running and sometimes over.
                let lo = fact.min.unwrap_or(0.0).max(0.0).ceil();
                let hi = fact.max.unwrap_or(lo + 120.0).min(lo + 120.0).floor();
                if hi < lo {
                    continue;
                }
                FactValue::Number((lo + rng.u32(0..=(hi - lo) as u32) as f64).min(hi))
            }
        };
        facts.insert(fact.id.clone(), value);
    }
    facts
}
