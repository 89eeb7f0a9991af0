//! `cargo xtask run`: builds everything and starts the collector on 127.0.0.1:8080 with
//! `./leadtrail.db`, the demo site at `/`, after printing the URLs, the API token and the
//! demo admin's credentials (for local use only).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::tools::{self, Need};
use crate::tracker;
use crate::util::{cargo, cargo_target_dir, repo_root, run};
use crate::vendor;

const DEFAULT_ADDR: &str = "127.0.0.1:8080";
const DEFAULT_DB: &str = "./leadtrail.db";
/// Where `run` keeps the API token between runs (git-ignored).
const TOKEN_FILE: &str = ".leadtrail-token";
/// Where `run` keeps the demo admin's password between runs (git-ignored).
const ADMIN_PASSWORD_FILE: &str = ".leadtrail-admin-password";
/// The demo admin `run` signs in as: a local development account, never a real one.
pub(crate) const DEMO_ADMIN_EMAIL: &str = "admin@example.com";

/// The value of `--name VALUE` or `--name=VALUE` among `args`.
fn flag_value<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().enumerate().find_map(|(i, arg)| {
        if arg == name {
            args.get(i + 1).map(String::as_str)
        } else {
            arg.strip_prefix(name)?.strip_prefix('=')
        }
    })
}

/// A random token: 32 bytes from the OS, as 64 hex digits.
pub(crate) fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    let mut random = std::fs::File::open("/dev/urandom").context("cannot open /dev/urandom")?;
    std::io::Read::read_exact(&mut random, &mut bytes).context("cannot read /dev/urandom")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `LEADTRAIL_API_TOKEN`, else the token in `.leadtrail-token`, else a new one saved there.
fn api_token(root: &Path) -> Result<(String, String)> {
    if let Ok(token) = std::env::var("LEADTRAIL_API_TOKEN") {
        if !token.trim().is_empty() {
            return Ok((token.trim().to_owned(), "LEADTRAIL_API_TOKEN".to_owned()));
        }
    }
    let path = root.join(TOKEN_FILE);
    if let Ok(saved) = std::fs::read_to_string(&path) {
        let saved = saved.trim();
        if saved.len() >= 32 {
            return Ok((saved.to_owned(), TOKEN_FILE.to_owned()));
        }
    }
    let token = random_token()?;
    write_private(&path, &token).with_context(|| format!("cannot write {}", path.display()))?;
    Ok((token, format!("{TOKEN_FILE}, new")))
}

/// The demo admin's password: the one saved in `.leadtrail-admin-password`, else a new one
/// saved there.
fn admin_password(root: &Path) -> Result<String> {
    let path = root.join(ADMIN_PASSWORD_FILE);
    if let Ok(saved) = std::fs::read_to_string(&path) {
        let saved = saved.trim();
        if saved.len() >= 16 {
            return Ok(saved.to_owned());
        }
    }
    let password = random_token()?[..24].to_owned();
    write_private(&path, &password).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(password)
}

/// Makes sure the database has the demo admin with `password`: created (with the database
/// when there is none yet), or given the password again when it exists.
pub(crate) fn ensure_demo_admin(
    binary: &Path,
    root: &Path,
    db: &str,
    password: &str,
) -> Result<()> {
    let listed = Command::new(binary)
        .args(["user", "list", "--db", db])
        .current_dir(root)
        .output()
        .context("cannot list users")?;
    let exists = listed.status.success()
        && String::from_utf8_lossy(&listed.stdout)
            .lines()
            .any(|line| line.split('\t').nth(1) == Some(DEMO_ADMIN_EMAIL));
    let mut command = Command::new(binary);
    if exists {
        command.args(["user", "reset-password", DEMO_ADMIN_EMAIL, "--db", db]);
    } else {
        command.args([
            "user",
            "create",
            "--email",
            DEMO_ADMIN_EMAIL,
            "--name",
            "Demo admin",
            "--role",
            "admin",
            "--create",
            "--db",
            db,
        ]);
    }
    let mut child = command
        .current_dir(root)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .context("cannot run leadtrail user")?;
    if let Some(mut stdin) = child.stdin.take() {
        std::io::Write::write_all(&mut stdin, format!("{password}\n").as_bytes())
            .context("cannot pass the password")?;
    }
    let status = child.wait().context("cannot run leadtrail user")?;
    anyhow::ensure!(status.success(), "cannot make the demo admin ({status})");
    Ok(())
}

/// Writes a file only its owner can read: it holds a credential.
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, format!("{content}\n").as_bytes())
}

/// The URL a browser on this machine uses for a listening address.
fn browser_base(addr: &str) -> String {
    let local = addr
        .replacen("0.0.0.0:", "127.0.0.1:", 1)
        .replacen("[::]:", "[::1]:", 1);
    format!("http://{local}")
}

pub(crate) fn serve(extra: Vec<String>, demo_data: Option<usize>) -> Result<()> {
    let tools = tools::ensure(Need::Build)?;
    tracker::build(&tools)?;
    vendor::copy()?;
    if let Err(e) = tracker::report() {
        // A development server still starts; `cargo xtask test` and `dist` enforce it.
        println!("warning: {e:#}");
    }
    run(cargo().args(["build", "--release", "-p", "leadtrail-collector"]))?;
    let root = repo_root();
    let (token, token_origin) = api_token(&root)?;

    let mut args = vec!["serve".to_owned()];
    // Flags win over LEADTRAIL_* variables in the collector, so defaults are passed only
    // where neither the extra arguments nor the environment set a value.
    let addr = match (
        flag_value(&extra, "--addr"),
        std::env::var("LEADTRAIL_ADDR"),
    ) {
        (Some(addr), _) => addr.to_owned(),
        (None, Ok(addr)) if !addr.is_empty() => addr,
        _ => {
            args.extend(["--addr".to_owned(), DEFAULT_ADDR.to_owned()]);
            DEFAULT_ADDR.to_owned()
        }
    };
    let db = match (flag_value(&extra, "--db"), std::env::var("LEADTRAIL_DB")) {
        (Some(db), _) => db.to_owned(),
        (None, Ok(db)) if !db.is_empty() => db,
        _ => {
            args.extend(["--db".to_owned(), DEFAULT_DB.to_owned()]);
            DEFAULT_DB.to_owned()
        }
    };
    args.extend(extra);
    let binary = cargo_target_dir().join("release").join("leadtrail");
    let db_exists = root.join(&db).exists();
    match demo_data {
        Some(persons) if !db_exists => {
            println!("filling {db} with demo data ({persons} persons)…");
            run(Command::new(&binary)
                .args(["demo-data", "--persons", &persons.to_string(), "--db", &db])
                .current_dir(&root))?;
        }
        Some(_) => println!("{db} exists: no demo data added (remove it, or give another --db)"),
        None if !db_exists => println!(
            "tip: `cargo xtask run --demo-data 5000` starts with demo leads, so /dashboard shows full charts"
        ),
        None => {}
    }

    let password = admin_password(&root)?;
    ensure_demo_admin(&binary, &root, &db, &password)?;

    let base = browser_base(&addr);
    println!();
    println!("leadtrail collector (working directory {})", root.display());
    println!("  demo site   {base}/");
    println!("  API         {base}/api/v1/   (header  Authorization: Bearer <token>)");
    println!("  health      {base}/healthz");
    println!("  tracker     {base}/leadtrail.js");
    println!("  pages       {base}/dashboard  {base}/people  {base}/links");
    println!("  sign in     {base}/login   as {DEMO_ADMIN_EMAIL} / {password}   (demo admin, {ADMIN_PASSWORD_FILE}; for local use only)");
    println!("  database    {db}");
    println!("  API token   {token}   (from {token_origin}; acts as an admin)");
    println!("  try         curl -H 'Authorization: Bearer {token}' '{base}/api/v1/persons?email=ada@example.com'");
    println!();

    let mut command = Command::new(&binary);
    command
        .args(&args)
        .current_dir(&root)
        .env("LEADTRAIL_API_TOKEN", &token);
    #[cfg(unix)]
    {
        // Replace this process, so that Ctrl-C and SIGTERM reach the collector directly.
        let error = std::os::unix::process::CommandExt::exec(&mut command);
        Err(error).with_context(|| format!("cannot start {}", binary.display()))
    }
    #[cfg(not(unix))]
    {
        run(&mut command)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_flags_in_both_spellings() {
        let args: Vec<String> = ["--db", "x.db", "--addr=0.0.0.0:9000", "--verbose"]
            .map(String::from)
            .to_vec();
        assert_eq!(flag_value(&args, "--db"), Some("x.db"));
        assert_eq!(flag_value(&args, "--addr"), Some("0.0.0.0:9000"));
        assert_eq!(flag_value(&args, "--config"), None);
        assert_eq!(flag_value(&["--addrx=1".to_owned()], "--addr"), None);
    }

    #[test]
    fn browser_urls_point_at_loopback() {
        assert_eq!(browser_base("0.0.0.0:8080"), "http://127.0.0.1:8080");
        assert_eq!(browser_base("127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn tokens_are_long_and_differ() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
