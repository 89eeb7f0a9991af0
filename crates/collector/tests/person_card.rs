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
    assert_eq!(c.person_by_email("kari@phone.example")["phone"], "+47 22 00 00 00");

    // Without a phone: null, not absent.
    let (status, other) = c.submit("contact", &[("email", "ola@phone.example")]);
    assert_eq!(status, 201, "{other}");
    let (_, person) = c.api(&format!("/api/v1/persons/{}", other["person_id"]));
    assert!(person["phone"].is_null(), "{person}");
    assert!(person.as_object().unwrap().contains_key("phone"));
}
