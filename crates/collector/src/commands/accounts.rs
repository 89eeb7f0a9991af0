//! `leadtrail user …` and `leadtrail token …`: accounts and API tokens from the shell of
//! the machine that holds the database (the operator), recorded in the audit log as
//! `cli`.
//!
//! Passwords never come from an argument (it would show in `ps` and the shell's history):
//! from a prompt on a terminal, otherwise from the first line of standard input, so that
//! scripts can pipe one in.

use std::io::{BufRead, IsTerminal};
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use super::links::DbArgs;
use crate::accounts;
use crate::config::{self, Overrides, Settings};
use crate::store::accounts::{NewToken, Role, Scope, TokenRow, User};
use crate::store::sqlite::SqliteStore;
use crate::store::Store;
use crate::time::now_ms;

/// The audit log's actor for what the CLI does.
const CLI_ACTOR: &str = "cli";

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user (the password is asked for, or read from standard input's first line).
    Create(UserCreateArgs),
    /// List the users.
    List(DbArgs),
    /// Give a user another role.
    SetRole {
        /// The user's e-mail
        email: String,
        #[arg(value_parser = ["admin", "marketer", "viewer"])]
        role: String,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Lock a user out: signs them out everywhere; their tokens stop working.
    Disable {
        /// The user's e-mail
        email: String,
        /// Let the user in again instead
        #[arg(long)]
        enable: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set a new password (asked for, or read from standard input); signs the user out.
    ResetPassword {
        /// The user's e-mail
        email: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Args)]
pub struct UserCreateArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    #[arg(long, value_parser = ["admin", "marketer", "viewer"])]
    pub role: String,
    /// Make a new database when none exists at the path (for a first admin before the
    /// first `serve`; without it a missing database is an error, as a mistyped path would
    /// make a user the running collector does not know)
    #[arg(long)]
    pub create: bool,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Mint a new API token; it is printed once and stored only as a hash.
    Create(TokenCreateArgs),
    /// List tokens (never the tokens themselves).
    List(TokenListArgs),
    /// Revoke a token: the next request with it is refused.
    Revoke {
        /// The token's id (from `token list`)
        id: i64,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// A name to tell the token apart from others later.
    #[arg(long, value_name = "NAME", default_value = "cli")]
    pub name: String,
    /// The user the token acts for (its role bounds the token); without it, an operator
    /// token that acts as an admin, for automation
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// What the token may do: read, or read and write
    #[arg(long, value_parser = ["read", "write"], default_value = "write")]
    pub scope: String,
    /// Days until the token stops working; without it, it works until revoked
    #[arg(long, value_name = "DAYS")]
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Only this user's tokens
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
}

fn settings(db: &DbArgs) -> anyhow::Result<Settings> {
    config::load(
        &Overrides {
            db: db.db.clone(),
            config: db.config.clone(),
            ..Overrides::default()
        },
        std::env::vars(),
    )
    .context("cannot load settings")
}

/// Runs `work` on the database named by `db` (which must exist), then shuts the store
/// down so that everything written is committed.
fn with_store<T>(
    db: &DbArgs,
    work: impl AsyncFnOnce(Arc<dyn Store>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    with_store_made(db, false, work)
}

/// [`with_store`], making the database first when `create` is set.
fn with_store_made<T>(
    db: &DbArgs,
    create: bool,
    work: impl AsyncFnOnce(Arc<dyn Store>) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let settings = settings(db)?;
    let opened = if create {
        SqliteStore::open(&settings.db)
    } else {
        SqliteStore::open_existing(&settings.db)
    };
    let store: Arc<dyn Store> = Arc::new(
        opened.with_context(|| format!("cannot open database {}", settings.db.display()))?,
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let result = work(store.clone()).await;
        store.shutdown().await;
        result
    })
}

/// A password from the terminal (asked twice) or standard input's first line.
fn read_password(for_whom: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {for_whom}: "))
            .context("cannot read the password")?;
        let again = rpassword::prompt_password("Same password again: ")
            .context("cannot read the password")?;
        if first != again {
            bail!("the two passwords differ");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        bail!(
            "no password on standard input (give it as the first line, or run on a terminal \
             to be asked)"
        );
    }
    Ok(password)
}

async fn audit(store: &Arc<dyn Store>, action: &str, target: String, detail: Option<String>) {
    accounts::record(
        store,
        accounts::Audit {
            actor: CLI_ACTOR.to_owned(),
            action,
            target: Some(target),
            address: None,
            detail,
        },
    )
    .await;
}

async fn user_by_email(store: &Arc<dyn Store>, email: &str) -> anyhow::Result<User> {
    let key = accounts::email_key(email)?;
    match store.user_for_sign_in(&key).await? {
        Some((user, _)) => Ok(user),
        None => bail!("no user with e-mail {email}"),
    }
}

fn time_text(ms: Option<i64>) -> String {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".to_owned())
}

pub fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create(args) => {
            let role = Role::parse(&args.role).context("unknown role")?;
            // Checked before asking, so that a typo does not cost a password prompt.
            accounts::email_key(&args.email)?;
            accounts::check_name(&args.name)?;
            let password = read_password(&args.email)?;
            let user = with_store_made(&args.db, args.create, async |store| {
                let user = accounts::create_user(
                    &store,
                    &args.email,
                    &args.name,
                    role,
                    password,
                    now_ms(),
                )
                .await?;
                audit(
                    &store,
                    "user.create",
                    user.email.clone(),
                    Some(format!("role {}", role.name())),
                )
                .await;
                Ok(user)
            })?;
            println!(
                "created {} ({}) as {}",
                user.email,
                user.name,
                user.role.name()
            );
            Ok(())
        }
        UserCommand::List(db) => {
            let users = with_store(&db, async |store| Ok(store.users().await?))?;
            if users.is_empty() {
                println!("no users yet; create one with `leadtrail user create --role admin …`");
            }
            for user in users {
                let state = if user.disabled_at.is_some() {
                    "disabled"
                } else {
                    "active"
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    user.id,
                    user.email,
                    user.name,
                    user.role.name(),
                    state
                );
            }
            Ok(())
        }
        UserCommand::SetRole { email, role, db } => {
            let role = Role::parse(&role).context("unknown role")?;
            with_store(&db, async |store| {
                let user = user_by_email(&store, &email).await?;
                store.set_role(user.id, role).await?;
                audit(
                    &store,
                    "user.role",
                    user.email.clone(),
                    Some(format!("{} → {}", user.role.name(), role.name())),
                )
                .await;
                Ok(())
            })?;
            println!("{email} is now {}", role.name());
            Ok(())
        }
        UserCommand::Disable { email, enable, db } => {
            with_store(&db, async |store| {
                let user = user_by_email(&store, &email).await?;
                let at = (!enable).then(now_ms);
                store.set_disabled(user.id, at).await?;
                let action = if enable {
                    "user.enable"
                } else {
                    "user.disable"
                };
                audit(&store, action, user.email.clone(), None).await;
                Ok(())
            })?;
            println!("{email} is {}", if enable { "enabled" } else { "disabled" });
            Ok(())
        }
        UserCommand::ResetPassword { email, db } => {
            accounts::email_key(&email)?;
            let password = read_password(&email)?;
            with_store(&db, async |store| {
                let user = user_by_email(&store, &email).await?;
                accounts::set_password(&store, &user, password, now_ms()).await?;
                audit(&store, "user.password", user.email.clone(), None).await;
                Ok(())
            })?;
            println!("new password set for {email}; their sessions are ended");
            Ok(())
        }
    }
}

fn token_line(token: &TokenRow) -> String {
    let state = match (token.revoked_at, token.expires_at) {
        (Some(_), _) => "revoked".to_owned(),
        (None, Some(at)) if at <= now_ms() => "expired".to_owned(),
        _ => "active".to_owned(),
    };
    format!(
        "{}\t{}\t{}\t{}\tcreated {}\texpires {}\tlast used {}\t{}",
        token.id,
        token.name,
        token.user_email.as_deref().unwrap_or("(operator)"),
        token.scope.name(),
        time_text(Some(token.created_at)),
        time_text(token.expires_at),
        time_text(token.last_used_at),
        state
    )
}

pub fn token(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create(args) => {
            let scope = Scope::parse(&args.scope).context("unknown scope")?;
            let name = args.name.trim().to_owned();
            if name.is_empty() || name.chars().count() > 100 {
                bail!("--name must be 1 to 100 characters");
            }
            let token = crate::accounts::token::mint_token();
            with_store(&args.db, async |store| {
                let user = match &args.user {
                    Some(email) => Some(user_by_email(&store, email).await?),
                    None => None,
                };
                if let Some(user) = &user {
                    if scope > user.role.max_scope() {
                        bail!(
                            "{} is a {}: their tokens can only read",
                            user.email,
                            user.role.name()
                        );
                    }
                }
                let now = now_ms();
                let row = store
                    .create_token(NewToken {
                        name,
                        sha256: crate::accounts::token::token_sha256(&token),
                        user_id: user.as_ref().map(|u| u.id),
                        scope,
                        expires_at: args
                            .expires_in_days
                            .map(|days| now + i64::from(days) * 86_400_000),
                        created_at: now,
                    })
                    .await
                    .context("cannot store the token")?;
                audit(
                    &store,
                    "token.create",
                    accounts::token_target(&row),
                    Some(format!("scope {}", scope.name())),
                )
                .await;
                Ok(())
            })?;
            // Only the token on stdout: callers capture it (`TOKEN=$(leadtrail token create)`).
            println!("{token}");
            Ok(())
        }
        TokenCommand::List(args) => {
            let tokens = with_store(&args.db, async |store| {
                let user = match &args.user {
                    Some(email) => Some(user_by_email(&store, email).await?.id),
                    None => None,
                };
                Ok(store.tokens(user).await?)
            })?;
            for token in &tokens {
                println!("{}", token_line(token));
            }
            Ok(())
        }
        TokenCommand::Revoke { id, db } => {
            with_store(&db, async |store| {
                let Some(row) = store.revoke_token(id, now_ms()).await? else {
                    bail!("no token with id {id}");
                };
                audit(&store, "token.revoke", accounts::token_target(&row), None).await;
                Ok(())
            })?;
            println!("token {id} revoked");
            Ok(())
        }
    }
}
