//! Candidate generation: documents' sketches or heaviest terms go in, sorted unique pairs of
//! documents worth verifying come out. Two generators, one per lane:
//! - [`bands`]: LSH banding of MinHash signatures (the copy lane; and the story lane's
//!   weighted-MinHash option);
//! - [`top_terms`]: an inverted index over each document's heaviest story terms (the story
//!   lane's default).
//!
//! [`index`] holds the same generators as indexes that grow and shrink one document at a time
//! (insert, remove, query one document, self-join), for an archive that takes articles as they
//! arrive.
//!
//! Candidates never score: a pair here is only a pair to look at. [`pairs`] holds the sorted
//! list operations both generators share.

pub mod bands;
pub mod index;
pub mod pairs;
pub mod top_terms;

pub use index::{BandIndex, CandidateIndex, TopTermsIndex};
pub use pairs::CandidatePair;
