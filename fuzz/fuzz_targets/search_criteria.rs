//! The search-criteria parser (query-string and JSON-tree forms) on arbitrary input: no
//! panics, and a tree it accepts survives its own JSON form (what selections store).

#![no_main]

use leadtrail_collector::fuzzing::{Criteria, Entity};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let entity = if selector & 1 == 0 {
        Entity::Person
    } else {
        Entity::Company
    };
    if selector & 2 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        let pairs: Vec<(&str, &str)> = text
            .split('&')
            .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
            .collect();
        if let Ok(criteria) = Criteria::from_query(pairs, entity) {
            assert!(Criteria::from_json(&criteria.to_json(), entity).is_ok());
        }
    } else if let Ok(tree) = serde_json::from_slice::<serde_json::Value>(rest) {
        if let Ok(criteria) = Criteria::from_json(&tree, entity) {
            let again = Criteria::from_json(&criteria.to_json(), entity)
                .expect("a parsed tree's own JSON form parses");
            assert_eq!(again.to_json(), criteria.to_json());
        }
    }
});
