//! The typed records that readers fill and analyses read: what an input
//! *says*, once its bytes are checked, held compactly. Readers
//! ([`crate::input`]) build these; analyses ([`crate::survey`],
//! [`crate::sqi`], …) compute from them and never see a file. Each record
//! merges with the same record of a later part of an input, so that a file
//! read on several cores, or in several runs, gives one result.
//!
//! - what the survey says: [`responses`] (respondent × item codes and their
//!   dictionaries), on a [`scale`], coded by an [`instrument`], weighted by
//!   [`importance`];
//! - what the gap model's other inputs say: [`gap_inputs`];
//! - what the events say of the [`standards`];
//! - what the incident log and volume file say: the SQI's period × group
//!   cells and their counts (`cells`, `counts`), weighted by [`weights`];
//! - how many rows each input gave, used and rejected: [`tallies`].

pub(crate) mod cells;
pub(crate) mod counts;
pub mod customers;
pub(crate) mod dictionary;
pub mod gap_inputs;
pub mod importance;
pub mod instrument;
pub mod responses;
pub mod scale;
pub mod standards;
pub mod tallies;
pub mod weights;
