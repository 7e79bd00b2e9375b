//! UID sets for commands: `1:5,9,12:14`. Sorted runs collapse to ranges, and a
//! long list is cut into several sets so no command line grows unbounded
//! (servers limit line length, often to 8 KB).

/// UIDs per command; a set of this many scattered UIDs stays far below 8 KB
/// only if they form ranges, so the text length is capped as well.
const MAX_SET_TEXT: usize = 4000;

/// Splits `uids` (any order, duplicates allowed) into sets no longer than the limit.
pub fn uid_sets(uids: &[u32]) -> Vec<String> {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut sets = Vec::new();
    let mut current = String::new();
    let mut index = 0;
    while index < sorted.len() {
        let start = sorted[index];
        let mut end = start;
        while index + 1 < sorted.len() && sorted[index + 1] == end + 1 {
            index += 1;
            end = sorted[index];
        }
        index += 1;
        let run = if start == end {
            start.to_string()
        } else {
            format!("{start}:{end}")
        };
        if !current.is_empty() && current.len() + 1 + run.len() > MAX_SET_TEXT {
            sets.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(',');
        }
        current.push_str(&run);
    }
    if !current.is_empty() {
        sets.push(current);
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_become_ranges() {
        assert_eq!(uid_sets(&[9, 1, 2, 3, 14, 12, 13, 3]), ["1:3,9,12:14"]);
        assert!(uid_sets(&[]).is_empty());
    }

    #[test]
    fn long_lists_are_split() {
        let scattered: Vec<u32> = (0..5000).map(|n| n * 2).collect();
        let sets = uid_sets(&scattered);
        assert!(sets.len() > 1);
        assert!(sets.iter().all(|set| set.len() <= MAX_SET_TEXT));
        let total: usize = sets.iter().map(|set| set.split(',').count()).sum();
        assert_eq!(total, 5000);
    }
}
