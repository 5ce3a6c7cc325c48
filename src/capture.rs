//! UDP datagrams out of pcap and pcapng captures, with their frame numbers and endpoints.
//!
//! Link types read: Ethernet (with VLAN tags), Linux cooked (SLL), raw IP, IPv4, IPv6 and BSD
//! loopback. IP fragments and non-UDP frames are counted as skipped, never fatal.
//!
//! ```
//! let pcap = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/capture/netsnmp-session.pcap"))?;
//! assert!(snmpctl::capture::is_capture(&pcap));
//! let capture = snmpctl::capture::read(&pcap)?;
//! let first = &capture.datagrams[0];
//! assert_eq!(first.frame, 1);
//! assert!(snmpctl::msg::Message::decode(&first.payload).is_ok());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::time::Duration;
use etherparse::{NetSlice, SlicedPacket, TransportSlice};
use pcap_file::DataLink;
use pcap_file::pcap::PcapParser;
use pcap_file::pcapng::{Block, PcapNgParser};
use std::net::{IpAddr, SocketAddr};

/// One UDP datagram from a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// Frame number, counted from 1 as Wireshark does.
    pub frame: usize,
    /// Capture time since the Unix epoch.
    pub timestamp: Duration,
    /// Sender.
    pub src: SocketAddr,
    /// Receiver.
    pub dst: SocketAddr,
    /// The UDP payload.
    pub payload: Vec<u8>,
}

/// What a capture held.
#[derive(Debug, Clone, Default)]
pub struct Capture {
    /// Every UDP datagram, in capture order.
    pub datagrams: Vec<Datagram>,
    /// Frames that were not UDP datagrams (TCP, ARP, fragments, unknown link types), with why.
    pub skipped: Vec<(usize, String)>,
    /// Set when the file ended inside a record: the frames before it are kept.
    pub truncated: Option<String>,
}

/// A file that is not a capture at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// Neither pcap nor pcapng magic.
    #[error("not a pcap or pcapng file (magic {0:02x?})")]
    NotACapture([u8; 4]),
    /// The file header is unreadable.
    #[error("capture header: {0}")]
    Header(String),
}

const PCAP_MAGICS: [[u8; 4]; 4] =
    [[0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d]];
const PCAPNG_MAGIC: [u8; 4] = [0x0a, 0x0d, 0x0d, 0x0a];

/// True if the bytes start like a pcap or pcapng file.
pub fn is_capture(bytes: &[u8]) -> bool {
    magic(bytes).is_some_and(|m| m == PCAPNG_MAGIC || PCAP_MAGICS.contains(&m))
}

fn magic(bytes: &[u8]) -> Option<[u8; 4]> {
    bytes.get(..4).and_then(|m| <[u8; 4]>::try_from(m).ok())
}

/// Reads every UDP datagram of a pcap or pcapng file held in memory.
///
/// # Errors
/// [`CaptureError`] if the file is not a capture or its header is broken. A file cut short
/// keeps the frames before the cut and says so in [`Capture::truncated`].
pub fn read(bytes: &[u8]) -> Result<Capture, CaptureError> {
    let m = magic(bytes).unwrap_or_default();
    if m == PCAPNG_MAGIC {
        read_pcapng(bytes)
    } else if PCAP_MAGICS.contains(&m) {
        read_pcap(bytes)
    } else {
        Err(CaptureError::NotACapture(m))
    }
}

fn read_pcap(bytes: &[u8]) -> Result<Capture, CaptureError> {
    let (mut rest, parser) = PcapParser::new(bytes).map_err(|e| CaptureError::Header(e.to_string()))?;
    let link = parser.header().datalink;
    let mut out = Capture::default();
    let mut frame = 0usize;
    while !rest.is_empty() {
        frame = frame.saturating_add(1);
        match parser.next_packet(rest) {
            Ok((next, packet)) => {
                rest = next;
                out.add(frame, packet.timestamp, link, &packet.data);
            }
            Err(e) => {
                out.truncated = Some(format!("frame {frame}: {e}"));
                break;
            }
        }
    }
    Ok(out)
}

fn read_pcapng(bytes: &[u8]) -> Result<Capture, CaptureError> {
    let (mut rest, mut parser) = PcapNgParser::new(bytes).map_err(|e| CaptureError::Header(e.to_string()))?;
    let mut out = Capture::default();
    let mut frame = 0usize;
    while !rest.is_empty() {
        let block = match parser.next_block(rest) {
            Ok((next, block)) => {
                rest = next;
                block
            }
            Err(e) => {
                out.truncated = Some(format!("after frame {frame}: {e}"));
                break;
            }
        };
        match block {
            Block::EnhancedPacket(epb) => {
                frame = frame.saturating_add(1);
                let link = usize::try_from(epb.interface_id)
                    .ok()
                    .and_then(|i| parser.interfaces().get(i))
                    .map(|idb| idb.linktype);
                match link {
                    Some(link) => out.add(frame, epb.timestamp, link, &epb.data),
                    None => out.skipped.push((frame, format!("unknown interface {}", epb.interface_id))),
                }
            }
            Block::SimplePacket(spb) => {
                frame = frame.saturating_add(1);
                match parser.interfaces().first().map(|idb| idb.linktype) {
                    Some(link) => out.add(frame, Duration::ZERO, link, &spb.data),
                    None => out.skipped.push((frame, "no interface description".into())),
                }
            }
            Block::Packet(pb) => {
                frame = frame.saturating_add(1);
                let link = parser.interfaces().get(usize::from(pb.interface_id)).map(|idb| idb.linktype);
                match link {
                    Some(link) => out.add(frame, Duration::from_micros(pb.timestamp), link, &pb.data),
                    None => out.skipped.push((frame, format!("unknown interface {}", pb.interface_id))),
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

impl Capture {
    fn add(&mut self, frame: usize, timestamp: Duration, link: DataLink, data: &[u8]) {
        match udp_of(link, data) {
            Ok((src, dst, payload)) => {
                self.datagrams.push(Datagram { frame, timestamp, src, dst, payload: payload.to_vec() })
            }
            Err(why) => self.skipped.push((frame, why)),
        }
    }
}

fn udp_of(link: DataLink, data: &[u8]) -> Result<(SocketAddr, SocketAddr, &[u8]), String> {
    let sliced = match link {
        DataLink::ETHERNET => SlicedPacket::from_ethernet(data),
        DataLink::LINUX_SLL => SlicedPacket::from_linux_sll(data),
        DataLink::RAW | DataLink::IPV4 | DataLink::IPV6 => SlicedPacket::from_ip(data),
        // BSD loopback: a 4-byte address family, then IP.
        DataLink::NULL | DataLink::LOOP => SlicedPacket::from_ip(data.get(4..).unwrap_or(&[])),
        // SLL2: a 20-byte header whose first two bytes are the EtherType.
        DataLink::LINUX_SLL2 => SlicedPacket::from_ip(data.get(20..).unwrap_or(&[])),
        other => return Err(format!("link type {other:?} not read")),
    }
    .map_err(|e| e.to_string())?;
    let (src_ip, dst_ip) = match &sliced.net {
        Some(NetSlice::Ipv4(v4)) => {
            if v4.is_payload_fragmented() {
                return Err("IPv4 fragment (not reassembled)".into());
            }
            let h = v4.header();
            (IpAddr::from(h.source_addr()), IpAddr::from(h.destination_addr()))
        }
        Some(NetSlice::Ipv6(v6)) => {
            if v6.is_payload_fragmented() {
                return Err("IPv6 fragment (not reassembled)".into());
            }
            let h = v6.header();
            (IpAddr::from(h.source_addr()), IpAddr::from(h.destination_addr()))
        }
        _ => return Err("not IP".into()),
    };
    match &sliced.transport {
        Some(TransportSlice::Udp(udp)) => Ok((
            SocketAddr::new(src_ip, udp.source_port()),
            SocketAddr::new(dst_ip, udp.destination_port()),
            udp.payload(),
        )),
        Some(TransportSlice::Tcp(_)) => Err("TCP".into()),
        _ => Err("not UDP".into()),
    }
}
