//! Text handling before shingling: [`normalize`] (NFKC, case folding, typographic folding),
//! [`tokenize`] (words, hashed), and [`boilerplate`] (lines repeated across a collection).

pub mod boilerplate;
pub mod normalize;
pub mod tokenize;
