//! An older binary started on a database a newer one migrated: it refuses with a message
//! that says what to do, and leaves the file as it was.

mod common;

use common::command;

#[test]
fn a_database_from_a_newer_leadtrail_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadtrail.db");
    let output = command()
        .args(["demo-data", "--persons", "20", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(output.status.success());
    let newer = {
        let c = rusqlite::Connection::open(&db).unwrap();
        let version: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        // What a later build's migration would leave: a higher version and a new table.
        c.execute_batch(&format!(
            "PRAGMA user_version = {}; CREATE TABLE from_a_later_build (x INTEGER);",
            version + 1
        ))
        .unwrap();
        version + 1
    };
    let bytes = std::fs::read(&db).unwrap();
    for args in [
        &["serve", "--addr", "127.0.0.1:0"][..],
        &["user", "list"][..],
        &["reclassify"][..],
    ] {
        let output = command().args(args).arg("--db").arg(&db).output().unwrap();
        assert!(!output.status.success(), "{args:?}");
        let error = String::from_utf8_lossy(&output.stderr);
        assert!(
            error.contains(&format!("schema version {newer}"))
                && error.contains("use a newer leadtrail"),
            "{args:?}: {error}"
        );
        assert_eq!(
            std::fs::read(&db).unwrap(),
            bytes,
            "{args:?} changed the file"
        );
        assert!(!dir.path().join("leadtrail.db-wal").exists());
    }
}
