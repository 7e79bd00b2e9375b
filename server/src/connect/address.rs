//! What kind of network an IP address belongs to, and networks written as
//! CIDR (`10.1.2.0/24`). The classification is what decides whether a
//! mailbox of a user may connect there: only `Public` addresses are on the
//! internet; everything else reaches the server itself, the networks around
//! it, or nothing in particular.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The kind of network an address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Routed on the internet.
    Public,
    /// `0.0.0.0/8`, `::`: on most systems a connection to it reaches this host.
    Unspecified,
    /// `127.0.0.0/8`, `::1`: this host.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), unique local `fc00::/7`,
    /// the deprecated site-local `fec0::/10`, local-use NAT64 `64:ff9b:1::/48`.
    Private,
    /// `100.64.0.0/10`, carrier-grade NAT (RFC 6598): a provider's internal network.
    SharedNat,
    /// `169.254.0.0/16` (cloud metadata services answer at 169.254.169.254), `fe80::/10`.
    LinkLocal,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// Not routed on the internet for another reason: documentation and
    /// benchmarking ranges, `240.0.0.0/4` and the broadcast address, IETF
    /// protocol assignments, Teredo, the discard prefix, IPv6 outside `2000::/3`.
    Reserved,
}

impl AddressClass {
    pub fn is_public(self) -> bool {
        self == AddressClass::Public
    }

    /// In words, for messages to administrators.
    pub fn describe(self) -> &'static str {
        match self {
            AddressClass::Public => "a public address",
            AddressClass::Unspecified => "the unspecified address (this host)",
            AddressClass::Loopback => "a loopback address (this host)",
            AddressClass::Private => "a private network address",
            AddressClass::SharedNat => "a carrier-grade NAT address",
            AddressClass::LinkLocal => "a link-local address",
            AddressClass::Multicast => "a multicast address",
            AddressClass::Reserved => "a reserved address",
        }
    }
}

/// The class of `address`; IPv6 forms that carry an IPv4 address (mapped,
/// NAT64, 6to4) are classed by that IPv4 address, so `::ffff:127.0.0.1` is loopback.
pub fn classify(address: IpAddr) -> AddressClass {
    match address {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(address: Ipv4Addr) -> AddressClass {
    use AddressClass::*;
    match address.octets() {
        [0, ..] => Unspecified,
        [10, ..] => Private,
        [100, 64..=127, ..] => SharedNat,
        [127, ..] => Loopback,
        [169, 254, ..] => LinkLocal,
        [172, 16..=31, ..] => Private,
        // IETF protocol assignments, TEST-NET-1, the former 6to4 relay anycast.
        [192, 0, 0, _] | [192, 0, 2, _] | [192, 88, 99, _] => Reserved,
        [192, 168, ..] => Private,
        // Benchmarking, TEST-NET-2, TEST-NET-3.
        [198, 18..=19, ..] | [198, 51, 100, _] | [203, 0, 113, _] => Reserved,
        [224..=239, ..] => Multicast,
        // Reserved for future use, and 255.255.255.255.
        [240..=255, ..] => Reserved,
        _ => Public,
    }
}

fn classify_v6(address: Ipv6Addr) -> AddressClass {
    use AddressClass::*;
    if address.is_unspecified() {
        return Unspecified;
    }
    if address.is_loopback() {
        return Loopback;
    }
    if let Some(v4) = address.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let segments = address.segments();
    let embedded_v4 = || {
        let [.., high, low] = segments;
        Ipv4Addr::from((u32::from(high) << 16) | u32::from(low))
    };
    match segments {
        // IPv4-compatible (deprecated): never a destination of its own.
        [0, 0, 0, 0, 0, 0, _, _] => Reserved,
        // NAT64's well-known prefix reaches the IPv4 address it carries.
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => classify_v4(embedded_v4()),
        [0x64, 0xff9b, 1, ..] => Private,
        // The discard-only prefix.
        [0x100, 0, 0, 0, ..] => Reserved,
        // Teredo tunnels to any IPv4 address; documentation.
        [0x2001, 0, ..] | [0x2001, 0xdb8, ..] => Reserved,
        // 6to4: the site of the IPv4 address in the next 32 bits.
        [0x2002, high, low, ..] => {
            classify_v4(Ipv4Addr::from((u32::from(high) << 16) | u32::from(low)))
        }
        // Documentation (RFC 9637).
        [0x3fff, 0..=0x0fff, ..] => Reserved,
        [first, ..] if first & 0xfe00 == 0xfc00 => Private,
        [first, ..] if first & 0xffc0 == 0xfe80 => LinkLocal,
        [first, ..] if first & 0xffc0 == 0xfec0 => Private,
        [first, ..] if first & 0xff00 == 0xff00 => Multicast,
        // Global unicast is 2000::/3; nothing else is assigned.
        [first, ..] if first & 0xe000 == 0x2000 => Public,
        _ => Reserved,
    }
}

/// A network in CIDR notation (`10.1.2.0/24`, `fd00::/8`), or one address
/// (`192.168.1.10` = `/32`). IPv4-mapped IPv6 addresses count as IPv4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a network: write an address (10.1.2.3) or address/prefix (10.1.2.0/24, fd00::/8)"
)]
pub struct BadNetwork(pub String);

impl Network {
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.address, address.to_canonical()) {
            (IpAddr::V4(network), IpAddr::V4(address)) => prefix_matches(
                network.to_bits().into(),
                address.to_bits().into(),
                32,
                self.prefix,
            ),
            (IpAddr::V6(network), IpAddr::V6(address)) => {
                prefix_matches(network.to_bits(), address.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

/// Whether the first `prefix` of `width` bits of both are equal.
fn prefix_matches(network: u128, address: u128, width: u8, prefix: u8) -> bool {
    let ignored = u32::from(width - prefix);
    network.checked_shr(ignored).unwrap_or(0) == address.checked_shr(ignored).unwrap_or(0)
}

impl FromStr for Network {
    type Err = BadNetwork;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadNetwork(text.to_string());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let address = address.parse::<IpAddr>().map_err(|_| bad())?.to_canonical();
        let width = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|prefix| *prefix <= width)
                .ok_or_else(bad)?,
            None => width,
        };
        Ok(Network { address, prefix })
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.address, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::AddressClass::*;
    use super::*;

    fn class(text: &str) -> AddressClass {
        classify(text.parse().unwrap())
    }

    #[test]
    fn ipv4_ranges() {
        let expected = [
            ("0.0.0.0", Unspecified),
            ("0.1.2.3", Unspecified),
            ("10.0.0.1", Private),
            ("10.255.255.255", Private),
            ("100.63.255.255", Public),
            ("100.64.0.1", SharedNat),
            ("100.127.255.255", SharedNat),
            ("100.128.0.0", Public),
            ("127.0.0.1", Loopback),
            ("127.255.0.9", Loopback),
            ("169.254.169.254", LinkLocal),
            ("169.253.0.1", Public),
            ("172.15.255.255", Public),
            ("172.16.0.1", Private),
            ("172.31.255.255", Private),
            ("172.32.0.0", Public),
            ("192.0.0.8", Reserved),
            ("192.0.2.1", Reserved),
            ("192.88.99.1", Reserved),
            ("192.168.1.1", Private),
            ("192.169.0.1", Public),
            ("198.18.0.1", Reserved),
            ("198.19.255.255", Reserved),
            ("198.51.100.7", Reserved),
            ("203.0.113.7", Reserved),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("240.0.0.1", Reserved),
            ("255.255.255.255", Reserved),
            ("1.1.1.1", Public),
            ("8.8.8.8", Public),
            ("93.184.216.34", Public),
        ];
        for (address, expected) in expected {
            assert_eq!(class(address), expected, "{address}");
        }
    }

    #[test]
    fn ipv6_ranges() {
        let expected = [
            ("::", Unspecified),
            ("::1", Loopback),
            ("::2", Reserved),
            ("::7f00:1", Reserved),
            ("fc00::1", Private),
            ("fd12:3456::1", Private),
            ("fe80::1", LinkLocal),
            ("febf::1", LinkLocal),
            ("fec0::1", Private),
            ("ff02::1", Multicast),
            ("100::1", Reserved),
            ("2001::1", Reserved),
            ("2001:db8::1", Reserved),
            ("3fff::1", Reserved),
            ("64:ff9b:1::1", Private),
            ("4000::1", Reserved),
            ("2a00:1450:4001:82b::200e", Public),
            ("2606:4700:4700::1111", Public),
        ];
        for (address, expected) in expected {
            assert_eq!(class(address), expected, "{address}");
        }
    }

    #[test]
    fn ipv6_forms_of_ipv4_addresses_are_classed_by_the_ipv4_address() {
        let expected = [
            // IPv4-mapped.
            ("::ffff:127.0.0.1", Loopback),
            ("::ffff:7f00:1", Loopback),
            ("::ffff:169.254.169.254", LinkLocal),
            ("::ffff:10.0.0.1", Private),
            ("::ffff:100.64.0.1", SharedNat),
            ("::ffff:0.0.0.0", Unspecified),
            ("::ffff:224.0.0.1", Multicast),
            ("::ffff:8.8.8.8", Public),
            // NAT64.
            ("64:ff9b::127.0.0.1", Loopback),
            ("64:ff9b::a9fe:a9fe", LinkLocal),
            ("64:ff9b::192.168.0.1", Private),
            ("64:ff9b::8.8.8.8", Public),
            // 6to4.
            ("2002:7f00:1::", Loopback),
            ("2002:a00:1::1", Private),
            ("2002:a9fe:a9fe::", LinkLocal),
            ("2002:808:808::1", Public),
        ];
        for (address, expected) in expected {
            assert_eq!(class(address), expected, "{address}");
        }
    }

    #[test]
    fn networks_contain_their_addresses_only() {
        let network: Network = "10.1.2.0/24".parse().unwrap();
        assert!(network.contains("10.1.2.77".parse().unwrap()));
        assert!(network.contains("::ffff:10.1.2.77".parse().unwrap()));
        assert!(!network.contains("10.1.3.1".parse().unwrap()));
        assert!(!network.contains("::1".parse().unwrap()));

        let one: Network = "192.168.1.10".parse().unwrap();
        assert_eq!(one.to_string(), "192.168.1.10/32");
        assert!(one.contains("192.168.1.10".parse().unwrap()));
        assert!(!one.contains("192.168.1.11".parse().unwrap()));

        let everything: Network = "0.0.0.0/0".parse().unwrap();
        assert!(everything.contains("127.0.0.1".parse().unwrap()));
        assert!(!everything.contains("fd00::1".parse().unwrap()));

        let ula: Network = "fd00::/8".parse().unwrap();
        assert!(ula.contains("fd12::1".parse().unwrap()));
        assert!(!ula.contains("fc00::1".parse().unwrap()));

        assert!(
            "::ffff:10.0.0.0/104".parse::<Network>().is_err(),
            "a mapped network is written as IPv4"
        );
    }

    #[test]
    fn bad_networks_are_refused() {
        for text in [
            "",
            "10.0.0.0/33",
            "fd00::/129",
            "10.0.0/8",
            "mail.internal/24",
            "10.0.0.0/x",
        ] {
            assert!(text.parse::<Network>().is_err(), "{text}");
        }
    }
}
