//! Names for addresses, ports and networks, found where snmpnetstat finds them: hosts through
//! the resolver (`/etc/hosts`, DNS: `getnameinfo`, as its `gethostbyaddr`), ports in the
//! services database (`getnameinfo`, as its `getservbyport`), network numbers in
//! `/etc/networks` (read as glibc reads it). A host name in the local host's own domain loses
//! that domain, as snmpnetstat cuts it. Each answer is kept for the rest of the run.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The name lookups of one run.
pub(in crate::cli) struct Names {
    numeric: bool,
    /// The local host name's domain (what follows its first dot).
    domain: Option<String>,
    hosts: HashMap<IpAddr, Option<String>>,
    services: HashMap<(u16, bool), Option<String>>,
    /// `/etc/networks`: (network number, name), read at the first lookup.
    networks: Option<Vec<(u32, String)>>,
}

impl Names {
    pub(in crate::cli) fn new(numeric: bool) -> Names {
        let domain = if numeric {
            None
        } else {
            dns_lookup::get_hostname().ok().and_then(|h| h.split_once('.').map(|(_, d)| d.to_owned()))
        };
        Names { numeric, domain, hosts: HashMap::new(), services: HashMap::new(), networks: None }
    }

    pub(in crate::cli) fn numeric(&self) -> bool {
        self.numeric
    }

    /// The host name of an address (`None` with `-Cn` or when it has none), without the local
    /// domain.
    pub(in crate::cli) fn host(&mut self, ip: IpAddr) -> Option<String> {
        self.lookup(ip).map(|name| self.strip(name))
    }

    /// The host name as the resolver gives it.
    fn lookup(&mut self, ip: IpAddr) -> Option<String> {
        if self.numeric {
            return None;
        }
        self.hosts.entry(ip).or_insert_with(|| dns_lookup::lookup_addr(&ip).ok()).clone()
    }

    /// A name without the local host's domain.
    fn strip(&self, name: String) -> String {
        match (name.split_once('.'), self.domain.as_deref()) {
            (Some((head, tail)), Some(d)) if tail == d => head.to_owned(),
            _ => name,
        }
    }

    /// The service name of a port (its low 16 bits, as `htons((uint16_t) port)`), TCP or UDP.
    pub(in crate::cli) fn service(&mut self, port: u32, udp: bool) -> Option<String> {
        if self.numeric {
            return None;
        }
        let port = u16::try_from(port & 0xffff).unwrap_or(0);
        self.services
            .entry((port, udp))
            .or_insert_with(|| {
                let flags = libc::NI_NUMERICHOST | if udp { libc::NI_DGRAM } else { 0 };
                let at = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port);
                dns_lookup::getnameinfo(&at, flags)
                    .ok()
                    .map(|(_, service)| service)
                    .filter(|s| *s != port.to_string())
            })
            .clone()
    }

    /// The name `/etc/networks` gives a network number (`getnetbyaddr`).
    pub(in crate::cli) fn network(&mut self, net: u32) -> Option<String> {
        if self.numeric {
            return None;
        }
        let networks = self.networks.get_or_insert_with(|| {
            std::fs::read_to_string("/etc/networks").map(|text| parse_networks(&text)).unwrap_or_default()
        });
        networks.iter().find(|(n, _)| *n == net).map(|(_, name)| name.clone())
    }

    /// An IPv4 address as snmpnetstat's `inetname` shows a socket's: `*` for 0.0.0.0, the
    /// network's name for a classful network number, the host's name (`?` when it has 16
    /// characters or more), or the dotted quad.
    pub(in crate::cli) fn inet(&mut self, a: [u8; 4]) -> String {
        let n = u32::from_be_bytes(a);
        if n == 0 {
            return "*".into();
        }
        if !self.numeric {
            let (net, host) = classful(n);
            if host == 0
                && let Some(name) = self.network(net)
            {
                return name;
            }
            // snmpnetstat 5.9.3 asks for the name into a buffer of INET_ADDRSTRLEN (16)
            // octets: a name of 16 characters or more does not fit and shows as `?` (checked
            // with names of 15 and 16 characters in /etc/hosts).
            if let Some(name) = self.lookup(IpAddr::V4(Ipv4Addr::from(a))) {
                return if name.len() >= 16 { "?".to_owned() } else { self.strip(name) };
            }
        }
        Ipv4Addr::from(a).to_string()
    }

    /// An IPv6 address as snmpnetstat's `inet6name` shows it: `*` for `::`, the host's name, or
    /// the address as `inet_ntop` writes it.
    pub(in crate::cli) fn inet6(&mut self, a: [u8; 16]) -> String {
        if a == [0; 16] {
            return "*".into();
        }
        self.host(IpAddr::V6(Ipv6Addr::from(a))).unwrap_or_else(|| ntop6(a))
    }

    /// An address as snmpnetstat's `routename`/`routexname` show a route's: the host's name or
    /// the address.
    pub(in crate::cli) fn route(&mut self, a: &Address) -> String {
        match *a {
            Address::V4(b) => {
                self.host(IpAddr::V4(Ipv4Addr::from(b))).unwrap_or_else(|| Ipv4Addr::from(b).to_string())
            }
            Address::V6(b) => self.host(IpAddr::V6(Ipv6Addr::from(b))).unwrap_or_else(|| ntop6(b)),
        }
    }

    /// A network as route.c's `netname` shows it: the name `/etc/networks` gives the address
    /// (not masked), else as many octets as the mask's length reaches and `/length`.
    pub(in crate::cli) fn net(&mut self, a: [u8; 4], mask: [u8; 4]) -> String {
        let n = u32::from_be_bytes(a);
        if n != 0
            && let Some(name) = self.network(n)
        {
            return name;
        }
        let m = u32::from_be_bytes(mask);
        // 33 - ffs(mask): the position of the lowest bit set, counted from the top.
        let bits = if m == 0 { 0 } else { 32u32.saturating_sub(m.trailing_zeros()) };
        let [o1, o2, o3, o4] = a;
        match bits {
            0..=8 => format!("{o1}/{bits}"),
            9..=16 => format!("{o1}.{o2}/{bits}"),
            17..=24 => format!("{o1}.{o2}.{o3}/{bits}"),
            _ => format!("{o1}.{o2}.{o3}.{o4}/{bits}"),
        }
    }
}

/// An IPv4 or IPv6 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::cli) enum Address {
    V4([u8; 4]),
    V6([u8; 16]),
}

impl Address {
    /// The address as `inet_ntop` writes it.
    pub(in crate::cli) fn numeric(&self) -> String {
        match *self {
            Address::V4(b) => Ipv4Addr::from(b).to_string(),
            Address::V6(b) => ntop6(b),
        }
    }

    pub(in crate::cli) fn is_unspecified(&self) -> bool {
        match self {
            Address::V4(b) => *b == [0; 4],
            Address::V6(b) => *b == [0; 16],
        }
    }
}

/// The first `n` bytes of `bytes` as an array, zeros after the end (as snmpnetstat copies an
/// index's octets into a zeroed address).
pub(in crate::cli) fn octets<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    for (d, s) in a.iter_mut().zip(bytes) {
        *d = *s;
    }
    a
}

/// An IPv6 address as glibc's `inet_ntop` writes it: the longest run of two or more zero
/// groups as `::` (the first of equal runs), and the last 32 bits as a dotted quad when the
/// address is IPv4-compatible (`::a.b.c.d`, not `::` or `::1`) or IPv4-mapped.
pub(in crate::cli) fn ntop6(a: [u8; 16]) -> String {
    let words: Vec<u16> = a
        .chunks_exact(2)
        .map(|w| u16::from_be_bytes([w.first().copied().unwrap_or(0), w.get(1).copied().unwrap_or(0)]))
        .collect();
    let (mut best, mut run): ((usize, usize), Option<(usize, usize)>) = ((0, 0), None);
    for (i, &w) in words.iter().enumerate() {
        if w == 0 {
            let r = run.map_or((i, 1), |(start, len)| (start, len.saturating_add(1)));
            run = Some(r);
            if r.1 > best.1 {
                best = r;
            }
        } else {
            run = None;
        }
    }
    let (base, len) = if best.1 >= 2 { best } else { (usize::MAX, 0) };
    let mut s = String::new();
    let mut i = 0usize;
    while i < 8 {
        if i == base {
            s.push(':');
            i = i.saturating_add(len);
            if i >= 8 {
                s.push(':');
            }
            continue;
        }
        if i != 0 {
            s.push(':');
        }
        if i == 6 && base == 0 && (len == 6 || (len == 5 && words.get(5) == Some(&0xffff))) {
            let [.., a1, a2, a3, a4] = a;
            s.push_str(&format!("{a1}.{a2}.{a3}.{a4}"));
            break;
        }
        s.push_str(&format!("{:x}", words.get(i).copied().unwrap_or(0)));
        i = i.saturating_add(1);
    }
    s
}

/// An address's classful network number and host part (`inet_netof`, `inet_lnaof`).
fn classful(n: u32) -> (u32, u32) {
    if n & 0x8000_0000 == 0 {
        (n >> 24, n & 0x00ff_ffff)
    } else if n & 0xc000_0000 == 0x8000_0000 {
        (n >> 16, n & 0xffff)
    } else {
        (n >> 8, n & 0xff)
    }
}

/// `/etc/networks` as glibc reads it: `name number [aliases]`, `#` comments, a number of fewer
/// than four parts completed with `.0` and read as `inet_network` reads it.
fn parse_networks(text: &str) -> Vec<(u32, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next().unwrap_or("");
            let mut words = line.split_whitespace();
            let (name, number) = (words.next()?, words.next()?);
            let mut parts: Vec<u32> = number.split('.').map(c_number).collect::<Option<_>>()?;
            if parts.len() > 4 {
                return None;
            }
            parts.resize(4, 0);
            let n = parts.iter().try_fold(0u32, |acc, &p| (p <= 255).then_some((acc << 8) | p))?;
            Some((n, name.to_owned()))
        })
        .collect()
}

/// A number as C reads it: `0x` hexadecimal, a leading 0 octal, else decimal.
fn c_number(s: &str) -> Option<u32> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(h, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u32::from_str_radix(s.get(1..)?, 8).ok()
    } else {
        s.parse().ok()
    }
}

/// The protocol `-Cp` names: snmpnetstat's own names, or an alias `/etc/protocols` gives one
/// of them (`TCP`).
pub(in crate::cli) fn protocol(name: &str) -> Option<&'static str> {
    const KNOWN: [&str; 8] = ["tcp", "udp", "ip", "icmp", "tcp6", "udp6", "ip6", "icmp6"];
    if let Some(k) = KNOWN.iter().find(|k| **k == name) {
        return Some(k);
    }
    let text = std::fs::read_to_string("/etc/protocols").unwrap_or_default();
    text.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let official = words.next()?;
        let _number = words.next()?;
        if words.any(|alias| alias == name) { KNOWN.iter().find(|k| **k == official).copied() } else { None }
    })
}

/// The order `/etc/protocols` lists ip, icmp, tcp and udp in (snmpnetstat `-CL` prints them
/// in that order).
pub(in crate::cli) fn legacy_order() -> Vec<&'static str> {
    const LEGACY: [&str; 4] = ["tcp", "udp", "ip", "icmp"];
    let text = std::fs::read_to_string("/etc/protocols").unwrap_or_default();
    text.lines()
        .filter_map(|line| line.split('#').next().unwrap_or("").split_whitespace().next())
        .filter_map(|name| LEGACY.iter().find(|k| **k == name).copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{classful, ntop6, parse_networks};
    use std::net::Ipv6Addr;

    #[test]
    fn ipv6_as_glibc_writes_it() {
        for (text, want) in [
            ("::", "::"),
            ("::1", "::1"),
            ("::1.2.3.4", "::1.2.3.4"),
            ("::ffff:10.1.2.3", "::ffff:10.1.2.3"),
            ("fe80::1:2:3:4", "fe80::1:2:3:4"),
            ("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:db8:1:2:3:4:0:5", "2001:db8:1:2:3:4:0:5"),
            ("1::", "1::"),
        ] {
            let a: Ipv6Addr = text.parse().unwrap();
            assert_eq!(ntop6(a.octets()), want, "{text}");
        }
    }

    #[test]
    fn networks_as_glibc_reads_them() {
        let n =
            parse_networks("# c\ndefault 0.0.0.0\nloopback\t127.0.0.0\nlink-local 169.254 # x\nten 0xa\n");
        assert_eq!(
            n,
            vec![
                (0, "default".into()),
                (0x7f00_0000, "loopback".into()),
                (0xa9fe_0000, "link-local".into()),
                (0x0a00_0000, "ten".into())
            ]
        );
        assert_eq!(classful(0x7f00_0001), (0x7f, 1));
        assert_eq!(classful(0xa9fe_0000), (0xa9fe, 0));
        assert_eq!(classful(0xc000_0201), (0xc0_0002, 1));
    }
}
