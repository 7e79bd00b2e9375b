//! A token source for the Graph client that always gives the same token.

use tresor::graph::{GraphError, TokenSource};
use tresor::secrets::Secret;

/// Always this token, whether Graph refused it or not.
pub(crate) struct FixedToken(pub(crate) String);

impl FixedToken {
    /// Any token: for servers that never check it.
    pub(crate) fn any() -> FixedToken {
        FixedToken("bearer-for-graph-only".into())
    }
}

#[async_trait::async_trait]
impl TokenSource for FixedToken {
    async fn token(&self, _refused: Option<&Secret>) -> Result<Secret, GraphError> {
        Ok(Secret::new(&self.0))
    }
}
