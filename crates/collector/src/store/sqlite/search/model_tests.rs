//! The model answers as SQL does: random criteria trees (AND / OR, up to 8 leaves, every
//! field with every operator, static selections among them) asked of the model kept
//! current by the writer's change feed, of a model loaded afresh, and of the SQL of
//! [`Where`], on random data that keeps changing — new persons, submissions and companies,
//! status, owner, name and company changes, deleted submissions and companies, erasures
//! through the store and reclassification of stored touches.

use std::collections::HashMap;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{params, params_from_iter, Connection};
use serde_json::{json, Value};

use super::model::Model;
use super::{members_of, table, Where};
use crate::store::links::TouchRole;
use crate::store::search::{fields, Criteria, Entity, NewSelection, SelectionKind, ValueKind};
use crate::store::sqlite::SqliteStore;
use crate::store::{LeadStore, LinkStore, SearchStore};

const TEXTS: &[&str] = &[
    "google",
    "Google",
    "linkedin",
    "LinkedIn ",
    "news_letter",
    "50%off",
    "a\\b",
    "",
    "Ålesund",
    "ålesund",
    "cpc",
    "paid_social",
    "email",
    "x",
];
const FORMS: &[&str] = &["contact", "webinar", "pricing", "Contact", "demo_1"];
const COUNTRIES: &[&str] = &["NO", "SE", "no", "", "DK"];
const NAMES: &[&str] = &[
    "Kari Nordmann",
    "ola",
    "ÅSE Ås",
    "",
    "Anne-Lise",
    "50% Dave",
];
const STATUSES: &[&str] = &["open", "in_progress", "qualified", "disqualified"];
const DAY: i64 = 86_400_000;
/// 2025-01-01T00:00:00Z.
const START: i64 = 1_735_689_600_000;

fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> Option<&'a str> {
    // One in five is NULL.
    (rng.random_range(0..5) > 0).then(|| from[rng.random_range(0..from.len())])
}

fn touch(rng: &mut StdRng) -> Vec<Option<&'static str>> {
    (0..6).map(|_| pick(rng, TEXTS)).collect()
}

struct World {
    persons: i64,
    submissions: i64,
    companies: i64,
}

fn add_company(c: &Connection, rng: &mut StdRng, w: &mut World) -> rusqlite::Result<()> {
    w.companies += 1;
    let id = w.companies;
    let t = touch(rng);
    c.execute(
        "INSERT INTO companies (id, name, match_key, domain, created_at, src_source, src_medium, \
         src_campaign, src_term, src_content, src_channel) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            id,
            pick(rng, NAMES).unwrap_or("Acme"),
            format!("key{id}"),
            pick(rng, &["acme.example", "ACME.no", "beta.example", ""]),
            START + rng.random_range(0..400) * DAY,
            t[0],
            t[1],
            t[2],
            t[3],
            t[4],
            t[5]
        ],
    )?;
    Ok(())
}

fn add_person(c: &Connection, rng: &mut StdRng, w: &mut World) -> rusqlite::Result<()> {
    w.persons += 1;
    let id = w.persons;
    let (first, lead) = (touch(rng), touch(rng));
    let company = (w.companies > 0 && rng.random_bool(0.7))
        .then(|| rng.random_range(1..=w.companies))
        .filter(|id| {
            // A company may have been deleted since.
            c.query_row(
                "SELECT EXISTS (SELECT 1 FROM companies WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )
            .unwrap_or(false)
        });
    let owner = rng.random_bool(0.5).then(|| rng.random_range(1..=3i64));
    c.execute(
        "INSERT INTO persons (id, email, email_key, name, company_id, country, status, owner_id, \
         created_at, first_source, first_medium, first_campaign, first_term, first_content, \
         first_channel, lead_source, lead_medium, lead_campaign, lead_term, lead_content, \
         lead_channel) VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, \
         ?15, ?16, ?17, ?18, ?19, ?20)",
        params![
            id,
            format!(
                "p{id}.{}@x{}.example",
                pick(rng, &["kari", "ola", "åse"]).unwrap_or("n"),
                id % 3
            ),
            pick(rng, NAMES),
            company,
            pick(rng, COUNTRIES),
            STATUSES[rng.random_range(0..4)],
            owner,
            START + rng.random_range(0..400) * DAY + rng.random_range(0..DAY),
            first[0],
            first[1],
            first[2],
            first[3],
            first[4],
            first[5],
            lead[0],
            lead[1],
            lead[2],
            lead[3],
            lead[4],
            lead[5]
        ],
    )?;
    Ok(())
}

fn add_submission(c: &Connection, rng: &mut StdRng, w: &mut World) -> rusqlite::Result<()> {
    w.submissions += 1;
    let person = rng.random_range(1..=w.persons);
    let exists: bool = c.query_row(
        "SELECT EXISTS (SELECT 1 FROM persons WHERE id = ?1)",
        [person],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(());
    }
    let t = touch(rng);
    c.execute(
        "INSERT INTO submissions (id, person_id, form_id, channel, origin, created_at, \
         conv_source, conv_medium, conv_campaign, conv_term, conv_content, conv_channel) \
         VALUES (?1, ?2, ?3, 'form', 'tracker', ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            w.submissions,
            person,
            rng.random_range(1..=FORMS.len() as i64),
            START,
            t[0],
            t[1],
            t[2],
            t[3],
            t[4],
            t[5]
        ],
    )?;
    Ok(())
}

/// One change of a row, by SQL.
fn change(c: &Connection, rng: &mut StdRng, w: &World) -> rusqlite::Result<()> {
    let person = rng.random_range(1..=w.persons);
    match rng.random_range(0..8) {
        0 => c.execute(
            "UPDATE persons SET status = ?1 WHERE id = ?2",
            params![STATUSES[rng.random_range(0..4)], person],
        ),
        1 => c.execute(
            "UPDATE persons SET owner_id = ?1, country = ?2 WHERE id = ?3",
            params![
                rng.random_bool(0.5).then(|| rng.random_range(1..=3i64)),
                pick(rng, COUNTRIES),
                person
            ],
        ),
        2 => c.execute(
            "UPDATE persons SET name = ?1 WHERE id = ?2",
            params![pick(rng, NAMES), person],
        ),
        3 => c.execute(
            "UPDATE persons SET company_id = NULL WHERE id = ?1",
            [person],
        ),
        4 => c.execute(
            "DELETE FROM submissions WHERE id = ?1",
            [rng.random_range(1..=w.submissions.max(1))],
        ),
        5 => c.execute(
            "UPDATE companies SET src_source = ?1, name = ?2 WHERE id = ?3",
            params![
                pick(rng, TEXTS),
                pick(rng, NAMES).unwrap_or("Renamed"),
                rng.random_range(1..=w.companies.max(1))
            ],
        ),
        // Its persons lose their company (ON DELETE SET NULL).
        6 => c.execute(
            "DELETE FROM companies WHERE id = ?1",
            [rng.random_range(1..=w.companies.max(1))],
        ),
        _ => c.execute(
            "UPDATE persons SET lead_channel = ?1, first_channel = ?2 WHERE id = ?3",
            params![pick(rng, TEXTS), pick(rng, TEXTS), person],
        ),
    }
    .map(|_| ())
}

fn value_for(rng: &mut StdRng, kind: ValueKind, field: &str) -> Value {
    match kind {
        ValueKind::Status => json!(STATUSES[rng.random_range(0..4)]),
        ValueKind::Id => json!(rng.random_range(0..6).to_string()),
        ValueKind::Time => {
            let day = START + rng.random_range(-5..405) * DAY;
            let ts = jiff::Timestamp::from_millisecond(day + rng.random_range(0..DAY)).unwrap();
            if rng.random_bool(0.5) {
                json!(ts.strftime("%Y-%m-%d").to_string())
            } else {
                json!(ts.to_string())
            }
        }
        _ => {
            let pool: &[&str] = match field {
                "form" => FORMS,
                "country" => COUNTRIES,
                "name" | "company.name" => NAMES,
                "email" => &["p1.kari@x1.example", "kari", "@x2", "Å", "example"],
                "domain" => &["acme.example", "ACME.no", "acme", "beta.example"],
                _ => TEXTS,
            };
            let v = pool[rng.random_range(0..pool.len())];
            json!(if rng.random_bool(0.3) && v.chars().count() > 2 {
                // A fragment, for `contains` (and equality that finds nothing).
                v.chars().skip(1).take(3).collect::<String>()
            } else {
                v.to_owned()
            })
        }
    }
}

fn random_leaf(rng: &mut StdRng, entity: Entity, selections: &[i64]) -> Value {
    if !selections.is_empty() && rng.random_range(0..12) == 0 {
        return json!({ "member_of": selections[rng.random_range(0..selections.len())] });
    }
    let candidates: Vec<_> = fields()
        .iter()
        .filter(|f| f.target(entity).is_some())
        .collect();
    let field = candidates[rng.random_range(0..candidates.len())];
    let ops = field.kind.ops();
    let op = ops[rng.random_range(0..ops.len())];
    let mut leaf = json!({ "field": field.name, "op": op.name() });
    match op.name() {
        "empty" | "not_empty" => {}
        "in" => {
            let n = rng.random_range(1..4);
            leaf["value"] = Value::Array(
                (0..n)
                    .map(|_| value_for(rng, field.kind, &field.name))
                    .collect(),
            );
        }
        _ => leaf["value"] = value_for(rng, field.kind, &field.name),
    }
    leaf
}

/// A tree of at most `leaves` leaves.
fn random_tree(rng: &mut StdRng, entity: Entity, leaves: usize, selections: &[i64]) -> Value {
    if leaves <= 1 || rng.random_range(0..3) == 0 {
        return random_leaf(rng, entity, selections);
    }
    let parts = rng.random_range(1..=leaves.min(4));
    let mut left = leaves;
    let items: Vec<Value> = (0..parts)
        .map(|i| {
            let share = if i + 1 == parts {
                left
            } else {
                rng.random_range(1..=left - (parts - 1 - i))
            };
            left -= share;
            random_tree(rng, entity, share, selections)
        })
        .collect();
    if rng.random_bool(0.5) {
        json!({ "all": items })
    } else {
        json!({ "any": items })
    }
}

/// `member_of` is not public syntax: turn it into the tree node by hand.
fn parse(tree: &Value, entity: Entity) -> Criteria {
    if let Some(id) = tree.get("member_of").and_then(Value::as_i64) {
        return Criteria::MemberOf(id);
    }
    for (key, all) in [("all", true), ("any", false)] {
        if let Some(items) = tree.get(key).and_then(Value::as_array) {
            let items = items.iter().map(|i| parse(i, entity)).collect();
            return if all {
                Criteria::All(items)
            } else {
                Criteria::Any(items)
            };
        }
    }
    Criteria::from_json(tree, entity).unwrap_or_else(|e| panic!("{tree}: {e}"))
}

fn sql_ids(c: &Connection, criteria: &Criteria, entity: Entity) -> Vec<i64> {
    let w = Where::of(criteria, entity);
    let sql = format!(
        "SELECT {a}.id FROM {t} {a} WHERE {} ORDER BY {a}.id",
        w.sql,
        t = table(entity),
        a = if entity == Entity::Person { "p" } else { "c" }
    );
    c.prepare(&sql)
        .unwrap()
        .query_map(params_from_iter(w.params), |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn model_ids(c: &Connection, model: &Model, criteria: &Criteria, entity: Entity) -> Vec<i64> {
    let mut members = HashMap::new();
    members_of(c, criteria, &mut members).unwrap();
    let bits = model
        .matches(criteria, entity, &members)
        .unwrap_or_else(|| panic!("the model declined {}", criteria.to_json()));
    let ids = bits.page(None, usize::MAX, false);
    assert_eq!(bits.count(), ids.len() as u64);
    ids
}

async fn check(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db")).unwrap();
    store
        .writer
        .execute("PRAGMA synchronous = OFF")
        .await
        .unwrap();
    let w = World {
        persons: 0,
        submissions: 0,
        companies: 0,
    };
    let rows = rng.random::<u64>();
    // The first data, before the model loads.
    let world = std::sync::Arc::new(std::sync::Mutex::new((StdRng::seed_from_u64(rows), w)));
    let shared = std::sync::Arc::clone(&world);
    store
        .writer
        .apply(move |c| {
            let mut guard = shared.lock().unwrap();
            let (rng, w) = &mut *guard;
            for (i, key) in FORMS.iter().enumerate() {
                c.execute(
                    "INSERT OR IGNORE INTO forms (id, key, created_at) VALUES (?1, ?2, 0)",
                    params![i as i64 + 1, key],
                )?;
            }
            for i in 1..=3 {
                c.execute(
                    "INSERT OR IGNORE INTO associates (id, name, created_at) VALUES (?1, 'a', 0)",
                    [i],
                )?;
            }
            for _ in 0..6 {
                add_company(c, rng, w)?;
            }
            for _ in 0..30 {
                add_person(c, rng, w)?;
            }
            for _ in 0..60 {
                add_submission(c, rng, w)?;
            }
            Ok(())
        })
        .await
        .unwrap();
    // Load it (in the background, as the first search does) and wait for it.
    let model = loop {
        if let Some(model) = store.search.model(&store.writer) {
            break model.shared();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let mut selections = Vec::new();
    for round in 0..8 {
        // Changes through the writer: the model follows them by the change feed.
        let shared = std::sync::Arc::clone(&world);
        store
            .writer
            .apply(move |c| {
                let mut guard = shared.lock().unwrap();
                let (rng, w) = &mut *guard;
                for _ in 0..rng.random_range(0..3) {
                    add_company(c, rng, w)?;
                }
                for _ in 0..rng.random_range(0..8) {
                    add_person(c, rng, w)?;
                }
                for _ in 0..rng.random_range(0..15) {
                    add_submission(c, rng, w)?;
                }
                for _ in 0..rng.random_range(0..10) {
                    change(c, rng, w)?;
                }
                Ok(())
            })
            .await
            .unwrap();
        let persons = world.lock().unwrap().1.persons;
        // Erasure as the API does it.
        for _ in 0..rng.random_range(0..3) {
            store
                .erase_person(rng.random_range(1..=persons))
                .await
                .unwrap();
        }
        // Reclassification of stored touches with the current rules.
        if round % 3 == 1 {
            for role in [TouchRole::LeadGeneration, TouchRole::Conversion] {
                let mut after = 0;
                while let Some(last) = store
                    .reclassify_batch(role, after, 7)
                    .await
                    .unwrap()
                    .last_id
                {
                    after = last;
                }
            }
        }
        // A static selection of random persons.
        let tree = random_tree(&mut rng, Entity::Person, 2, &[]);
        let selection = store
            .create_selection(NewSelection {
                name: format!("s{round}"),
                entity: Entity::Person,
                kind: SelectionKind::Static,
                criteria: parse(&tree, Entity::Person),
            })
            .await
            .unwrap();
        selections.push(selection.id);

        let trees: Vec<(Entity, Value)> = (0..60)
            .map(|i| {
                let entity = if i % 3 == 2 {
                    Entity::Company
                } else {
                    Entity::Person
                };
                let sel = if entity == Entity::Person {
                    selections.clone()
                } else {
                    Vec::new()
                };
                (entity, {
                    let leaves = rng.random_range(1..=8);
                    random_tree(&mut rng, entity, leaves, &sel)
                })
            })
            .collect();
        let model = std::sync::Arc::clone(&model);
        store
            .read(move |c| {
                let fresh = Model::load(c)?;
                let kept = model.read().unwrap();
                for (entity, tree) in &trees {
                    let criteria = parse(tree, *entity);
                    let sql = sql_ids(c, &criteria, *entity);
                    assert_eq!(
                        model_ids(c, &kept, &criteria, *entity),
                        sql,
                        "seed {seed}, round {round}, {entity:?} {tree}: the model kept current \
                         differs from SQL"
                    );
                    assert_eq!(
                        model_ids(c, &fresh, &criteria, *entity),
                        sql,
                        "seed {seed}, round {round}, {entity:?} {tree}: a fresh model differs"
                    );
                }
                Ok(())
            })
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_model_answers_random_trees_as_sql_does() {
    for seed in 0..12 {
        check(seed).await;
    }
}
