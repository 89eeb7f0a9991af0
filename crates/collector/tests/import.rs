//! `leadtrail import` through the real binary: the examples' files, bad rows reported with
//! their lines, `--strict`, and idempotent re-runs.

mod common;

use std::path::Path;
use std::process::Output;

use common::{command, count, open_db};

fn examples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/import")
}

fn import(db: &Path, args: &[&str]) -> Output {
    command()
        .arg("import")
        .args(args)
        .arg("--db")
        .arg(db)
        .arg("--create")
        .env("LEADTRAIL_LOG", "warn")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn example_files_import_and_reimport_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadtrail.db");
    let csv = examples().join("history.csv");
    let jsonl = examples().join("history.jsonl");

    let out = import(&db, &[csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("imported 5 rows")
            && stdout.contains("5 created, 0 already there, 0 rejected"),
        "{stdout}"
    );
    let out = import(&db, &[jsonl.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("3 created"),
        "{}",
        text(&out.stdout)
    );

    {
        let c = open_db(&db);
        assert_eq!(count(&c, "persons"), 3);
        assert_eq!(count(&c, "submissions"), 3);
        assert_eq!(count(&c, "sales"), 3);
        // A person row: attribution by the attribution rules at its own time, and its status.
        let (first, lead, status, created): (String, String, String, i64) = c
            .query_row(
                "SELECT first_source, lead_source, status, created_at FROM persons WHERE email_key = 'ada@acme.example'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(
            (first.as_str(), lead.as_str(), status.as_str()),
            ("linkedin", "facebook", "qualified")
        );
        assert_eq!(created, 1_725_177_600_000);
        let history: i64 = c
            .query_row(
                // An import names no one who made the change.
                "SELECT count(*) FROM status_changes WHERE status = 'qualified' AND actor IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(history, 1);
        // A submission for a new person makes the person, with the submission's time.
        let (lead, created): (String, i64) = c
            .query_row(
                "SELECT lead_source, created_at FROM persons WHERE email_key = 'bob@beta.example'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((lead.as_str(), created), ("newsletter", 1_727_879_400_000));
        // A later submission of an existing person keeps its own conversion.
        let (conversion, channel): (String, String) = c
            .query_row(
                "SELECT conv_source, channel FROM submissions WHERE external_id = 'chat-s-7'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (conversion.as_str(), channel.as_str()),
            ("partner_a", "chat")
        );
        let consent: i64 = c
            .query_row(
                "SELECT consent_e_marketing FROM persons WHERE email_key = 'bob@beta.example'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(consent, 1);
        let (amount, currency, person): (i64, String, String) = c
            .query_row(
                "SELECT s.amount_minor, s.currency, p.email FROM sales s JOIN persons p ON p.id = s.person_id WHERE s.external_id = 'erp-o-1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(
            (amount, currency.as_str(), person.as_str()),
            (1_200_000, "EUR", "ada@acme.example")
        );
    }

    // Again: everything is already there, nothing is added.
    let out = import(&db, &[csv.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("0 created, 5 already there"),
        "{}",
        text(&out.stdout)
    );
    let out = import(&db, &["--format", "jsonl", jsonl.to_str().unwrap()]);
    assert!(
        text(&out.stdout).contains("0 created, 3 already there"),
        "{}",
        text(&out.stdout)
    );
    let c = open_db(&db);
    assert_eq!(
        (
            count(&c, "persons"),
            count(&c, "submissions"),
            count(&c, "sales")
        ),
        (3, 3, 3)
    );
}

const BAD_CSV: &str = "\
kind,external_id,email,form,at,touch_source,title,amount,currency
submission,s-1,ok1@one.example,contact,2024-01-01T00:00:00Z,google,,,
submission,s-2,not-an-email,contact,,,,,
person,,nobody@two.example,,,,,,
submission,s-3,ok2@one.example,contact,last tuesday,,,,
sale,o-1,ok1@one.example,,,,Deal,12.345,EUR
sale,o-2,ghost@nowhere.example,,,,Deal,10,EUR
meeting,m-1,ok1@one.example,,,,,,
submission,s-4,ok3@one.example,contact,,,,,
";

#[test]
fn bad_rows_are_reported_with_their_lines_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadtrail.db");
    let file = dir.path().join("bad.csv");
    std::fs::write(&file, BAD_CSV).unwrap();

    let out = import(&db, &[file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    for (line, reason) in [
        (3, "email:"),
        (4, "external_id:"),
        (5, "at:"),
        (6, "amount:"),
        (7, "no person with e-mail ghost@nowhere.example"),
        (8, "kind:"),
    ] {
        let expected = format!("line {line}: {reason}");
        assert!(
            stderr.contains(&expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
    assert!(
        !stderr.contains("line 2:") && !stderr.contains("line 9:"),
        "{stderr}"
    );
    assert!(
        text(&out.stdout).contains("8 rows")
            && text(&out.stdout).contains("2 created")
            && text(&out.stdout).contains("6 rejected"),
        "{}",
        text(&out.stdout)
    );
    let c = open_db(&db);
    assert_eq!(count(&c, "submissions"), 2);
    assert_eq!(count(&c, "sales"), 0);
}

#[test]
fn strict_stops_at_the_first_bad_row() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadtrail.db");
    let file = dir.path().join("bad.jsonl");
    std::fs::write(
        &file,
        "{\"kind\": \"submission\", \"external_id\": \"s-1\", \"form\": \"f\", \"email\": \"a@one.example\"}\n\
         \n\
         {\"kind\": \"submission\", \"external_id\": \"s-2\", \"form\": \"f\", \"email\": \"b@one.example\", \"colour\": \"red\"}\n\
         {not json}\n\
         {\"kind\": \"submission\", \"external_id\": \"s-3\", \"form\": \"f\", \"email\": \"c@one.example\"}\n",
    )
    .unwrap();
    let out = import(&db, &["--strict", file.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("line 3:") && stderr.contains("colour"),
        "{stderr}"
    );
    assert!(stderr.contains("--strict"), "{stderr}");
    assert!(
        !stderr.contains("line 4:"),
        "stopped before line 4: {stderr}"
    );
    let c = open_db(&db);
    assert_eq!(
        count(&c, "submissions"),
        1,
        "rows before the bad one are kept"
    );

    // Without --strict the malformed line is reported too, and the rest imported.
    let out = import(&db, &[file.to_str().unwrap()]);
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("line 4: malformed JSON"), "{stderr}");
    assert!(
        text(&out.stdout).contains("1 created, 1 already there, 2 rejected"),
        "{}",
        text(&out.stdout)
    );

    let unknown = dir.path().join("data.txt");
    std::fs::write(&unknown, "x").unwrap();
    let out = import(&db, &[unknown.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--format"),
        "{}",
        text(&out.stderr)
    );
}
