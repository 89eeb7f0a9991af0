//! Re-keys identities stored before e-mails and domains were canonical (migration 0008):
//! a key that was only lower-cased differs from the canonical one only when it has
//! non-ASCII characters, so only those rows are read.

use leadtrail_core::identity::{ascii_domain, domain_mixes_scripts, Email};
use rusqlite::Transaction;
use rusqlite_migration::HookResult;

/// Characters outside printable ASCII, as a GLOB pattern.
const NON_ASCII: &str = "*[^ -~]*";

pub(super) fn canonical_identities(tx: &Transaction) -> HookResult {
    let persons: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, email, email_key FROM persons WHERE email_key GLOB ?1")?
        .query_map([NON_ASCII], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (id, email, old_key) in persons {
        // An address refused today (an invisible character in it) keeps its old key: the
        // person stays reachable, and no new post can reach it by another spelling.
        let Ok(canonical) = Email::parse(&email) else {
            continue;
        };
        if canonical.key != old_key {
            // OR IGNORE: when another person already has the canonical key, both stay
            // as they are (merging persons is for a person to decide).
            tx.prepare("UPDATE OR IGNORE persons SET email = ?2, email_key = ?3 WHERE id = ?1")?
                .execute((id, &canonical.as_given, &canonical.key))?;
        }
    }
    let companies: Vec<(i64, String)> = tx
        .prepare(
            "SELECT id, domain FROM companies \
             WHERE domain GLOB ?1 OR domain LIKE 'xn--%' OR domain LIKE '%.xn--%'",
        )?
        .query_map([NON_ASCII], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, domain) in companies {
        let Some(ascii) = ascii_domain(&domain) else {
            continue;
        };
        tx.prepare(
            "UPDATE OR IGNORE companies SET domain = ?2, domain_mixes_scripts = ?3, \
             match_key = CASE WHEN match_key = domain THEN ?2 ELSE match_key END WHERE id = ?1",
        )?
        .execute((id, &ascii, domain_mixes_scripts(&ascii)))?;
    }
    Ok(())
}
