//! Data protection (issue 15, item 13): a private data directory, checked at
//! start; restores that never carry another person's flags; exports and the
//! audit CSV read a page at a time; a maximum message size that always holds,
//! also against a server that lies; mailbox names unique per owner only.

mod data_dir;
mod mailbox_names;
mod message_size;
mod paging;
mod restore;
