//! What users change on a company. Its source is attribution and read-only; its name is
//! what people read and may be corrected (`acme-industries.no` → `Acme Industries AS`).
//! A company is still matched by the key it was created with (the normalised name given in
//! a form, or the e-mail domain), so a renamed company keeps its persons and new leads from
//! its domain keep finding it.

use async_trait::async_trait;

use super::{Company, CompanyId, StoreResult};

#[async_trait]
pub(crate) trait CompanyStore: Send + Sync {
    /// Gives company `id` a new name; `None` when there is no such company.
    async fn rename_company(&self, id: CompanyId, name: String) -> StoreResult<Option<Company>>;
}
