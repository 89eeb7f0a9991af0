//! Backups and restores through the binary: `leadtrail backup` while posts arrive, the
//! scheduled backups of `serve`, and `leadtrail restore` with its refusals.

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{command, count, open_db, Collector};

fn run(args: &[&str], db: &Path) -> std::process::Output {
    command().args(args).arg("--db").arg(db).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn emails_in(db: &Path) -> std::collections::HashSet<String> {
    let c = open_db(db);
    let mut s = c.prepare("SELECT email FROM persons").unwrap();
    s.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Posts from a few threads until stopped; every acknowledged post's e-mail, with the
/// time its answer arrived and how long it took.
struct Posters {
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<(Instant, Duration, String)>>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Posters {
    fn start(base: &str, threads: usize) -> Posters {
        let stop = Arc::new(AtomicBool::new(false));
        let acked = Arc::new(Mutex::new(Vec::new()));
        let threads = (0..threads)
            .map(|t| {
                let (stop, acked, url) = (stop.clone(), acked.clone(), format!("{base}/f/backup"));
                std::thread::spawn(move || {
                    let client = reqwest::blocking::Client::new();
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let email = format!("p{t}-{n}@backup.example");
                        n += 1;
                        let sent = Instant::now();
                        let response = client
                            .post(&url)
                            .header("accept", "application/json")
                            .form(&[("email", email.as_str())])
                            .send()
                            .unwrap();
                        assert_eq!(response.status().as_u16(), 201);
                        acked
                            .lock()
                            .unwrap()
                            .push((Instant::now(), sent.elapsed(), email));
                    }
                })
            })
            .collect();
        Posters {
            stop,
            acked,
            threads,
        }
    }

    fn stop(self) -> Vec<(Instant, Duration, String)> {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            t.join().unwrap();
        }
        Arc::try_unwrap(self.acked).unwrap().into_inner().unwrap()
    }
}

#[test]
fn a_backup_taken_while_posts_arrive_holds_every_earlier_post_and_restores() {
    // Some history, so that the copy takes more than an instant.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadtrail.db");
    let output = command()
        .args(["demo-data", "--persons", "3000", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let collector = Collector::start_in(dir, db, &[], &[]);

    let posters = Posters::start(&collector.base, 4);
    std::thread::sleep(Duration::from_millis(500));
    let backup = collector.dir.path().join("copy.db");
    let started = Instant::now();
    let output = run(&["backup", "--to", backup.to_str().unwrap()], &collector.db);
    let finished = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    let acked = posters.stop();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let summary = text(&output.stdout);
    assert!(summary.contains("integrity ok"), "{summary}");
    assert!(summary.contains("  persons: "), "{summary}");

    let in_copy = emails_in(&backup);
    let before: Vec<_> = acked.iter().filter(|(at, _, _)| *at < started).collect();
    assert!(
        before.len() > 20,
        "too few posts before the backup: {}",
        before.len()
    );
    for (_, _, email) in &before {
        assert!(
            in_copy.contains(email),
            "{email} was acknowledged before the backup began"
        );
    }
    // The printed count is the copy's.
    let persons = count(&open_db(&backup), "persons");
    assert!(
        summary.contains(&format!("  persons: {persons} rows")),
        "{summary}"
    );
    let during: Vec<Duration> = acked
        .iter()
        .filter(|(at, took, _)| *at > started + Duration::ZERO && *at - *took < finished)
        .map(|(_, took, _)| *took)
        .collect();
    assert!(!during.is_empty(), "posts went on during the backup");
    let worst = during.iter().max().unwrap();
    eprintln!(
        "backup took {:?}; {} posts answered during it, slowest {:?}",
        finished - started,
        during.len(),
        worst
    );

    // Restore it in place of the live database once the collector has stopped.
    let (dir, db) = collector.into_dir();
    let output = command()
        .args(["restore", backup.to_str().unwrap(), "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let said = text(&output.stdout);
    assert!(said.contains("the replaced database is kept at"), "{said}");
    let aside = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            name.starts_with("leadtrail.db.replaced-")
                && !name.ends_with("-wal")
                && !name.ends_with("-shm")
        })
        .expect("the replaced database is kept");
    // The set-aside file, with its WAL, still holds every acknowledged post.
    let kept = emails_in(&aside);
    assert!(acked.iter().all(|(_, _, e)| kept.contains(e)));
    assert_eq!(emails_in(&db), in_copy);

    let collector = Collector::start_in(dir, db, &[], &[]);
    let before_email = &before[0].2;
    let person = collector.person_by_email(before_email);
    assert_eq!(person["email"], before_email.as_str());
}

#[test]
fn restore_refuses_a_file_that_is_not_a_leadtrail_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadtrail.db");
    let output = command()
        .args(["demo-data", "--persons", "10", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let before = std::fs::read(&db).unwrap();

    let plain = dir.path().join("notes.txt");
    std::fs::write(&plain, "hello, not a database\n".repeat(100)).unwrap();
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE things (x); INSERT INTO things VALUES (1);")
        .unwrap();
    for (file, expected) in [
        (&plain, "is not a SQLite database"),
        (&other, "is not a leadtrail database"),
    ] {
        let output = run(&["restore", file.to_str().unwrap()], &db);
        assert!(!output.status.success());
        let error = text(&output.stderr);
        assert!(error.contains(expected), "{error}");
        assert_eq!(
            std::fs::read(&db).unwrap(),
            before,
            "the database is untouched"
        );
    }
}

#[test]
fn restore_refuses_a_backup_newer_than_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("leadtrail.db");
    let output = command()
        .args(["demo-data", "--persons", "10", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let newer = dir.path().join("newer.db");
    let output = run(&["backup", "--to", newer.to_str().unwrap()], &db);
    assert!(output.status.success(), "{}", text(&output.stderr));
    rusqlite::Connection::open(&newer)
        .unwrap()
        .execute_batch("PRAGMA user_version = 999; CREATE TABLE from_the_future (x);")
        .unwrap();
    let before = std::fs::read(&db).unwrap();
    let output = run(&["restore", newer.to_str().unwrap()], &db);
    assert!(!output.status.success());
    let error = text(&output.stderr);
    assert!(
        error.contains("schema version 999") && error.contains("use a newer leadtrail"),
        "{error}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn restore_refuses_while_the_collector_serves() {
    let collector = Collector::start();
    let (status, _) = collector.submit("contact", &[("email", "kept@example.com")]);
    assert_eq!(status, 201);
    let backup = collector.dir.path().join("copy.db");
    let output = run(&["backup", "--to", backup.to_str().unwrap()], &collector.db);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let output = run(&["restore", backup.to_str().unwrap()], &collector.db);
    assert!(!output.status.success());
    let error = text(&output.stderr);
    assert!(
        error.contains("a leadtrail collector is serving") && error.contains("stop it"),
        "{error}"
    );
    // Still serving its own database.
    collector.person_by_email("kept@example.com");
    // A second collector on the same file is refused the same way.
    let output = command()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&collector.db)
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("a leadtrail collector is serving"));
    // Backing up to a file that exists is refused too (it would overwrite a backup).
    let output = run(&["backup", "--to", backup.to_str().unwrap()], &collector.db);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("already exists"));
}

#[test]
fn serve_takes_backups_on_schedule_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    // A file the schedule did not make is never deleted.
    std::fs::write(backups.join("keep-me.txt"), "mine").unwrap();
    let collector = Collector::start_with(
        &[
            "--backup-every",
            "1s",
            "--backup-dir",
            backups.to_str().unwrap(),
        ],
        &[("LEADTRAIL_BACKUP_KEEP", "2")],
    );
    let (status, _) = collector.submit("contact", &[("email", "scheduled@example.com")]);
    assert_eq!(status, 201);
    let ours = || -> Vec<std::path::PathBuf> {
        let mut files: Vec<_> = std::fs::read_dir(&backups)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "db"))
            .collect();
        files.sort();
        files
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while collector.log().matches("backup taken").count() < 4 {
        assert!(Instant::now() < deadline, "log:\n{}", collector.log());
        std::thread::sleep(Duration::from_millis(200));
    }
    let files = ours();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(backups.join("keep-me.txt").exists());
    let newest = files.last().unwrap();
    assert!(emails_in(newest).contains("scheduled@example.com"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(newest).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn a_schedule_without_a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = command()
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--backup-every",
            "24h",
            "--db",
        ])
        .arg(dir.path().join("x.db"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("backup_every needs backup_dir"));
}
