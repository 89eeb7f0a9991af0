//! The decision of every route, written out: who may call it (admin, marketer, viewer) and
//! the scope a token needs. The test holds the routes the app registers against this
//! table, so a route added without a decision, or with one nobody wrote down here, fails.
//! The integration test `tests/roles.rs` drives the same decisions through the binary.

/// `(method, path, roles that may, token scope)`; roles `A` admin, `M` marketer, `V`
/// viewer, `-` public (no sign-in); scope `none` where only a session will do.
const TABLE: &[(&str, &str, &str, &str)] = &[
    ("get", "/healthz", "-", "-"),
    ("head", "/healthz", "-", "-"),
    ("get", "/thanks", "-", "-"),
    ("get", "/metrics", "A", "read"),
    ("post", "/f/{form_key}", "-", "-"),
    ("options", "/f/{form_key}", "-", "-"),
    ("post", "/t/link", "-", "-"),
    ("post", "/t/adopt", "-", "-"),
    ("get", "/api/v1/openapi.json", "-", "-"),
    ("get", "/api/v1/persons/{id}", "A M V", "read"),
    ("get", "/api/v1/persons/{id}/submissions", "A M V", "read"),
    ("get", "/api/v1/persons/{id}/journey", "A M V", "read"),
    ("get", "/api/v1/companies/{id}", "A M V", "read"),
    ("get", "/api/v1/companies/{id}/journey", "A M V", "read"),
    ("post", "/api/v1/session", "-", "-"),
    ("delete", "/api/v1/session", "A M V", "read"),
    ("get", "/api/v1/me", "A M V", "read"),
    ("post", "/api/v1/me/password", "A M V", "none"),
    ("get", "/api/v1/me/preferences", "A M V", "read"),
    ("put", "/api/v1/me/preferences/language", "A M V", "write"),
    (
        "put",
        "/api/v1/me/preferences/columns/{table}",
        "A M V",
        "write",
    ),
    ("post", "/api/v1/tokens", "A M V", "write"),
    ("get", "/api/v1/tokens", "A M V", "read"),
    ("delete", "/api/v1/tokens/{id}", "A M V", "write"),
    ("get", "/api/v1/audit", "A", "read"),
    ("get", "/api/v1/users", "A", "read"),
    ("patch", "/api/v1/users/{id}", "A", "write"),
    ("get", "/api/v1/invitations", "A", "read"),
    ("post", "/api/v1/invitations", "A", "write"),
    ("post", "/api/v1/invitations/accept", "-", "-"),
    ("get", "/api/v1/quality", "A M V", "read"),
    ("patch", "/api/v1/persons/{id}", "A M", "write"),
    ("delete", "/api/v1/persons/{id}", "A", "write"),
    ("get", "/api/v1/persons/{id}/export", "A M", "read"),
    (
        "get",
        "/api/v1/persons/{id}/status_changes",
        "A M V",
        "read",
    ),
    ("patch", "/api/v1/companies/{id}", "A M", "write"),
    ("post", "/api/v1/submissions", "A M", "write"),
    ("patch", "/api/v1/submissions/{id}", "A M", "write"),
    ("post", "/api/v1/associates", "A M", "write"),
    ("get", "/api/v1/associates", "A M V", "read"),
    ("get", "/api/v1/associates/{id}", "A M V", "read"),
    ("post", "/api/v1/sales", "A M", "write"),
    ("get", "/api/v1/sales", "A M V", "read"),
    ("get", "/api/v1/sales/{id}", "A M V", "read"),
    ("patch", "/api/v1/sales/{id}", "A M", "write"),
    ("get", "/api/v1/persons", "A M V", "read"),
    ("post", "/api/v1/persons/search", "A M V", "read"),
    ("get", "/api/v1/companies", "A M V", "read"),
    ("post", "/api/v1/companies/search", "A M V", "read"),
    ("get", "/api/v1/selections", "A M V", "read"),
    ("post", "/api/v1/selections", "A M", "write"),
    ("get", "/api/v1/selections/{id}", "A M V", "read"),
    ("patch", "/api/v1/selections/{id}", "A M", "write"),
    ("delete", "/api/v1/selections/{id}", "A M", "write"),
    ("get", "/api/v1/selections/{id}/members", "A M V", "read"),
    ("post", "/api/v1/selections/{id}/members", "A M", "write"),
    ("delete", "/api/v1/selections/{id}/members", "A M", "write"),
    ("get", "/api/v1/selections/{id}/board", "A M V", "read"),
    ("get", "/api/v1/search/fields", "A M V", "read"),
    ("get", "/api/v1/tiles", "A M V", "read"),
    ("get", "/api/v1/tiles/filters", "A M V", "read"),
    ("get", "/api/v1/tiles/model", "A M V", "read"),
    ("get", "/api/v1/tiles/{tile}", "A M V", "read"),
    ("get", "/api/v1/tiles/{tile}/persons", "A M V", "read"),
    ("get", "/api/v1/dashboards", "A M V", "read"),
    ("post", "/api/v1/dashboards", "A M", "write"),
    ("get", "/api/v1/dashboards/{id}", "A M V", "read"),
    ("put", "/api/v1/dashboards/{id}", "A M", "write"),
    ("delete", "/api/v1/dashboards/{id}", "A M", "write"),
    ("get", "/api/v1/explain", "A M V", "read"),
    ("post", "/api/v1/links", "A M V", "read"),
    ("post", "/api/v1/links/check", "A M", "write"),
    ("get", "/api/v1/links/saved", "A M V", "read"),
    ("post", "/api/v1/links/saved", "A M", "write"),
    ("delete", "/api/v1/links/saved/{id}", "A M", "write"),
    ("post", "/api/v1/reclassify", "A", "write"),
    ("get", "/api/v1/aliases", "A M V", "read"),
    ("put", "/api/v1/aliases/{alias}", "A", "write"),
    ("delete", "/api/v1/aliases/{alias}", "A", "write"),
    ("get", "/api/v1/forms", "A M V", "read"),
    ("get", "/api/v1/forms/{key}", "A M V", "read"),
    ("patch", "/api/v1/forms/{key}", "A", "write"),
    ("get", "/api/v1/settings", "A", "read"),
    ("get", "/api/v1/attribution", "A M V", "read"),
    ("post", "/api/v1/costs", "A M", "write"),
    ("get", "/api/v1/costs", "A M V", "read"),
    ("get", "/api/v1/costs/return", "A M V", "read"),
    ("get", "/api/v1/exports/offline-conversions", "A M", "read"),
];

#[test]
fn every_route_has_the_decision_the_table_gives() {
    use std::collections::BTreeMap;
    let table: BTreeMap<(&str, &str), (&str, &str)> = TABLE
        .iter()
        .map(|(m, p, r, s)| ((*m, *p), (*r, *s)))
        .collect();
    assert_eq!(table.len(), TABLE.len(), "a route is in the table twice");
    let mut problems = Vec::new();
    let mut registered = std::collections::BTreeSet::new();
    for route in super::registered_routes() {
        registered.insert((route.method.clone(), route.path.clone()));
        let Some(access) = route.access else {
            problems.push(format!(
                "{} {} has no .allow(…) decision",
                route.method, route.path
            ));
            continue;
        };
        let roles = if access == super::access::Access::Public {
            "-".to_owned()
        } else {
            access
                .roles()
                .iter()
                .map(|r| r.name()[..1].to_ascii_uppercase())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let scope = if access == super::access::Access::Public {
            "-"
        } else {
            access.token_scope_name()
        };
        match table.get(&(route.method.as_str(), route.path.as_str())) {
            None => problems.push(format!(
                "not in the table:    (\"{}\", \"{}\", \"{roles}\", \"{scope}\"),",
                route.method, route.path
            )),
            Some((want_roles, want_scope)) if (*want_roles, *want_scope) != (roles.as_str(), scope) => {
                problems.push(format!(
                    "{} {}: the table says {want_roles} / {want_scope}, the route {roles} / {scope}",
                    route.method, route.path
                ))
            }
            Some(_) => {}
        }
    }
    for (method, path) in table.keys() {
        if !registered.contains(&(method.to_string(), path.to_string())) {
            problems.push(format!("in the table but not registered: {method} {path}"));
        }
    }
    assert!(
        problems.is_empty(),
        "route decisions:\n{}",
        problems.join("\n")
    );
}
