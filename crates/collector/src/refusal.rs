//! Why a request was refused, wherever it was found: reading a body, an operation, the
//! store. Nothing was written when a refusal is returned. Each kind has one HTTP status,
//! given in one place (`http/error.rs`); the CLI prints the message.

/// A refused request, by kind (public only because the fuzz targets see the API's error,
/// which carries it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The request cannot be read as sent: an unknown search criterion or operator, a
    /// malformed query. The API answers `400`.
    #[error("{0}")]
    Malformed(String),
    /// It names a row that does not exist (or no longer does). The API answers `404`.
    #[error("{0}")]
    NotFound(String),
    /// A field's value cannot be used, or clashes with what is stored; the message starts
    /// with the field's name. The API answers `422`.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
}

impl Refusal {
    pub(crate) fn not_found(message: impl Into<String>) -> Refusal {
        Refusal::NotFound(message.into())
    }

    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Refusal {
        Refusal::Invalid {
            field,
            message: message.into(),
        }
    }
}

/// What may be refused: the value, or why not.
pub(crate) type Refused<T> = Result<T, Refusal>;
