//! The SMTP receiver (`tresor::smtp`) over real TCP on loopback, with a
//! storage that only records what it is given (the protocol is under test
//! here, not the archive): lettre over STARTTLS with AUTH, raw pipelined
//! conversations, byte-exact content, connections that drop, the limits.
//! Needs no test bed.

mod client;
mod limits;
mod raw;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tresor::smtp::{self, Config, Deliver, Envelope, Refusal};

/// How long a test waits for a reply before it fails.
const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// Storage that takes `*@journal.example` and records each message.
#[derive(Default)]
pub(super) struct Recording {
    delivered: Mutex<Vec<(Envelope, Vec<u8>)>>,
    /// What the next `deliver` answers instead of storing.
    refuse_next: Mutex<Option<Refusal>>,
}

impl Recording {
    pub(super) fn delivered(&self) -> Vec<(Envelope, Vec<u8>)> {
        self.delivered.lock().unwrap().clone()
    }

    pub(super) fn refuse_next(&self, refusal: Refusal) {
        *self.refuse_next.lock().unwrap() = Some(refusal);
    }
}

#[async_trait::async_trait]
impl Deliver for Recording {
    async fn accepts(&self, recipient: &str) -> Result<bool, Refusal> {
        Ok(recipient.ends_with("@journal.example"))
    }

    async fn deliver(&self, envelope: &Envelope, message: &[u8]) -> Result<(), Refusal> {
        if let Some(refusal) = self.refuse_next.lock().unwrap().take() {
            return Err(refusal);
        }
        self.delivered
            .lock()
            .unwrap()
            .push((envelope.clone(), message.to_vec()));
        Ok(())
    }
}

/// A receiver listening on a free loopback port.
pub(super) struct Running {
    pub address: SocketAddr,
    pub storage: Arc<Recording>,
    stop: watch::Sender<bool>,
    task: JoinHandle<io::Result<()>>,
}

/// Starts a receiver with the defaults, changed by `configure`.
pub(super) async fn start(configure: impl FnOnce(&mut Config)) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let mut config = Config::new(address, "archive.test");
    configure(&mut config);
    let storage = Arc::new(Recording::default());
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(smtp::serve(
        listener,
        Arc::new(config),
        storage.clone() as Arc<dyn Deliver>,
        stopped,
    ));
    Running {
        address,
        storage,
        stop,
        task,
    }
}

impl Running {
    /// Stops the receiver and waits until it has.
    pub(super) async fn stop(self) {
        self.stop.send(true).unwrap();
        tokio::time::timeout(REPLY_TIMEOUT, self.task)
            .await
            .expect("the receiver stops")
            .unwrap()
            .unwrap();
    }
}

/// A client speaking raw SMTP.
pub(super) struct RawClient {
    stream: BufReader<TcpStream>,
}

impl RawClient {
    pub(super) async fn connect(address: SocketAddr) -> RawClient {
        RawClient {
            stream: BufReader::new(TcpStream::connect(address).await.unwrap()),
        }
    }

    /// Connects and reads the banner.
    pub(super) async fn greeted(address: SocketAddr) -> RawClient {
        let mut client = RawClient::connect(address).await;
        let banner = client.reply().await;
        assert!(banner.starts_with("220 "), "{banner}");
        client
    }

    /// Connects until a banner says there is room (a receiver with a
    /// connection limit answers 421 until an earlier session has ended).
    pub(super) async fn greeted_when_free(address: SocketAddr) -> RawClient {
        for _ in 0..500 {
            let mut client = RawClient::connect(address).await;
            let banner = client.reply().await;
            if banner.starts_with("220 ") {
                return client;
            }
            assert!(banner.starts_with("421 4.3.2 "), "{banner}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no room on the receiver for 10 s");
    }

    pub(super) async fn send(&mut self, bytes: &[u8]) {
        self.stream.get_mut().write_all(bytes).await.unwrap();
    }

    /// One whole reply (all its lines); "" when the server closed the connection.
    pub(super) async fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(REPLY_TIMEOUT, self.stream.read_line(&mut line))
                .await
                .expect("a reply in time")
                .unwrap_or(0);
            reply.push_str(&line);
            if read == 0 || line.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    }

    /// Sends a command line and reads its reply.
    pub(super) async fn command(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes()).await;
        self.reply().await
    }
}
