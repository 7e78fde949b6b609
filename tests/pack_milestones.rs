//! The optional step field `milestone`: on the right steps of both shipped packs, read into
//! the model, and named by `pack diff` when it moves (the diff between the shipped
//! versions does not mention it, since both mark the same steps).

use std::path::Path;

use caseway::pack::{self, Milestone, Pack};

fn shipped(version: &str) -> (String, Pack) {
    let name = format!("barnahus-online-csa-{version}.toml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("protocols")
            .join(&name),
    )
    .unwrap();
    let v = pack::parse_pack(&name, &text).unwrap();
    assert!(v.warnings.is_empty(), "{:#?}", v.warnings);
    (text, v.pack)
}

#[test]
fn both_shipped_packs_mark_the_three_milestones_on_the_same_steps() {
    for version in ["1.0.0", "1.1.0"] {
        let (_, p) = shipped(version);
        let marked: Vec<(Milestone, &str)> = p
            .steps
            .iter()
            .filter_map(|s| s.milestone.map(|m| (m, s.id.as_str())))
            .collect();
        assert_eq!(
            marked,
            vec![
                (Milestone::ForensicInterview, "conduct-forensic-interview"),
                (Milestone::MedicalExamination, "offer-medical-examination"),
                (Milestone::TherapyStart, "crisis-support"),
            ],
            "{version}"
        );
        for m in Milestone::ALL {
            let step = p.milestone_step(m).unwrap();
            // A milestone applies to every case: no condition on it.
            assert!(step.when.is_none(), "{version}: {} is conditional", step.id);
            assert_eq!(Milestone::parse(m.as_str()), Some(m));
        }
    }
}

#[test]
fn moving_a_milestone_shows_in_the_diff() {
    let (_, old) = shipped("1.0.0");
    let (_, new) = shipped("1.1.0");
    let d = pack::diff(&old, &new);
    assert!(d
        .steps
        .changed
        .iter()
        .all(|c| c.fields.iter().all(|f| f.field != "milestone")));

    let (text, _) = shipped("1.1.0");
    let moved = text
        .replacen("milestone = \"therapy-start\"\n", "", 1)
        .replacen(
            "id = \"offer-therapy\"\nphase = \"therapy\"\nrole = \"therapy\"\n",
            "id = \"offer-therapy\"\nphase = \"therapy\"\nrole = \"therapy\"\nmilestone = \"therapy-start\"\n",
            1,
        );
    let moved = pack::parse_pack("moved.toml", &moved).unwrap().pack;
    assert_eq!(
        moved.milestone_step(Milestone::TherapyStart).unwrap().id,
        "offer-therapy"
    );
    let d = pack::diff(&new, &moved);
    let fields: Vec<(String, String, String, String)> = d
        .steps
        .changed
        .iter()
        .flat_map(|c| {
            c.fields
                .iter()
                .map(|f| (c.id.clone(), f.field.clone(), f.old.clone(), f.new.clone()))
        })
        .collect();
    assert_eq!(
        fields,
        vec![
            (
                "crisis-support".to_string(),
                "milestone".to_string(),
                "therapy-start".to_string(),
                String::new()
            ),
            (
                "offer-therapy".to_string(),
                "milestone".to_string(),
                String::new(),
                "therapy-start".to_string()
            ),
        ]
    );
    assert!(
        d.affects_running_cases.is_empty(),
        "{:?}",
        d.affects_running_cases
    );
}
