//! Whether one condition can be false while another is true: the reasoning behind warning
//! P102 ("a step depends on a step that can be inapplicable when it is applicable").

use super::condition::{Condition, Expr, Value};
use super::model::{Fact, FactKind, FactValue, Facts};

/// The options of fact `id` that the conditions name, in order of first mention.
fn named_options(conds: &[&Condition], id: &str) -> Vec<String> {
    let mut named: Vec<String> = Vec::new();
    for c in conds {
        for (f, v) in c.literals() {
            if let (true, Value::Str(s)) = (f == id, v) {
                if !named.contains(s) {
                    named.push(s.clone());
                }
            }
        }
    }
    named
}

/// Most answer combinations tried when comparing two conditions.
const MAX_COMBINATIONS: usize = 4096;

/// Looks for answers where `own` holds (or there is no `own`) and `dep` does not; returns a
/// readable example, or `None` if there is none. Tries every relevant combination of answers
/// (including "not answered") when there are few enough; otherwise compares the conditions
/// structurally (`own` must contain `dep` as one of its `and` terms).
pub(crate) fn applicable_without(
    own: Option<&Condition>,
    dep: &Condition,
    facts: &[Fact],
) -> Option<String> {
    let mut used: Vec<&str> = dep.facts_used();
    if let Some(o) = own {
        for f in o.facts_used() {
            if !used.contains(&f) {
                used.push(f);
            }
        }
    }
    // Candidate answers per fact.
    let mut domains: Vec<(&str, Vec<Option<FactValue>>)> = Vec::new();
    let conds: Vec<&Condition> = own.into_iter().chain(std::iter::once(dep)).collect();
    for id in &used {
        let Some(fact) = facts.iter().find(|f| f.id == *id) else {
            continue;
        };
        let mut vals: Vec<Option<FactValue>> = vec![None];
        match fact.kind {
            FactKind::Bool => {
                vals.push(Some(FactValue::Bool(true)));
                vals.push(Some(FactValue::Bool(false)));
            }
            FactKind::Choice => {
                let named = named_options(&conds, id);
                for o in &fact.options {
                    if named.contains(&o.id) {
                        vals.push(Some(FactValue::Choice(o.id.clone())));
                    }
                }
                // One option no condition names stands for all the others.
                if let Some(other) = fact.options.iter().find(|o| !named.contains(&o.id)) {
                    vals.push(Some(FactValue::Choice(other.id.clone())));
                }
            }
            FactKind::Multi => {
                let named = named_options(&conds, id);
                if named.len() > 12 {
                    return structural(own, dep);
                }
                for mask in 0..(1u32 << named.len()) {
                    let set: Vec<String> = named
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| mask & (1 << k) != 0)
                        .map(|(_, s)| s.clone())
                        .collect();
                    vals.push(Some(FactValue::Multi(set)));
                }
            }
            FactKind::Number => {
                let mut points: Vec<f64> = Vec::new();
                for c in &conds {
                    for (f, n) in c.thresholds() {
                        if f == *id {
                            points.push(n);
                        }
                    }
                }
                points.sort_by(f64::total_cmp);
                points.dedup();
                let mut cands = Vec::new();
                if let (Some(first), Some(last)) = (points.first(), points.last()) {
                    cands.push(first - 1.0);
                    cands.push(last + 1.0);
                } else {
                    cands.push(0.0);
                }
                for w in points.windows(2) {
                    cands.push((w[0] + w[1]) / 2.0);
                }
                cands.extend(points.iter().copied());
                vals.extend(cands.into_iter().map(|n| Some(FactValue::Number(n))));
            }
        }
        domains.push((id, vals));
    }
    let total = domains.iter().try_fold(1usize, |acc, (_, v)| {
        acc.checked_mul(v.len()).filter(|t| *t <= MAX_COMBINATIONS)
    });
    let Some(total) = total else {
        return structural(own, dep);
    };
    let mut answers = Facts::new();
    for combo in 0..total {
        answers.clear();
        let mut rest = combo;
        for (id, vals) in &domains {
            let k = rest % vals.len();
            rest /= vals.len();
            if let Some(v) = &vals[k] {
                answers.insert(id.to_string(), v.clone());
            }
        }
        let own_ok = own.is_none_or(|c| c.eval(&answers));
        if own_ok && !dep.eval(&answers) {
            return Some(describe(&domains, &answers));
        }
    }
    None
}

fn structural(own: Option<&Condition>, dep: &Condition) -> Option<String> {
    let dep_c = dep.canonical();
    let implied = own.is_some_and(|o| match o.expr() {
        Expr::And(items) => items.iter().any(|e| e.to_string() == dep_c),
        e => e.to_string() == dep_c,
    });
    if implied {
        None
    } else {
        Some(format!("e.g. when `{}` is false", dep.source()))
    }
}

fn describe(domains: &[(&str, Vec<Option<FactValue>>)], answers: &Facts) -> String {
    let parts: Vec<String> = domains
        .iter()
        .map(|(id, _)| match answers.get(*id) {
            None => format!("{id} not answered"),
            Some(FactValue::Bool(b)) => format!("{id} = {b}"),
            Some(FactValue::Choice(c)) => format!("{id} = '{c}'"),
            Some(FactValue::Multi(m)) if m.is_empty() => format!("{id} = none"),
            Some(FactValue::Multi(m)) => format!("{id} = [{}]", m.join(", ")),
            Some(FactValue::Number(n)) => format!("{id} = {n}"),
        })
        .collect();
    format!("e.g. when {}", parts.join(", "))
}
