//! Validating a generated pack of 5,000 steps, against a bare `toml` parse of the same text.

use std::fmt::Write;

use criterion::{criterion_group, criterion_main, Criterion};

/// A pack with `steps` steps across 8 phases and 6 roles; a third of the steps have a
/// condition, most wait for an earlier step, every fourth has a deadline.
fn generated_pack(steps: usize) -> String {
    let mut s = String::from(
        r#"format = 1

[pack]
id = "generated"
version = "1.0.0"
status = "draft"
title = { en = "Generated", sv = "Genererad" }
default_language = "en"
languages = ["en", "sv"]

[[fact]]
id = "online_element"
kind = "bool"
question = { en = "Online?", sv = "På nätet?" }

[[fact]]
id = "age_band"
kind = "choice"
question = { en = "Age band", sv = "Åldersgrupp" }
options = [ { id = "0-5", label = { en = "0-5", sv = "0-5" } },
            { id = "6-11", label = { en = "6-11", sv = "6-11" } },
            { id = "12-17", label = { en = "12-17", sv = "12-17" } } ]

[[fact]]
id = "abuse_types"
kind = "multi"
question = { en = "Forms", sv = "Former" }
options = [ { id = "grooming", label = { en = "Grooming", sv = "Grooming" } },
            { id = "sextortion", label = { en = "Sextortion", sv = "Sextortion" } } ]

[[fact]]
id = "hours"
kind = "number"
question = { en = "Hours", sv = "Timmar" }
"#,
    );
    for r in 0..6 {
        let _ = write!(
            s,
            "\n[[role]]\nid = \"role-{r}\"\ntitle = {{ en = \"Role {r}\", sv = \"Roll {r}\" }}\n"
        );
    }
    for p in 0..8 {
        let _ = write!(
            s,
            "\n[[phase]]\nid = \"phase-{p}\"\ntitle = {{ en = \"Phase {p}\", sv = \"Fas {p}\" }}\n"
        );
    }
    let conditions = [
        "online_element",
        "online_element and abuse_types has 'sextortion'",
        "age_band in ['6-11', '12-17'] or hours < 72",
    ];
    for i in 0..steps {
        let _ = write!(
            s,
            "\n[[step]]\nid = \"step-{i}\"\nphase = \"phase-{}\"\nrole = \"role-{}\"\ntitle = {{ en = \"Step {i}\", sv = \"Steg {i}\" }}\nguidance = {{ en = \"Do step {i} carefully.\", sv = \"Gör steg {i} noga.\" }}\n",
            i * 8 / steps,
            i % 6
        );
        if i % 3 == 0 {
            let _ = writeln!(s, "when = \"{}\"", conditions[(i / 3) % 3]);
        }
        if i > 0 {
            let _ = writeln!(s, "after = [\"step-{}\"]", i - 1);
        }
        if i % 4 == 0 {
            let _ = writeln!(
                s,
                "due = {{ within = \"{}wd\", from = \"opened\" }}",
                1 + i % 10
            );
        }
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = generated_pack(5_000);
    // The generated pack must be valid, or the benchmark would measure the error path.
    let v = caseway::pack::parse_pack("generated.toml", &text).expect("generated pack is valid");
    assert_eq!(v.pack.steps.len(), 5_000);

    let mut g = c.benchmark_group("pack_5000_steps");
    g.sample_size(10);
    g.bench_function("caseway_validate", |b| {
        b.iter(|| caseway::pack::parse_pack("generated.toml", std::hint::black_box(&text)))
    });
    g.bench_function("toml_parse_only", |b| {
        b.iter(|| toml::from_str::<toml::Value>(std::hint::black_box(&text)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
