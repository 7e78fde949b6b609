//! What changed between two versions of a pack, and which changes affect running cases when
//! they are migrated (migration keeps the state of every step whose id still exists and
//! archives the others).

use serde::Serialize;

use super::model::*;

/// One field that changed; texts are compared language by language (`title.sv`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
    /// Whether a migrated case behaves differently because of it (applicability, order,
    /// deadlines, ownership, obligations), as opposed to wording or presentation.
    pub affects_running_cases: bool,
}

/// An item (role, phase, fact or step) present in both versions with changed fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub id: String,
    pub fields: Vec<FieldChange>,
}

impl Change {
    pub fn affects_running_cases(&self) -> bool {
        self.fields.iter().any(|f| f.affects_running_cases)
    }
}

/// A changed step.
pub type StepChange = Change;

/// Added, removed and changed items of one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ItemChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<Change>,
}

impl ItemChanges {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// The difference between two pack versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackDiff {
    pub old: String,
    pub new: String,
    /// Changes to `[pack]` fields (status, title, languages ...).
    pub pack: Vec<FieldChange>,
    pub roles: ItemChanges,
    pub phases: ItemChanges,
    pub facts: ItemChanges,
    pub steps: ItemChanges,
    /// Plain statements of what migrating a running case to the new version changes.
    pub affects_running_cases: Vec<String>,
}

impl PackDiff {
    pub fn is_empty(&self) -> bool {
        self.pack.is_empty()
            && self.roles.is_empty()
            && self.phases.is_empty()
            && self.facts.is_empty()
            && self.steps.is_empty()
    }
}

struct Fields {
    out: Vec<FieldChange>,
}

impl Fields {
    fn new() -> Self {
        Fields { out: Vec::new() }
    }

    fn cmp(&mut self, field: &str, old: String, new: String, affects: bool) {
        if old != new {
            self.out.push(FieldChange {
                field: field.to_string(),
                old,
                new,
                affects_running_cases: affects,
            });
        }
    }

    fn text(&mut self, field: &str, old: Option<&Text>, new: Option<&Text>) {
        let empty = Text::default();
        let (o, n) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
        let mut langs: Vec<&String> = o.0.keys().chain(n.0.keys()).collect();
        langs.sort();
        langs.dedup();
        for l in langs {
            self.cmp(
                &format!("{field}.{l}"),
                o.0.get(l).cloned().unwrap_or_default(),
                n.0.get(l).cloned().unwrap_or_default(),
                false,
            );
        }
    }
}

fn list(v: &[String]) -> String {
    v.join(", ")
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

fn due_str(d: &Option<Due>) -> String {
    match d {
        None => String::new(),
        Some(d) => format!("{} after {}", d.within, d.from),
    }
}

fn options_str(o: &[FactOption]) -> String {
    o.iter()
        .map(|x| x.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn items<T>(
    old: &[T],
    new: &[T],
    id: fn(&T) -> &str,
    fields: impl Fn(&T, &T) -> Vec<FieldChange>,
) -> ItemChanges {
    let mut c = ItemChanges::default();
    for n in new {
        match old.iter().find(|o| id(o) == id(n)) {
            None => c.added.push(id(n).to_string()),
            Some(o) => {
                let f = fields(o, n);
                if !f.is_empty() {
                    c.changed.push(Change {
                        id: id(n).to_string(),
                        fields: f,
                    });
                }
            }
        }
    }
    for o in old {
        if !new.iter().any(|n| id(n) == id(o)) {
            c.removed.push(id(o).to_string());
        }
    }
    c
}

/// Compares two versions of a pack (normally the same id).
pub fn diff(old: &Pack, new: &Pack) -> PackDiff {
    let mut pack = Fields::new();
    pack.cmp("id", old.id.clone(), new.id.clone(), true);
    pack.cmp(
        "version",
        old.version.to_string(),
        new.version.to_string(),
        false,
    );
    pack.cmp(
        "status",
        old.status.as_str().into(),
        new.status.as_str().into(),
        false,
    );
    pack.text("title", Some(&old.title), Some(&new.title));
    pack.text("summary", old.summary.as_ref(), new.summary.as_ref());
    pack.cmp("publisher", opt(&old.publisher), opt(&new.publisher), false);
    pack.cmp(
        "jurisdiction",
        opt(&old.jurisdiction),
        opt(&new.jurisdiction),
        false,
    );
    pack.cmp("effective", opt(&old.effective), opt(&new.effective), false);
    pack.cmp(
        "default_language",
        old.default_language.clone(),
        new.default_language.clone(),
        false,
    );
    pack.cmp(
        "languages",
        list(&old.languages),
        list(&new.languages),
        false,
    );
    pack.cmp("retention", opt(&old.retention), opt(&new.retention), true);
    // Phases are ordered: a new order of the phases both versions have is a change too.
    let order = |a: &Pack, b: &Pack| -> Vec<String> {
        a.phases
            .iter()
            .filter(|p| b.phase(&p.id).is_some())
            .map(|p| p.id.clone())
            .collect()
    };
    pack.cmp(
        "phase order",
        list(&order(old, new)),
        list(&order(new, old)),
        false,
    );

    let roles = items(
        &old.roles,
        &new.roles,
        |r| &r.id,
        |o, n| {
            let mut f = Fields::new();
            f.text("title", Some(&o.title), Some(&n.title));
            f.out
        },
    );
    let phases = items(
        &old.phases,
        &new.phases,
        |p| &p.id,
        |o, n| {
            let mut f = Fields::new();
            f.text("title", Some(&o.title), Some(&n.title));
            f.out
        },
    );
    let facts = items(
        &old.facts,
        &new.facts,
        |x| &x.id,
        |o, n| {
            let mut f = Fields::new();
            f.cmp("kind", o.kind.as_str().into(), n.kind.as_str().into(), true);
            f.text("question", Some(&o.question), Some(&n.question));
            f.cmp(
                "options",
                options_str(&o.options),
                options_str(&n.options),
                true,
            );
            for (oo, no) in o
                .options
                .iter()
                .filter_map(|oo| n.option(&oo.id).map(|no| (oo, no)))
            {
                f.text(
                    &format!("options.{}.label", oo.id),
                    Some(&oo.label),
                    Some(&no.label),
                );
            }
            f.cmp("min", opt(&o.min), opt(&n.min), true);
            f.cmp("max", opt(&o.max), opt(&n.max), true);
            f.out
        },
    );
    let steps = items(
        &old.steps,
        &new.steps,
        |s| &s.id,
        |o, n| {
            let mut f = Fields::new();
            f.cmp("phase", o.phase.clone(), n.phase.clone(), false);
            f.cmp("role", o.role.clone(), n.role.clone(), true);
            f.cmp("support", list(&o.support), list(&n.support), false);
            f.text("title", Some(&o.title), Some(&n.title));
            f.text("guidance", o.guidance.as_ref(), n.guidance.as_ref());
            f.cmp(
                "required",
                o.required.as_str().into(),
                n.required.as_str().into(),
                true,
            );
            f.cmp(
                "priority",
                o.priority.as_str().into(),
                n.priority.as_str().into(),
                false,
            );
            if o.when != n.when {
                f.cmp(
                    "when",
                    o.when
                        .as_ref()
                        .map(|c| c.source().to_string())
                        .unwrap_or_default(),
                    n.when
                        .as_ref()
                        .map(|c| c.source().to_string())
                        .unwrap_or_default(),
                    true,
                );
            }
            let (mut oa, mut na) = (o.after.clone(), n.after.clone());
            oa.sort();
            na.sort();
            f.cmp("after", list(&oa), list(&na), true);
            f.cmp("due", due_str(&o.due), due_str(&n.due), true);
            let refs = |r: &[Reference]| {
                r.iter()
                    .map(|x| match &x.url {
                        Some(u) => format!("{} <{u}>", x.label),
                        None => x.label.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            f.cmp(
                "references",
                refs(&o.references),
                refs(&n.references),
                false,
            );
            let rec = |r: &[RecordField]| {
                r.iter()
                    .map(|x| format!("{} ({})", x.id, x.kind.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            f.cmp("record", rec(&o.record), rec(&n.record), true);
            let milestone = |m: Option<Milestone>| m.map_or("", |m| m.as_str()).to_string();
            f.cmp(
                "milestone",
                milestone(o.milestone),
                milestone(n.milestone),
                false,
            );
            f.out
        },
    );

    let mut impact = Vec::new();
    for id in &steps.added {
        let s = new.step(id);
        let cond = s
            .and_then(|s| s.when.as_ref())
            .map(|c| format!(" where `{}`", c.source()))
            .unwrap_or_default();
        impact.push(format!("new step `{id}` appears in migrated cases{cond}"));
    }
    for id in &steps.removed {
        impact.push(format!(
            "step `{id}` no longer exists: its state is archived in migrated cases"
        ));
    }
    for c in &steps.changed {
        for fc in c.fields.iter().filter(|f| f.affects_running_cases) {
            let what = match fc.field.as_str() {
                "when" => "applicability",
                "after" => "prerequisites",
                "due" => "deadline",
                "role" => "owning role",
                "required" => "obligation",
                "record" => "recorded fields",
                other => other,
            };
            impact.push(format!(
                "step `{}`: {what} changes from `{}` to `{}`",
                c.id,
                if fc.old.is_empty() { "none" } else { &fc.old },
                if fc.new.is_empty() { "none" } else { &fc.new }
            ));
        }
    }
    for id in &facts.added {
        impact.push(format!(
            "new fact `{id}` is unanswered in migrated cases: steps that test it stay hidden until it is answered"
        ));
    }
    for id in &facts.removed {
        impact.push(format!(
            "fact `{id}` no longer exists: its answer is archived in migrated cases"
        ));
    }
    for c in &facts.changed {
        if c.affects_running_cases() {
            impact.push(format!(
                "fact `{}` changes ({}): check its answer in migrated cases",
                c.id,
                c.fields
                    .iter()
                    .filter(|f| f.affects_running_cases)
                    .map(|f| f.field.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    for id in &roles.removed {
        impact.push(format!("role `{id}` no longer exists"));
    }
    if old.retention != new.retention {
        impact.push(format!(
            "retention of closed cases changes from {} to {}",
            opt(&old.retention),
            opt(&new.retention)
        ));
    }

    PackDiff {
        old: old.key(),
        new: new.key(),
        pack: pack.out,
        roles,
        phases,
        facts,
        steps,
        affects_running_cases: impact,
    }
}

/// Old and new value on one line each, cut to about 160 characters around the first
/// difference (the JSON output keeps them whole).
fn excerpts(old: &str, new: &str) -> (String, String) {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (o, n): (Vec<char>, Vec<char>) = (flat(old).chars().collect(), flat(new).chars().collect());
    let common = o.iter().zip(&n).take_while(|(a, b)| a == b).count();
    let start = if o.len().max(n.len()) > 160 {
        common.saturating_sub(40)
    } else {
        0
    };
    let cut = |v: &[char], raw: &str| {
        if raw.is_empty() {
            return "(none)".to_string();
        }
        let from = start.min(v.len());
        let to = (from + 160).min(v.len());
        let mut s: String = v[from..to].iter().collect();
        if from > 0 {
            s.insert_str(0, "...");
        }
        if to < v.len() {
            s.push_str("...");
        }
        s
    };
    (cut(&o, old), cut(&n, new))
}

impl std::fmt::Display for PackDiff {
    /// A readable report, as `caseway pack diff` prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} -> {}", self.old, self.new)?;
        if self.is_empty() {
            return writeln!(f, "no differences");
        }
        let field = |f: &mut std::fmt::Formatter<'_>, fc: &FieldChange, indent: &str| {
            let mark = if fc.affects_running_cases {
                " [affects running cases]"
            } else {
                ""
            };
            writeln!(f, "{indent}{}:{mark}", fc.field)?;
            let (old, new) = excerpts(&fc.old, &fc.new);
            writeln!(f, "{indent}  - {old}")?;
            writeln!(f, "{indent}  + {new}")
        };
        if !self.pack.is_empty() {
            writeln!(f, "\n[pack]")?;
            for fc in &self.pack {
                field(f, fc, "  ")?;
            }
        }
        for (name, c) in [
            ("steps", &self.steps),
            ("roles", &self.roles),
            ("phases", &self.phases),
            ("facts", &self.facts),
        ] {
            if c.is_empty() {
                continue;
            }
            writeln!(f, "\n{name}:")?;
            for id in &c.added {
                writeln!(f, "  + {id} (added)")?;
            }
            for id in &c.removed {
                writeln!(f, "  - {id} (removed)")?;
            }
            for ch in &c.changed {
                writeln!(f, "  ~ {} (changed)", ch.id)?;
                for fc in &ch.fields {
                    field(f, fc, "      ")?;
                }
            }
        }
        writeln!(f, "\naffects running cases on migration:")?;
        if self.affects_running_cases.is_empty() {
            writeln!(f, "  nothing: wording and presentation only")?;
        }
        for line in &self.affects_running_cases {
            writeln!(f, "  * {line}")?;
        }
        Ok(())
    }
}
