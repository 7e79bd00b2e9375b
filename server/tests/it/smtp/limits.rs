//! The receiver's limits on the network: clients outside the allow-list
//! refused at the banner, connections over the limit get 421, an idle
//! client is disconnected, and a shutdown ends open sessions with 421.

use super::{RawClient, start};
use std::time::Duration;

#[tokio::test]
async fn a_client_outside_the_allow_list_is_refused_at_the_banner() {
    let receiver = start(|config| {
        config.allowed_clients = vec!["192.0.2.0/24".parse().unwrap()];
    })
    .await;
    let mut client = RawClient::connect(receiver.address).await;
    let banner = client.reply().await;
    assert!(banner.starts_with("554 5.7.1 "), "{banner}");
    assert_eq!(client.reply().await, "", "the connection is closed");
    receiver.stop().await;
}

#[tokio::test]
async fn only_loopback_clients_by_default() {
    let config = tresor::smtp::Config::new("127.0.0.1:25".parse().unwrap(), "archive.test");
    assert!(config.allows("127.0.0.1".parse().unwrap()));
    assert!(config.allows("::1".parse().unwrap()));
    assert!(config.allows("::ffff:127.0.0.1".parse().unwrap()));
    assert!(!config.allows("192.0.2.7".parse().unwrap()));
    assert!(!config.allows("10.0.0.1".parse().unwrap()));
}

#[tokio::test]
async fn a_connection_over_the_limit_gets_421() {
    let receiver = start(|config| config.max_connections = 2).await;
    let mut first = RawClient::greeted(receiver.address).await;
    let _second = RawClient::greeted(receiver.address).await;
    let mut third = RawClient::connect(receiver.address).await;
    let refused = third.reply().await;
    assert!(refused.starts_with("421 4.3.2 "), "{refused}");
    assert_eq!(third.reply().await, "");
    // Once one leaves, there is room again.
    assert!(first.command("QUIT").await.starts_with("221"));
    assert_eq!(first.reply().await, "");
    RawClient::greeted_when_free(receiver.address).await;
    receiver.stop().await;
}

#[tokio::test]
async fn an_idle_client_is_disconnected() {
    let receiver = start(|config| config.idle_timeout = Duration::from_millis(300)).await;
    let mut client = RawClient::greeted(receiver.address).await;
    client.command("EHLO mta.test").await;
    let reply = client.reply().await;
    assert!(reply.starts_with("421 4.4.2 "), "{reply}");
    assert_eq!(client.reply().await, "");
    receiver.stop().await;
}

#[tokio::test]
async fn a_shutdown_ends_open_sessions_with_421() {
    let receiver = start(|_| {}).await;
    let mut client = RawClient::greeted(receiver.address).await;
    client.command("EHLO mta.test").await;
    let address = receiver.address;
    receiver.stop().await;
    let reply = client.reply().await;
    assert!(reply.starts_with("421 4.3.0 "), "{reply}");
    assert!(tokio::net::TcpStream::connect(address).await.is_err());
}
