//! Property tests: `decode(encode(x)) == x` for OIDs, values and whole messages; the direct BER
//! writer and rasn-snmp's encoder give the same bytes; OID text round
//! trips; the zero-copy view's OIDs order and print as owned ones; decoding arbitrary bytes never
//! panics; the direct JSON writer escapes as serde_json does and writes canonical objects.

use proptest::prelude::*;
use snmpctl::msg::*;
use snmpctl::value::{Oid, Value, VarBind};

fn oid() -> impl Strategy<Value = Oid> {
    (0u32..=2, 0u32..=39, prop::collection::vec(any::<u32>(), 0..40)).prop_map(|(a, b, rest)| {
        let mut arcs = vec![a, b];
        arcs.extend(rest);
        Oid::new(&arcs).unwrap()
    })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Integer),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(Value::OctetString),
        Just(Value::Null),
        oid().prop_map(Value::ObjectIdentifier),
        any::<[u8; 4]>().prop_map(Value::IpAddress),
        any::<u32>().prop_map(Value::Counter32),
        any::<u32>().prop_map(Value::Gauge32),
        any::<u32>().prop_map(Value::TimeTicks),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(Value::Opaque),
        any::<u64>().prop_map(Value::Counter64),
        Just(Value::NoSuchObject),
        Just(Value::NoSuchInstance),
        Just(Value::EndOfMibView),
    ]
}

fn varbinds() -> impl Strategy<Value = Vec<VarBind>> {
    prop::collection::vec((oid(), value()).prop_map(|(o, v)| VarBind::new(o, v)), 0..12)
}

fn generic_pdu() -> impl Strategy<Value = Pdu> {
    let types = prop::sample::select(vec![
        PduType::GET_REQUEST,
        PduType::GET_NEXT_REQUEST,
        PduType::RESPONSE,
        PduType::SET_REQUEST,
        PduType::INFORM_REQUEST,
        PduType::TRAP_V2,
        PduType::REPORT,
    ]);
    (types, any::<i32>(), 0i64..=18, 0i64..=100, varbinds()).prop_map(|(t, rid, es, ei, vbs)| {
        Pdu::Generic(GenericPdu {
            pdu_type: t,
            request_id: i64::from(rid),
            error_status: ErrorStatus(es),
            error_index: ei,
            varbinds: vbs,
        })
    })
}

fn trap_v1() -> impl Strategy<Value = Pdu> {
    // RFC 1157's ObjectSyntax: no Counter64, no exceptions.
    let v1_value =
        value().prop_filter("SNMPv1 type", |v| !v.is_exception() && !matches!(v, Value::Counter64(_)));
    let varbinds = prop::collection::vec((oid(), v1_value).prop_map(|(o, v)| VarBind::new(o, v)), 0..6);
    (oid(), any::<[u8; 4]>(), 0i64..=6, any::<i32>(), any::<u32>(), varbinds).prop_map(
        |(e, a, g, s, t, vbs)| {
            Pdu::TrapV1(TrapV1Pdu {
                enterprise: e,
                agent_addr: a,
                generic_trap: GenericTrap(g),
                specific_trap: i64::from(s),
                time_stamp: t,
                varbinds: vbs,
            })
        },
    )
}

fn pdu() -> impl Strategy<Value = Pdu> {
    prop_oneof![
        generic_pdu(),
        trap_v1(),
        (any::<i32>(), 0i64..=10, 0i64..=1000, varbinds()).prop_map(|(rid, n, m, vbs)| Pdu::Bulk(BulkPdu {
            request_id: i64::from(rid),
            non_repeaters: n,
            max_repetitions: m,
            varbinds: vbs,
        })),
    ]
}

fn message() -> impl Strategy<Value = Message> {
    let community = (
        prop_oneof![Just(Version::V1), Just(Version::V2c)],
        prop::collection::vec(any::<u8>(), 0..40),
        pdu(),
    )
        .prop_map(|(version, community, pdu)| {
            Message::Community(CommunityMessage { version, community, pdu })
        });
    let v3 = (
        (0i64..=i64::from(i32::MAX), 484i64..=65507, prop::sample::select(vec![0u8, 1, 3, 4, 5, 7])),
        (prop::collection::vec(any::<u8>(), 0..32), 0i64..=i64::from(i32::MAX), 0i64..=i64::from(i32::MAX)),
        (prop::collection::vec(any::<u8>(), 0..32), prop::collection::vec(any::<u8>(), 0..48)),
        prop_oneof![
            (
                prop::collection::vec(any::<u8>(), 0..16),
                prop::collection::vec(any::<u8>(), 0..16),
                generic_pdu()
            )
                .prop_map(|(e, n, p)| ScopedPduData::Plaintext(ScopedPdu {
                    context_engine_id: e,
                    context_name: n,
                    pdu: p
                })),
            prop::collection::vec(any::<u8>(), 0..200).prop_map(ScopedPduData::Encrypted),
        ],
    )
        .prop_map(|((msg_id, max, flags), (engine_id, boots, time), (user, auth), data)| {
            Message::V3(V3Message {
                header: HeaderData {
                    msg_id,
                    msg_max_size: max,
                    msg_flags: MsgFlags(flags),
                    security_model: SecurityModel::USM,
                },
                security: SecurityParameters::Usm(UsmSecurityParameters {
                    engine_id,
                    engine_boots: boots,
                    engine_time: time,
                    user_name: user,
                    auth_params: auth,
                    priv_params: vec![],
                }),
                data,
            })
        });
    prop_oneof![community, v3]
}

/// A v2c message with community `public` carrying one generic PDU.
fn v2c(pdu_type: PduType, request_id: i64, varbinds: Vec<VarBind>) -> Message {
    Message::Community(CommunityMessage {
        version: Version::V2c,
        community: b"public".to_vec(),
        pdu: Pdu::Generic(GenericPdu {
            pdu_type,
            request_id,
            error_status: ErrorStatus::NO_ERROR,
            error_index: 0,
            varbinds,
        }),
    })
}

/// Text with the characters JSON escapes mixed in.
fn json_text() -> impl Strategy<Value = String> {
    let special = prop_oneof![(0u8..0x20).prop_map(char::from), Just('"'), Just('\\'), Just('\u{7f}')];
    prop::collection::vec(prop_oneof![any::<char>(), special], 0..40).prop_map(|c| c.into_iter().collect())
}

fn notification() -> impl Strategy<Value = snmpctl::trap::Notification> {
    use snmpctl::trap::{Notification, Sender};
    use snmpctl::usm::SecurityLevel;
    let sender = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..20).prop_map(Sender::Community),
        (
            prop::collection::vec(any::<u8>(), 0..20),
            prop::collection::vec(any::<u8>(), 5..12),
            prop::collection::vec(any::<u8>(), 0..12),
            json_text(),
        )
            .prop_map(|(user, engine_id, context_engine_id, context)| Sender::Usm {
                user,
                engine_id,
                engine_boots: 1,
                engine_time: 2,
                level: SecurityLevel::AuthPriv,
                context_engine_id,
                context_name: context.into_bytes(),
            }),
    ];
    let v1 = prop::option::of((oid(), any::<[u8; 4]>(), 0i64..7, any::<i64>(), any::<u32>()));
    let from = prop_oneof![
        (any::<[u8; 4]>(), any::<u16>()).prop_map(|(a, p)| std::net::SocketAddr::from((a, p))),
        (any::<[u16; 8]>(), any::<u16>()).prop_map(|(a, p)| std::net::SocketAddr::from((a, p))),
    ];
    (sender, v1, from, varbinds(), prop::option::of(any::<i64>()), 0usize..3).prop_map(
        |(sender, v1, from, varbinds, request_id, deviations)| {
            let trap_v1 = v1.map(|(enterprise, agent_addr, g, specific_trap, time_stamp)| TrapV1Pdu {
                enterprise,
                agent_addr,
                generic_trap: GenericTrap(g),
                specific_trap,
                time_stamp,
                varbinds: Vec::new(),
            });
            let version = match (&sender, &trap_v1) {
                (Sender::Usm { .. }, _) => Version::V3,
                (_, Some(_)) => Version::V1,
                _ => Version::V2c,
            };
            Notification {
                from,
                version,
                pdu_type: if trap_v1.is_some() { PduType::TRAP_V1 } else { PduType::TRAP_V2 },
                request_id: if trap_v1.is_some() { None } else { request_id },
                sender,
                trap_v1,
                varbinds,
                deviations: (0..deviations)
                    .map(|i| Deviation {
                        offset: i * 7,
                        kind: DeviationKind::NonMinimalLength { what: "length" },
                    })
                    .collect(),
            }
        },
    )
}

/// Bytes the JSON writer produced are one object that serde_json prints back identically:
/// keys sorted and unique, strings escaped as serde_json escapes them, numbers plain.
fn assert_canonical(bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let value: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
    assert_eq!(value.to_string(), text);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// usmDHParameters and a DHKeyChange value come from the agent: any octets give a value
    /// or an error, never a panic (a two-octet group and values of its length keep each case
    /// fast; the short ones, drawn again up to 4,096 times, are unit-tested).
    #[test]
    fn dh_parameters_and_public_values_never_panic(
        der in proptest::collection::vec(any::<u8>(), 0..40),
        y in proptest::collection::vec(any::<u8>(), 2..4),
        seed in any::<u8>(),
    ) {
        let _ = snmpctl::usm::DhParameters::from_der(&der);
        let group = snmpctl::usm::DhParameters::new(&[0xff, 0xf1], &[17], None).unwrap();
        let mut n = seed;
        let random = |buf: &mut [u8]| {
            buf.iter_mut().for_each(|b| { n = n.wrapping_mul(31).wrapping_add(7); *b = n; });
            Ok::<(), std::convert::Infallible>(())
        };
        if let Ok(a) = group.agree(&y, random) {
            prop_assert_eq!(a.key_change_value().len(), 2 * y.len());
            prop_assert_eq!(a.key(2).unwrap().len(), 2);
        }
    }

    #[test]
    fn oid_text_round_trip(o in oid()) {
        prop_assert_eq!(o.to_string().parse::<Oid>().unwrap(), o.clone());
        prop_assert_eq!(format!(".{o}").parse::<Oid>().unwrap(), o);
    }

    #[test]
    fn value_round_trip(o in oid(), v in value()) {
        let m = v2c(PduType::RESPONSE, 1, vec![VarBind::new(o, v)]);
        let bytes = m.encode().unwrap();
        prop_assert_eq!(&bytes, &m.encode_with_rasn().unwrap());
        let d = Message::decode_detailed(&bytes).unwrap();
        prop_assert_eq!(d.message, m);
    }

    #[test]
    fn message_round_trip(m in message()) {
        let bytes = m.encode().unwrap();
        // The direct writer and rasn-snmp's encoder agree byte for byte.
        prop_assert_eq!(&bytes, &m.encode_with_rasn().unwrap());
        if let Some(Pdu::Generic(_) | Pdu::Bulk(_)) = m.pdu() && let Message::V3(v3) = &m
            && let ScopedPduData::Plaintext(s) = &v3.data
        {
            prop_assert_eq!(s.encode().unwrap(), s.encode_with_rasn().unwrap());
        }
        let d = Message::decode_detailed(&bytes).unwrap();
        // v1 messages carrying v2-only PDUs or types are recorded as deviations, never refused.
        let v1_only_deviations = d.deviations.iter().all(|dev| matches!(
            dev.kind, DeviationKind::PduNotInVersion { .. } | DeviationKind::TypeNotInV1 { .. }
                | DeviationKind::PrivacyMismatch { .. } | DeviationKind::PrivWithoutAuth(_)));
        prop_assert!(v1_only_deviations, "{:?}", d.deviations);
        prop_assert_eq!(d.message, m);
    }

    #[test]
    fn oid_order_is_arc_order(a in oid(), b in oid()) {
        prop_assert_eq!(a.cmp(&b), a.arcs().cmp(b.arcs()));
        prop_assert_eq!(a.starts_with(&b), a.arcs().starts_with(b.arcs()));
    }

    #[test]
    fn borrowed_oids_mean_what_owned_ones_do(a in oid(), b in oid()) {
        // Two varbinds in one message, read back through the zero-copy view.
        let m = v2c(PduType::RESPONSE, 1, vec![VarBind::null(a.clone()), VarBind::null(b.clone())]);
        let bytes = m.encode().unwrap();
        let view = MessageRef::decode(&bytes).unwrap();
        let [x, y] = view.pdu().unwrap().varbinds() else { panic!("two varbinds") };
        prop_assert_eq!(x.oid.arcs().collect::<Vec<_>>(), a.arcs());
        prop_assert_eq!(x.oid.to_string(), a.to_string());
        prop_assert!(x.oid == a && x.oid.to_oid() == a);
        prop_assert_eq!(x.oid.cmp(&y.oid), a.cmp(&b));
        prop_assert_eq!(x.oid.starts_with(&b), a.starts_with(&b));
        prop_assert_eq!(view.to_message(), m);
    }

    #[test]
    fn json_strings_escape_as_serde_json_does(text in json_text()) {
        let mut out = Vec::new();
        snmpctl::format::json::write_str(&mut out, &text);
        prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&text).unwrap());
    }

    #[test]
    fn varbind_json_is_canonical(vbs in varbinds()) {
        for vb in &vbs {
            let mut out = Vec::new();
            snmpctl::format::json::VarBindJson { vb, options: None }.write(&mut out);
            assert_canonical(&out);
        }
    }

    #[test]
    fn notification_json_is_canonical(n in notification(), time in json_text(), tcp in any::<bool>()) {
        use snmpctl::format::notification::{NotificationJson, Via};
        let options = snmpctl::format::output::OutputOptions::default();
        let via = Via { local: std::net::SocketAddr::from(([127, 0, 0, 1], 162)), tcp };
        let mut out = Vec::new();
        NotificationJson { notification: &n, time: &time, via, options: &options }.write(&mut out);
        assert_canonical(&out);
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        prop_assert_eq!(&value["from"], &serde_json::json!(n.from.to_string()));
        prop_assert_eq!(value["varbinds"].as_array().map(Vec::len), Some(n.varbinds.len()));
        if let Some(t) = &n.trap_v1 {
            prop_assert_eq!(&value["v1"]["enterprise"], &serde_json::json!(t.enterprise.to_string()));
            let [a, b, c, d] = t.agent_addr;
            prop_assert_eq!(&value["v1"]["agent_addr"], &serde_json::json!(format!("{a}.{b}.{c}.{d}")));
        }
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Err(e) = Message::decode(&bytes) {
            prop_assert!(e.offset <= bytes.len());
        }
    }
}

/// What one encoder refuses, the other refuses too.
#[test]
fn both_encoders_refuse_the_same_messages() {
    let get =
        |varbinds: Vec<VarBind>, request_id: i64, pdu_type: PduType| v2c(pdu_type, request_id, varbinds);
    let sys_descr: Oid = "1.3.6.1.2.1.1.1.0".parse().unwrap();
    let refused = [
        get(
            vec![VarBind::new(sys_descr.clone(), Value::Unknown { tag: 0x45, bytes: vec![1] })],
            1,
            PduType::RESPONSE,
        ),
        get(vec![VarBind::null(Oid::new(&[3, 1]).unwrap())], 1, PduType::GET_REQUEST),
        get(vec![VarBind::null(Oid::new(&[1, 40]).unwrap())], 1, PduType::GET_REQUEST),
        get(vec![VarBind::null(Oid::empty())], 1, PduType::GET_REQUEST),
        get(vec![], i64::from(i32::MAX) + 1, PduType::GET_REQUEST),
        get(vec![], 1, PduType::GET_BULK_REQUEST),
        get(vec![], 1, PduType(0xa9)),
    ];
    for m in &refused {
        assert!(m.encode().is_err() && m.encode_with_rasn().is_err(), "{m:?}");
    }
    let trap = |value: Value| {
        Message::Community(CommunityMessage {
            version: Version::V1,
            community: b"public".to_vec(),
            pdu: Pdu::TrapV1(TrapV1Pdu {
                enterprise: sys_descr.clone(),
                agent_addr: [127, 0, 0, 1],
                generic_trap: GenericTrap(6),
                specific_trap: 1,
                time_stamp: 0,
                varbinds: vec![VarBind::new(sys_descr.clone(), value)],
            }),
        })
    };
    for value in [Value::Counter64(1), Value::NoSuchObject, Value::EndOfMibView] {
        let m = trap(value);
        assert!(m.encode().is_err() && m.encode_with_rasn().is_err(), "{m:?}");
    }
    // A 2.x OID whose second arc is near 2^32: rasn's X*40+Y overflows 32 bits; the writer
    // carries it in 64 and decodes back to the same arcs.
    let big = Oid::new(&[2, u32::MAX, 7]).unwrap();
    let m = get(vec![VarBind::null(big.clone())], 1, PduType::GET_REQUEST);
    let back = Message::decode(&m.encode().unwrap()).unwrap();
    assert_eq!(back.pdu().unwrap().varbinds()[0].oid, big);
}

/// A one-arc OID (`snmpwalk .1`) goes out as Net-SNMP sends it: the arc as the only
/// sub-identifier. These are the bytes of `snmpgetnext -v2c -c public AGENT .1`.
#[test]
fn one_arc_oids_are_encoded_as_net_snmp_encodes_them() {
    use snmpctl::msg::{CommunityMessage, ErrorStatus, GenericPdu, Message, Pdu, PduType, Version};
    use snmpctl::value::VarBind;
    let getnext = |oid: &str| {
        Message::Community(CommunityMessage {
            version: Version::V2c,
            community: b"public".to_vec(),
            pdu: Pdu::Generic(GenericPdu {
                pdu_type: PduType::GET_NEXT_REQUEST,
                request_id: 0x6c09_5639,
                error_status: ErrorStatus::NO_ERROR,
                error_index: 0,
                varbinds: vec![VarBind::null(oid.parse().unwrap())],
            }),
        })
        .encode()
        .unwrap()
    };
    let net_snmp =
        snmpctl::hex::decode("302202010104067075626c6963a11502046c095639020100020100300730050601010500");
    assert_eq!(getnext(".1"), net_snmp.unwrap());
    assert!(snmpctl::hex::encode(&getnext(".0")).ends_with("0601000500"));
    assert!(snmpctl::hex::encode(&getnext(".2")).ends_with("0601020500"));
}
