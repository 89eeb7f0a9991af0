//! What the person card reads, through the real binary: the person with every field the
//! card shows (the phone too), and the newest leads first, as /people opens.

mod common;

use common::Collector;

#[test]
fn a_person_carries_the_phone_given_when_created() {
    let c = Collector::start();
    let (status, first) = c.submit(
        "contact",
        &[
            ("email", "kari@phone.example"),
            ("name", "Kari"),
            ("phone", "+47 22 00 00 00"),
        ],
    );
    assert_eq!(status, 201, "{first}");
    let id = first["person_id"].as_i64().unwrap();

    let (status, person) = c.api(&format!("/api/v1/persons/{id}"));
    assert_eq!(status, 200, "{person}");
    assert_eq!(person["phone"], "+47 22 00 00 00");
    // Search answers carry the same person.
    assert_eq!(
        c.person_by_email("kari@phone.example")["phone"],
        "+47 22 00 00 00"
    );

    // Without a phone: null, not absent.
    let (status, other) = c.submit("contact", &[("email", "ola@phone.example")]);
    assert_eq!(status, 201, "{other}");
    let (_, person) = c.api(&format!("/api/v1/persons/{}", other["person_id"]));
    assert!(person["phone"].is_null(), "{person}");
    assert!(person.as_object().unwrap().contains_key("phone"));
}

fn ids(page: &serde_json::Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn newest_first_pages_down_from_the_newest_lead() {
    let c = Collector::start();
    let mut made = Vec::new();
    for (i, source) in ["linkedin", "facebook", "linkedin", "linkedin", "google"]
        .iter()
        .enumerate()
    {
        let email = format!("lead{i}@newest.example");
        let (status, body) = c.submit(
            "webinar",
            &[("email", &email), ("lt_v", "1"), ("lt_last_source", source)],
        );
        assert_eq!(status, 201, "{body}");
        made.push(body["person_id"].as_i64().unwrap());
    }
    let newest: Vec<i64> = made.iter().rev().copied().collect();

    // Every person, two at a time, newest first; the cursor continues below.
    let (status, first) = c.api("/api/v1/persons?order=newest&limit=2");
    assert_eq!(status, 200, "{first}");
    assert_eq!(ids(&first), newest[..2]);
    let cursor = first["next"].as_str().unwrap().to_owned();
    let (_, second) = c.api(&format!(
        "/api/v1/persons?order=newest&limit=2&cursor={cursor}"
    ));
    assert_eq!(ids(&second), newest[2..4]);
    let cursor = second["next"].as_str().unwrap().to_owned();
    let (_, last) = c.api(&format!(
        "/api/v1/persons?order=newest&limit=2&cursor={cursor}"
    ));
    assert_eq!(ids(&last), newest[4..]);
    assert!(last["next"].is_null(), "{last}");

    // The default stays oldest first.
    let (_, ascending) = c.api("/api/v1/persons?limit=10");
    assert_eq!(ids(&ascending), made);

    // With criteria, in the JSON spelling: the LinkedIn leads, newest first.
    let response = c
        .post("/api/v1/persons/search?order=newest")
        .bearer_auth(common::TOKEN)
        .json(&serde_json::json!({"all": [{"field": "lead_generation.source", "op": "eq", "value": "linkedin"}]}))
        .send()
        .unwrap();
    let (status, linkedin) = common::status_and_json(response);
    assert_eq!(status, 200, "{linkedin}");
    assert_eq!(ids(&linkedin), [made[3], made[2], made[0]]);

    // CSV in the same order.
    let csv = c
        .get("/api/v1/persons?order=newest&format=csv&lead_generation.source=linkedin")
        .bearer_auth(common::TOKEN)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let emails: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').find(|cell| cell.contains('@')).unwrap())
        .collect();
    assert_eq!(
        emails,
        [
            "lead3@newest.example",
            "lead2@newest.example",
            "lead0@newest.example"
        ]
    );

    // An unknown order is refused, naming the ones there are.
    let (status, refused) = c.api("/api/v1/persons?order=oldest");
    assert_eq!(status, 400, "{refused}");
    assert!(
        refused["error"].as_str().unwrap().contains("newest"),
        "{refused}"
    );
}
