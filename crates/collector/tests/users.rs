//! `leadtrail user …` and `leadtrail token …` on a real database: passwords from standard
//! input, checks before anything is stored, the token's output contract, revocation.

mod common;

use std::process::Output;

use common::run_with_stdin as run;

fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn users_are_made_listed_changed_and_disabled_from_the_shell() {
    let collector = common::Collector::start();
    let db = collector.db.clone();

    let missing = run(&collector.dir.path().join("typo.db"), &["user", "list"], "");
    assert!(!missing.status.success());
    assert!(
        text(&missing).1.contains("does not exist"),
        "{:?}",
        text(&missing)
    );
    assert!(!collector.dir.path().join("typo.db").exists());
    // Unless asked to: a first admin before the first `serve`.
    let fresh = collector.dir.path().join("fresh.db");
    let made = run(
        &fresh,
        &[
            "user",
            "create",
            "--email",
            "first@example.com",
            "--name",
            "First",
            "--role",
            "admin",
            "--create",
        ],
        "a fine long passphrase\n",
    );
    assert!(made.status.success(), "{:?}", text(&made));
    assert!(text(&run(&fresh, &["user", "list"], ""))
        .0
        .contains("first@example.com"));

    let create = |email: &str, role: &str, password: &str| {
        run(
            &db,
            &[
                "user", "create", "--email", email, "--name", "Marta K", "--role", role,
            ],
            &format!("{password}\n"),
        )
    };
    let weak = create("marta@example.com", "admin", "password123");
    assert!(!weak.status.success());
    assert!(
        text(&weak).1.contains("most common passwords"),
        "{:?}",
        text(&weak)
    );
    let short = create("marta@example.com", "admin", "short");
    assert!(
        text(&short).1.contains("at least 10 characters"),
        "{:?}",
        text(&short)
    );
    let empty = create("marta@example.com", "admin", "");
    assert!(
        text(&empty).1.contains("no password on standard input"),
        "{:?}",
        text(&empty)
    );
    let bad_email = create("marta.example.com", "admin", "a fine long passphrase");
    assert!(
        text(&bad_email).1.contains("email:"),
        "{:?}",
        text(&bad_email)
    );

    let made = create("Marta@Example.com", "admin", "a fine long passphrase");
    assert!(made.status.success(), "{:?}", text(&made));
    assert!(text(&made)
        .0
        .contains("created Marta@Example.com (Marta K) as admin"));
    let again = create("marta@example.com", "viewer", "another long passphrase");
    assert!(
        text(&again).1.contains("already exists"),
        "{:?}",
        text(&again)
    );
    assert!(create("vic@example.com", "viewer", "vic's long passphrase")
        .status
        .success());

    let list = text(&run(&db, &["user", "list"], "")).0;
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].contains("Marta@Example.com\tMarta K\tadmin\tactive"),
        "{list}"
    );
    assert!(
        lines[1].contains("vic@example.com\tMarta K\tviewer\tactive"),
        "{list}"
    );

    assert!(run(
        &db,
        &["user", "set-role", "vic@example.com", "marketer"],
        ""
    )
    .status
    .success());
    assert!(run(&db, &["user", "disable", "vic@example.com"], "")
        .status
        .success());
    let list = text(&run(&db, &["user", "list"], "")).0;
    assert!(
        list.contains("vic@example.com\tMarta K\tmarketer\tdisabled"),
        "{list}"
    );
    let unknown = run(&db, &["user", "disable", "nobody@example.com"], "");
    assert!(text(&unknown)
        .1
        .contains("no user with e-mail nobody@example.com"));

    let reset = run(
        &db,
        &["user", "reset-password", "marta@example.com"],
        "qwertyuiop\n",
    );
    assert!(
        !reset.status.success(),
        "a common password is refused on reset too"
    );
    let reset = run(
        &db,
        &["user", "reset-password", "marta@example.com"],
        "an even longer passphrase\n",
    );
    assert!(reset.status.success(), "{:?}", text(&reset));
}

#[test]
fn tokens_print_only_themselves_list_without_secrets_and_revoke() {
    let collector = common::Collector::start();
    let db = collector.db.clone();
    let made = run(
        &db,
        &[
            "user",
            "create",
            "--email",
            "v@example.com",
            "--name",
            "V",
            "--role",
            "viewer",
        ],
        "viewer's long passphrase\n",
    );
    assert!(made.status.success(), "{:?}", text(&made));

    let write = run(&db, &["token", "create", "--user", "v@example.com"], "");
    assert!(!write.status.success(), "a viewer's token cannot write");
    assert!(
        text(&write).1.contains("can only read"),
        "{:?}",
        text(&write)
    );

    let created = run(
        &db,
        &[
            "token",
            "create",
            "--name",
            "reports",
            "--user",
            "v@example.com",
            "--scope",
            "read",
            "--expires-in-days",
            "30",
        ],
        "",
    );
    assert!(created.status.success(), "{:?}", text(&created));
    let (stdout, _) = text(&created);
    let token = stdout.trim();
    assert_eq!(stdout, format!("{token}\n"), "only the token on stdout");
    assert!(token.starts_with("ltk_") && token.len() == 68, "{token}");
    let operator = text(&run(&db, &["token", "create"], "")).0;

    let list = text(&run(&db, &["token", "list"], "")).0;
    assert!(
        !list.contains(token) && !list.contains(operator.trim()),
        "{list}"
    );
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].contains("\tcli\t(operator)\twrite\t"), "{list}");
    assert!(
        lines[1].contains("\treports\tv@example.com\tread\t"),
        "{list}"
    );
    assert!(
        lines[1].ends_with("active") && !lines[1].contains("expires -"),
        "{list}"
    );
    let id = lines[1].split('\t').next().unwrap();

    let revoked = run(&db, &["token", "revoke", id], "");
    assert!(revoked.status.success(), "{:?}", text(&revoked));
    let list = text(&run(&db, &["token", "list", "--user", "v@example.com"], "")).0;
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(list.trim_end().ends_with("revoked"), "{list}");
    let unknown = run(&db, &["token", "revoke", "999"], "");
    assert!(text(&unknown).1.contains("no token with id 999"));
}
