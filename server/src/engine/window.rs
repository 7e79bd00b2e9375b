//! A folder's UID space, walked window by window, so a run holds the UIDs of
//! one window in memory instead of the whole folder's: peak memory does not
//! grow with the mailbox.
//!
//! UIDs are ascending but not dense (expunged messages leave gaps, some
//! servers jump), so the span adapts: a window that found few messages makes
//! the next one wider, one that found many makes it narrower.

/// UIDs one window should hold, about; a few hundred KB of bookkeeping.
const TARGET: u32 = 5_000;

/// An inclusive UID range; `last: None` is `first:*`, open towards UIDs the
/// server assigns while the run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub first: u32,
    pub last: Option<u32>,
}

impl Window {
    /// The range in IMAP's sequence-set syntax.
    pub fn set(&self) -> String {
        match self.last {
            Some(last) => format!("{}:{last}", self.first),
            None => format!("{}:*", self.first),
        }
    }

    pub fn contains(&self, uid: u32) -> bool {
        uid >= self.first && self.last.is_none_or(|last| uid <= last)
    }
}

pub struct UidWindows {
    next: Option<u32>,
    /// The last UID the closed windows cover.
    through: u32,
    /// Whether a final `n:*` window follows the closed ones.
    open_ended: bool,
    span: u32,
}

impl UidWindows {
    /// Windows over `first..=through`, then (if `open_ended`) one `n:*`
    /// window for anything above.
    pub fn new(first: u32, through: u32, open_ended: bool) -> UidWindows {
        UidWindows {
            next: Some(first.max(1)),
            through,
            open_ended,
            span: TARGET,
        }
    }

    /// Adapts the span to how many UIDs the last window held.
    pub fn found(&mut self, count: usize) {
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        if count < TARGET / 8 {
            self.span = self.span.saturating_mul(4);
        } else if count > TARGET * 2 {
            self.span = (self.span / 2).max(TARGET);
        }
    }
}

impl Iterator for UidWindows {
    type Item = Window;

    fn next(&mut self) -> Option<Window> {
        let first = self.next?;
        if first <= self.through {
            let last = first.saturating_add(self.span - 1).min(self.through);
            // Past the top of the UID space, or past the limit with no open
            // window to follow: done.
            let finished = last == u32::MAX || (last == self.through && !self.open_ended);
            self.next = (!finished).then(|| last + 1);
            return Some(Window {
                first,
                last: Some(last),
            });
        }
        self.next = None;
        self.open_ended.then_some(Window { first, last: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_windows_cover_the_range_once_then_an_open_one_follows() {
        let windows: Vec<String> = UidWindows::new(1, 12_000, true)
            .map(|window| window.set())
            .collect();
        assert_eq!(windows, ["1:5000", "5001:10000", "10001:12000", "12001:*"]);
    }

    #[test]
    fn without_an_open_end_the_last_window_stops_at_the_limit() {
        let windows: Vec<String> = UidWindows::new(1, 7, false)
            .map(|window| window.set())
            .collect();
        assert_eq!(windows, ["1:7"]);
        assert_eq!(UidWindows::new(8, 7, false).count(), 0);
        // Nothing below the start: only the open window.
        let open: Vec<String> = UidWindows::new(8, 7, true).map(|w| w.set()).collect();
        assert_eq!(open, ["8:*"]);
    }

    #[test]
    fn sparse_uids_widen_the_span_and_dense_ones_narrow_it() {
        let mut windows = UidWindows::new(1, u32::MAX, false);
        let first = windows.next().unwrap();
        windows.found(3);
        let second = windows.next().unwrap();
        assert_eq!(first.last, Some(5_000));
        assert_eq!(
            second,
            Window {
                first: 5_001,
                last: Some(25_000)
            }
        );
        windows.found(80_000);
        let third = windows.next().unwrap();
        assert_eq!(third.last, Some(25_000 + 10_000));
        // The top of the UID space ends the walk without overflowing.
        let mut top = UidWindows::new(u32::MAX - 10, u32::MAX, true);
        assert_eq!(top.next().unwrap().last, Some(u32::MAX));
        assert_eq!(top.next(), None);
    }

    #[test]
    fn a_window_knows_its_uids() {
        let closed = Window {
            first: 5,
            last: Some(9),
        };
        assert!(closed.contains(5) && closed.contains(9));
        assert!(!closed.contains(4) && !closed.contains(10));
        let open = Window {
            first: 5,
            last: None,
        };
        assert!(open.contains(u32::MAX) && !open.contains(4));
    }
}
