//! The leadtrail tracker (placeholder).
