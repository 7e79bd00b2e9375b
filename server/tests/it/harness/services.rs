//! Tresor's services over one test database, wired as `tresor serve` wires
//! them. Tests build them here and nowhere else, so a constructor that
//! changes is changed in one place.

use super::databases::TestDb;
use app::model::mailbox::MailboxInput;
use sea_orm::DatabaseConnection;
use std::sync::Arc;
use tresor::connect::ConnectionPolicy;
use tresor::engine::Engine;
use tresor::index::Indexer;
use tresor::mailbox::{Editor, GraphRoots, MailboxRow, Mailboxes};
use tresor::secrets::Secret;
use tresor::secrets::SecretBox;
use tresor::store::BlobStore;
use tresor::viewer::Viewer;

/// The services and the data directory they keep their files in (master
/// key, blobs, search index), removed when this value goes.
pub(crate) struct Services {
    pub(crate) db: DatabaseConnection,
    pub(crate) secrets: Arc<SecretBox>,
    pub(crate) mailboxes: Arc<Mailboxes>,
    pub(crate) store: Arc<BlobStore>,
    pub(crate) engine: Arc<Engine>,
    pub(crate) indexer: Arc<Indexer>,
    pub(crate) viewer: Arc<Viewer>,
    data_dir: tempfile::TempDir,
}

/// The services over `db`. Users' mailboxes may reach private addresses:
/// the test bed's servers all listen on loopback, which the production
/// default refuses them.
pub(crate) async fn services(db: &TestDb) -> Services {
    Services::new(&db.connection, ConnectionPolicy::allow_private(), &[]).await
}

impl Services {
    /// The services over `db`, users' mailboxes connecting where `policy`
    /// lets them, Graph mailboxes reaching Microsoft's roots and `graph_roots`.
    pub(crate) async fn new(
        db: &DatabaseConnection,
        policy: ConnectionPolicy,
        graph_roots: &[String],
    ) -> Services {
        let data_dir = tempfile::tempdir().unwrap();
        let secrets = Arc::new(SecretBox::load(data_dir.path(), None).unwrap());
        let mailboxes = Arc::new(
            Mailboxes::new(db.clone(), secrets.clone())
                .with_connection_policy(policy)
                .with_graph_roots(GraphRoots::new(graph_roots).unwrap()),
        );
        let store = Arc::new(BlobStore::open(data_dir.path().join("blobs")).unwrap());
        let engine = Arc::new(Engine::new(db.clone(), store.clone(), mailboxes.clone()));
        let indexer = Arc::new(
            Indexer::open(data_dir.path(), db.clone(), store.clone())
                .await
                .unwrap(),
        );
        let viewer = Arc::new(viewer(db, &store, &mailboxes, &indexer));
        Services {
            db: db.clone(),
            secrets,
            mailboxes,
            store,
            engine,
            indexer,
            viewer,
            data_dir,
        }
    }

    /// The data directory (blobs, index, uploads), removed with the services.
    pub(crate) fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    /// A mailbox `input` of `owner_id` (none: shared) as an administrator
    /// adds it, with `password` stored.
    pub(crate) async fn add_mailbox(
        &self,
        owner_id: Option<i64>,
        input: &MailboxInput,
        password: Option<&str>,
    ) -> MailboxRow {
        let password = password.map(Secret::new);
        self.mailboxes
            .create(Editor::Admin, owner_id, input, password.as_ref())
            .await
            .unwrap()
    }

    /// Another viewer over the same archive (e.g. with a smaller export page).
    pub(crate) fn new_viewer(&self) -> Viewer {
        viewer(&self.db, &self.store, &self.mailboxes, &self.indexer)
    }
}

fn viewer(
    db: &DatabaseConnection,
    store: &Arc<BlobStore>,
    mailboxes: &Arc<Mailboxes>,
    indexer: &Indexer,
) -> Viewer {
    Viewer::new(
        db.clone(),
        store.clone(),
        mailboxes.clone(),
        indexer.index(),
    )
}

/// Two ordinary users on `db`: Ann and Bob.
pub(crate) async fn ann_and_bob(
    db: &DatabaseConnection,
) -> (tresor::auth::UserRow, tresor::auth::UserRow) {
    let accounts = tresor::auth::Accounts::new(db.clone(), std::time::Duration::from_secs(3600));
    let role = app::model::Role::User;
    let ann = accounts
        .create_user("ann@example.com", "Ann", role, "ann-password-1")
        .await
        .unwrap();
    let bob = accounts
        .create_user("bob@example.com", "Bob", role, "bob-password-1")
        .await
        .unwrap();
    (ann, bob)
}
