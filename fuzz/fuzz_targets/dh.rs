//! RFC 2786's Diffie-Hellman key change on arbitrary agent answers: usmDHParameters (DER) and a
//! DHKeyChange public value, agreed with a private value drawn from the input. Nothing may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use snmpctl::usm::DhParameters;

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else { return };
    let (der, public) = rest.split_at(usize::from(split).min(rest.len()));
    let params = DhParameters::from_der(der).unwrap_or_else(|_| DhParameters::oakley_group_2());
    if params.prime_len() > 256 || (params.prime_len() > 8 && public.len() < params.prime_len()) {
        // Big groups are slow, not more interesting; so is a value one octet short of a big
        // prime (drawn again up to 4,096 times; unit-tested on a two-octet group).
        return;
    }
    let mut octets = public.iter().copied().cycle();
    let _ = params.agree(public, |buf: &mut [u8]| {
        buf.iter_mut().for_each(|b| *b = octets.next().unwrap_or(1));
        Ok::<(), std::convert::Infallible>(())
    });
});
