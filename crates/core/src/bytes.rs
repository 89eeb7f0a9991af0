//! Splitting text at ASCII delimiters, by byte.
//!
//! `str::split`, `split_once` and friends with a `char` or `&str` pattern pull the generic
//! string searchers (and their panic paths) into the tracker: about 2 KB gzip for what,
//! here, is always a search for one ASCII byte. An ASCII byte never sits inside a UTF-8
//! sequence, so every split point is a character boundary and `str::get` never fails.

/// Byte offset of the first `delimiter` in `text`.
pub fn find(text: &str, delimiter: u8) -> Option<usize> {
    text.bytes().position(|b| b == delimiter)
}

/// `text` before and after its first `delimiter`.
pub fn split_once(text: &str, delimiter: u8) -> Option<(&str, &str)> {
    let at = find(text, delimiter)?;
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// `text` up to its first `delimiter`, or all of it.
pub fn before(text: &str, delimiter: u8) -> &str {
    split_once(text, delimiter).map_or(text, |(head, _)| head)
}

/// The pieces of `text` between `delimiter`s, as `str::split` gives them.
pub fn split(text: &str, delimiter: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let current = rest?;
        match split_once(current, delimiter) {
            Some((head, tail)) => {
                rest = Some(tail);
                Some(head)
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn splits_as_str_does(text in "[a&=é#\u{1F600}]{0,24}", delimiter in prop::sample::select(vec![b'&', b'=', b'#'])) {
            let as_char = delimiter as char;
            prop_assert_eq!(split(&text, delimiter).collect::<Vec<_>>(), text.split(as_char).collect::<Vec<_>>());
            prop_assert_eq!(split_once(&text, delimiter), text.split_once(as_char));
            prop_assert_eq!(before(&text, delimiter), text.split(as_char).next().unwrap_or(""));
            prop_assert_eq!(find(&text, delimiter), text.find(as_char));
        }
    }
}
