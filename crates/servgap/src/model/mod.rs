//! The typed records that readers fill and analyses read: what an input
//! *says*, once its bytes are checked, held compactly. Readers
//! ([`crate::input`]) build these; analyses ([`crate::survey`],
//! [`crate::sqi`], …) compute from them and never see a file. Each record
//! merges with the same record of a later part of an input, so that a file
//! read on several cores, or in several runs, gives one result.

pub(crate) mod cells;
pub(crate) mod counts;
pub(crate) mod dictionary;
pub mod responses;
pub mod tallies;
