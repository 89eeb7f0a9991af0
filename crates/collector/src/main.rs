//! leadtrail collector (placeholder).
fn main() {}
