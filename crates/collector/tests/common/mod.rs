//! Test fixture: the real `leadtrail` binary on `127.0.0.1:0` with a fresh SQLite file in
//! a temporary directory and a fixed API token. The child is killed when the fixture is
//! dropped; its log (stderr) is kept in a file and printed when a test fails.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::Value;

pub const TOKEN: &str = "test-token-0123456789abcdef";
const START_TIMEOUT: Duration = Duration::from_secs(30);
const EXIT_TIMEOUT: Duration = Duration::from_secs(20);

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_leadtrail")
}

/// A command for the binary with no `LEADTRAIL_*` variables inherited from the caller's
/// shell, so that every test states its own settings.
pub fn command() -> Command {
    let mut cmd = Command::new(bin());
    for (name, _) in std::env::vars() {
        if name.starts_with("LEADTRAIL_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

pub struct Collector {
    child: Option<Child>,
    /// Kept open: the child may still write to stdout.
    _stdout: Option<BufReader<ChildStdout>>,
    pub base: String,
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    log: PathBuf,
    pub client: Client,
}

impl Collector {
    pub fn start() -> Collector {
        Collector::start_with(&[], &[])
    }

    /// Starts `leadtrail serve` with extra flags and environment variables.
    pub fn start_with(args: &[&str], envs: &[(&str, &str)]) -> Collector {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("leadtrail.db");
        Collector::start_in(dir, db, args, envs)
    }

    /// Starts on an existing directory and database (for restarts).
    pub fn start_in(
        dir: tempfile::TempDir,
        db: PathBuf,
        args: &[&str],
        envs: &[(&str, &str)],
    ) -> Collector {
        static STARTS: AtomicUsize = AtomicUsize::new(0);
        let log = dir.path().join(format!(
            "collector-{}.log",
            STARTS.fetch_add(1, Ordering::Relaxed)
        ));
        let mut cmd = command();
        cmd.arg("serve")
            .arg("--db")
            .arg(&db)
            .args(["--addr", "127.0.0.1:0", "--api-token", TOKEN])
            .args(args)
            // Tests post from one address faster than any person: no rate limit unless a
            // test sets one (its flags and variables win over this).
            .env("LEADTRAIL_FORM_POSTS_PER_MINUTE", "0")
            .env("LEADTRAIL_LOG", "info")
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap());
        let mut child = cmd.spawn().expect("start leadtrail");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());

        // The listening line is read on a thread so that a binary that never prints it
        // fails the test after a timeout instead of hanging it.
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut line = String::new();
            let read = stdout.read_line(&mut line);
            tx.send((read.map(|_| line), ())).ok();
            stdout
        });
        let line = match rx.recv_timeout(START_TIMEOUT) {
            Ok((Ok(line), ())) => line,
            other => {
                child.kill().ok();
                panic!(
                    "no listening line ({other:?}); log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        };
        let stdout = reader.join().unwrap();
        let base = line
            .trim_end()
            .strip_prefix("leadtrail listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        assert!(
            !base.ends_with(":0"),
            "port 0 must be replaced by the bound port"
        );

        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let collector = Collector {
            child: Some(child),
            _stdout: Some(stdout),
            base,
            dir,
            db,
            log,
            client,
        };
        collector.wait_healthy();
        collector
    }

    fn wait_healthy(&self) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            match self.client.get(self.url("/healthz")).send() {
                Ok(r) if r.status() == 200 => return,
                _ if Instant::now() > deadline => panic!("/healthz never answered 200"),
                _ => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    /// An authorised API GET: status and JSON body.
    pub fn api(&self, path: &str) -> (u16, Value) {
        let response = self.get(path).bearer_auth(TOKEN).send().unwrap();
        status_and_json(response)
    }

    /// Posts urlencoded fields asking for JSON: status and body.
    pub fn submit(&self, form: &str, fields: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .post(&format!("/f/{form}"))
            .header("accept", "application/json")
            .form(fields)
            .send()
            .unwrap();
        status_and_json(response)
    }

    /// The only person with this e-mail, via the API.
    pub fn person_by_email(&self, email: &str) -> Value {
        let (status, body) = self.api(&format!("/api/v1/persons?email={}", urlencode(email)));
        assert_eq!(status, 200, "{body}");
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{body}");
        items[0].clone()
    }

    /// Sends `signal` (e.g. `TERM`) with kill(1) and waits for the exit.
    pub fn signal_and_wait(&mut self, signal: &str) -> ExitStatus {
        let pid = self.pid().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -{signal} {pid} failed");
        self.wait_exit()
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let child = self.child.as_mut().unwrap();
        let deadline = Instant::now() + EXIT_TIMEOUT;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                self.child = None;
                return status;
            }
            if Instant::now() > deadline {
                panic!("collector did not exit; log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Gives the temporary directory (and database) to the caller, e.g. to restart on it.
    pub fn into_dir(mut self) -> (tempfile::TempDir, PathBuf) {
        self.kill();
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().unwrap());
        (dir, self.db.clone())
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("--- collector log ({}) ---\n{}", self.base, self.log());
        }
    }
}

pub fn status_and_json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("status {status}: body is not JSON ({content_type}): {text:?}"));
    (status, body)
}

/// Records a submission of the `contact` form with `touch` as its conversion touch through
/// the API; the person's id.
pub fn submit_touch(c: &Collector, email: &str, touch: Value) -> i64 {
    let response = c
        .post("/api/v1/submissions")
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({"form": "contact", "email": email, "touch": touch}))
        .send()
        .unwrap();
    let (status, body) = status_and_json(response);
    assert_eq!(status, 201, "{body}");
    body["person_id"].as_i64().unwrap()
}

/// Records a won sale of `amount` (decimal text) in `currency` for `person` through the API.
pub fn won_sale(c: &Collector, person: i64, amount: &str, currency: &str) {
    let response = c
        .post("/api/v1/sales")
        .bearer_auth(TOKEN)
        .json(
            &serde_json::json!({"person_id": person, "title": "deal", "amount": amount,
                                  "currency": currency, "status": "won"}),
        )
        .send()
        .unwrap();
    let (status, body) = status_and_json(response);
    assert_eq!(status, 201, "{body}");
}

/// The JSON error message of a response, asserting status and shape.
pub fn error_of(response: Response, status: u16) -> String {
    let (got, body) = status_and_json(response);
    assert_eq!(got, status, "{body}");
    let object = body.as_object().unwrap();
    assert_eq!(object.len(), 1, "error bodies carry only `error`: {body}");
    object["error"].as_str().unwrap().to_owned()
}

/// The text of the page a browser is shown when its form post is refused, asserting the
/// status and that it is a page without script.
pub fn refusal_page_of(response: Response, status: u16) -> String {
    assert_eq!(response.status().as_u16(), status);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert!(
        header("content-type").starts_with("text/html"),
        "{}",
        header("content-type")
    );
    assert!(header("content-security-policy").starts_with("default-src 'none'"));
    let text = response.text().unwrap();
    assert!(!text.contains("<script"), "{text}");
    text
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs `leadtrail ARGS --db DB` with `stdin` as its standard input (not a terminal, so
/// a command that asks for a password reads it from the first line).
pub fn run_with_stdin(db: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = command()
        .args(args)
        .arg("--db")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// [`run_with_stdin`] that must succeed; its standard output, trimmed.
pub fn cli_ok(db: &Path, args: &[&str], stdin: &str) -> String {
    let output = run_with_stdin(db, args, stdin);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// Opens the database file directly (read-only), as an operator would after a stop.
pub fn open_db(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

pub fn count(db: &rusqlite::Connection, table: &str) -> i64 {
    db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}
