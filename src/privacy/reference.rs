//! Pseudonymous case references: `BH-2026-7F3K`.
//!
//! A reference is four random symbols, drawn from the operating system's random source,
//! after the year. It is not derived from any personal data, so it reveals nothing about
//! the child. The alphabet is Crockford's base 32 without the symbols that are easy to
//! confuse when read aloud or copied by hand (0, O, 1, I, L, U): 30 symbols, 810 000
//! references a year. The store retries on the rare collision.

/// The symbols of the random part of a reference.
pub const REFERENCE_ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

const PREFIX: &str = "BH";
const RANDOM_LEN: usize = 4;

/// A new random case reference for `year` (clamped to 0..=9999), e.g. `BH-2026-7F3K`.
///
/// # Panics
/// Only if the operating system provides no random numbers at all, in which case no
/// unguessable reference can be made.
pub fn new_reference(year: i32) -> String {
    let mut symbols = String::with_capacity(RANDOM_LEN);
    // Rejection sampling: 240 = 8 × 30, so bytes below 240 map to the alphabet evenly.
    while symbols.len() < RANDOM_LEN {
        let mut buf = [0u8; 16];
        getrandom::fill(&mut buf).expect("the operating system's random source is unavailable");
        for b in buf {
            if b < 240 && symbols.len() < RANDOM_LEN {
                symbols.push(REFERENCE_ALPHABET[(b % 30) as usize] as char);
            }
        }
    }
    format!("{PREFIX}-{:04}-{symbols}", year.clamp(0, 9999))
}

/// True if `s` is exactly a case reference: `BH-`, four digits, `-`, four symbols of
/// [`REFERENCE_ALPHABET`] (upper case).
pub fn is_reference(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 12
        && s.starts_with("BH-")
        && b[3..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..].iter().all(|c| REFERENCE_ALPHABET.contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_have_the_documented_shape() {
        for _ in 0..200 {
            let r = new_reference(2026);
            assert!(r.starts_with("BH-2026-"), "{r}");
            assert!(is_reference(&r), "{r}");
        }
    }

    #[test]
    fn is_reference_rejects_near_misses() {
        assert!(is_reference("BH-2026-7F3K"));
        for bad in [
            "BH-2026-7F3",
            "BH-2026-7F3KK",
            "bh-2026-7F3K",
            "BH-2026-7f3k",
            "BH-2026-0F3K",
            "BH-2026-OF3K",
            "BH-2026-1F3K",
            "BH-2026-IF3K",
            "BH-2026-LF3K",
            "BH-2026-UF3K",
            "BH-20x6-7F3K",
            "XX-2026-7F3K",
            "BH_2026_7F3K",
            "",
            "BH-2026-7F3É",
        ] {
            assert!(!is_reference(bad), "{bad} should not be a reference");
        }
    }
}
