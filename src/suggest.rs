//! "Did you mean …?" hints for names that are not found (pages, files, data keys).

/// `" (did you mean `x`?)"` for the candidate closest to `wanted`, or `""` when none is close.
pub(crate) fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let limit = limit(wanted);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let d = distance(wanted, candidate);
        if d <= limit && best.is_none_or(|(bd, bc)| (d, candidate) < (bd, bc)) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| format!(" (did you mean `{c}`?)")).unwrap_or_default()
}

/// Whether `candidate` is close enough to `wanted` to be suggested for it.
pub(crate) fn is_close(wanted: &str, candidate: &str) -> bool {
    distance(wanted, candidate) <= limit(wanted)
}

/// The largest distance at which a name is suggested for `wanted`.
fn limit(wanted: &str) -> usize {
    (wanted.chars().count() / 3).max(2)
}

/// Levenshtein distance in characters, case-insensitive.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut previous = row[0];
        row[0] = i;
        for j in 1..=b.len() {
            let current = row[j];
            row[j] = (row[j] + 1).min(row[j - 1] + 1).min(previous + usize::from(a[i - 1] != b[j - 1]));
            previous = current;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_only_close_names() {
        let names = ["protocols.md", "glossary.md", "faq.md"];
        assert_eq!(closest("protocol.md", names.into_iter()), " (did you mean `protocols.md`?)");
        assert_eq!(closest("zzzzzzzz", names.into_iter()), "");
    }
}
