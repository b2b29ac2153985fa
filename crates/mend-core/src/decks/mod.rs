//! What Mend offers a couple to talk about and do: its own words, written for two people who are mending trust.
pub mod ideas;
pub mod questions;
pub mod quiz;
