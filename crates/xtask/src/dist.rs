//! `cargo xtask dist`: the self-contained release binary `target/release/leadtrail`, with
//! the tracker and the demo site embedded — and the proof that it is self-contained: a
//! copy started in an empty temporary directory serves the tracker (byte for byte the
//! build just made) and the demo site, then shuts down cleanly on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};

use crate::serve::random_token;
use crate::tools::{self, Need};
use crate::tracker::{self, GLUE, LOADER, MODULE};
use crate::util::{cargo, cargo_target_dir, run};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(30);
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(15);
/// What the collector prints once it listens (a contract with crates/collector).
const LISTENING: &str = "leadtrail listening on http://";

pub(crate) fn dist() -> Result<()> {
    let tools = tools::ensure(Need::Build)?;
    tracker::build(&tools)?;
    crate::vendor::copy()?;
    tracker::report()?;
    run(cargo().args(["build", "--release", "-p", "leadtrail-collector"]))?;
    let binary = cargo_target_dir().join("release").join("leadtrail");
    check_self_contained(&binary)?;
    let size = std::fs::metadata(&binary)?.len();
    println!(
        "\nrelease binary: {} ({:.1} MiB, {size} bytes), self-contained",
        binary.display(),
        size as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = std::env::temp_dir().join(format!(
            "leadtrail-dist-check-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The collector under test; killed if it is still running when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn check_self_contained(binary: &Path) -> Result<()> {
    let dir = TempDir::new()?;
    let copy = dir.0.join("leadtrail");
    std::fs::copy(binary, &copy)
        .with_context(|| format!("cannot copy {} to {}", binary.display(), copy.display()))?;
    println!("checking a copy in {}", dir.0.display());

    let mut command = Command::new(&copy);
    command
        .args(["serve", "--db"])
        .arg(dir.0.join("check.db"))
        .args(["--addr", "127.0.0.1:0"])
        .current_dir(&dir.0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    for name in [
        "LEADTRAIL_DB",
        "LEADTRAIL_ADDR",
        "LEADTRAIL_CONFIG",
        "LEADTRAIL_MAX_BODY_BYTES",
    ] {
        command.env_remove(name);
    }
    command.env("LEADTRAIL_API_TOKEN", random_token()?);
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start {}", copy.display()))?;
    let stdout = child.stdout.take();
    let mut server = Server(child);

    let (sender, receiver) = mpsc::channel();
    if let Some(stdout) = stdout {
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                println!("[leadtrail] {line}");
                if let Some(rest) = line.strip_prefix(LISTENING) {
                    let _ = sender.send(rest.trim().to_owned());
                }
            }
        });
    }
    let addr = receiver.recv_timeout(STARTUP_TIMEOUT).with_context(|| {
        format!("the binary did not print `{LISTENING}…` within {STARTUP_TIMEOUT:?}")
    })?;

    let built = tracker::out_dir();
    for (path, name) in [
        ("/leadtrail.js", LOADER),
        ("/leadtrail_tracker.js", GLUE),
        ("/leadtrail_tracker_bg.wasm", MODULE),
    ] {
        let response = get(&addr, path)?;
        ensure!(
            response.status == 200,
            "GET {path}: status {}",
            response.status
        );
        let expected = std::fs::read(built.join(name))?;
        ensure!(
            response.body == expected,
            "GET {path}: the binary serves other bytes than {} ({} vs {} bytes): is it stale?",
            built.join(name).display(),
            response.body.len(),
            expected.len()
        );
        let wanted_type = if name == MODULE {
            "application/wasm"
        } else {
            "javascript"
        };
        let content_type = response.header("content-type").unwrap_or_default();
        ensure!(
            content_type.contains(wanted_type),
            "GET {path}: content type {content_type:?}"
        );
        println!(
            "GET {path}: 200, {content_type}, {} bytes, as built",
            response.body.len()
        );
    }
    let page = get(&addr, "/")?;
    ensure!(page.status == 200, "GET /: status {}", page.status);
    let content_type = page.header("content-type").unwrap_or_default();
    ensure!(
        content_type.contains("text/html"),
        "GET /: content type {content_type:?}"
    );
    ensure!(
        String::from_utf8_lossy(&page.body).contains("leadtrail.js"),
        "GET /: the demo page does not load the tracker"
    );
    println!("GET /: 200, {content_type}, {} bytes", page.body.len());

    stop(&mut server.0)
}

/// SIGTERM, then waits for a clean exit (the collector's graceful shutdown).
fn stop(child: &mut Child) -> Result<()> {
    run(Command::new("kill").args(["-TERM", &child.id().to_string()]))?;
    let started = Instant::now();
    while started.elapsed() < SHUTDOWN_TIMEOUT {
        if let Some(status) = child.try_wait()? {
            ensure!(
                status.success(),
                "the binary exited with {status} on SIGTERM"
            );
            println!("SIGTERM: exited cleanly");
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("the binary did not exit within {SHUTDOWN_TIMEOUT:?} of SIGTERM")
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

/// A plain HTTP/1.0 GET: the server answers with the whole body and closes, so no
/// chunked decoding or keep-alive is needed for this one check.
fn get(addr: &str, path: &str) -> Result<Response> {
    let mut stream =
        TcpStream::connect(addr).with_context(|| format!("cannot connect to {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .with_context(|| format!("GET {path}: reading the response"))?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .with_context(|| format!("GET {path}: no end of headers in the response"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("GET {path}: no status line"))?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Ok(Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    })
}
