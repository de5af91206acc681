//! Normalisation: a `&str` goes in, a normalised `String` comes out. Unicode NFKC (skipped when
//! the NFKC quick check says the text is already normal, which is most news text), case folding,
//! and folding of typographic quotes and dashes to their ASCII forms.
//!
//! Invariant: normalisation is idempotent (`normalize(normalize(x)) == normalize(x)`), so
//! documents normalised at different times compare equal; a proptest checks it.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Version of the normalisation rules; stored with every sketch so that sketches made under
/// different rules are never compared.
pub const NORMALIZE_VERSION: u32 = 1;

/// Normalise `input` into `out` (cleared first), reusing its allocation.
pub fn normalize_into(input: &str, out: &mut String) {
    out.clear();
    out.reserve(input.len());
    if input.is_ascii() {
        // ASCII is NFKC already and folds byte by byte.
        out.extend(input.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    if is_nfkc_quick(input.chars()) == IsNormalized::Yes {
        fold_chars(input.chars(), out);
    } else {
        fold_chars(input.nfkc(), out);
    }
    // Folding can produce sequences that are not NFKC (e.g. lowercasing a precomposed
    // capital with no lowercase precomposed form); renormalise in that rare case so the
    // function is idempotent.
    if is_nfkc_quick(out.chars()) != IsNormalized::Yes {
        let again: String = out.nfkc().collect();
        out.clear();
        fold_chars(again.chars(), out);
    }
}

/// Normalise `input` into a new `String`.
pub fn normalize(input: &str) -> String {
    let mut out = String::new();
    normalize_into(input, &mut out);
    out
}

fn fold_chars(chars: impl Iterator<Item = char>, out: &mut String) {
    for c in chars {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        match c {
            // Typographic single quotes and primes: one apostrophe.
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' => {
                out.push('\'')
            }
            // Typographic double quotes and guillemets.
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
            | '\u{00BB}' => out.push('"'),
            // Hyphens and dashes of every width, and the minus sign.
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => {
                out.push('-')
            }
            // Full case folding differs from lowercasing in a few letters that matter for
            // matching words: German sharp s and Greek final sigma.
            '\u{00DF}' | '\u{1E9E}' => out.push_str("ss"),
            '\u{03C2}' => out.push('\u{03C3}'),
            _ => out.extend(c.to_lowercase()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ascii_is_lowercased() {
        assert_eq!(
            normalize("Paris (VNA) - The UPGRADE"),
            "paris (vna) - the upgrade"
        );
    }

    #[test]
    fn vietnamese_diacritics_survive_and_fold_case() {
        assert_eq!(normalize("Đinh Toàn Thắng"), "đinh toàn thắng");
    }

    #[test]
    fn decomposed_vietnamese_equals_precomposed() {
        // "ắ" as a + combining breve + combining acute.
        let decomposed = "Tha\u{0306}\u{0301}ng";
        assert_eq!(normalize(decomposed), normalize("Thắng"));
    }

    #[test]
    fn french_typographic_apostrophe_folds() {
        assert_eq!(normalize("L’ambassadeur"), normalize("l'ambassadeur"));
    }

    #[test]
    fn dashes_and_quotes_fold() {
        assert_eq!(
            normalize("Vietnam–France “ties”"),
            "vietnam-france \"ties\""
        );
    }

    #[test]
    fn german_sharp_s_folds_to_ss() {
        assert_eq!(normalize("Straße"), normalize("STRASSE"));
    }

    #[test]
    fn fullwidth_and_ligatures_fold_by_nfkc() {
        assert_eq!(normalize("ＡＢＣ ﬁne"), "abc fine");
    }

    #[test]
    fn cjk_passes_through() {
        assert_eq!(normalize("越南和法国"), "越南和法国");
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once);
        }
    }
}
