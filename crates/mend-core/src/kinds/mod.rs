//! One room per kind of record. A room holds everything about its kind: the record as the
//! view presents it, how it is read from its map in the document, and the rules that write
//! it. Changing a kind means changing its room; `SharedDoc` only routes actions here.

use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::view::{Collections, View};
use automerge::{AutoCommit, ObjId};
use std::collections::BTreeSet;

macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$m])*
        // Serialized as the same words the document and the CLI use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $word)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($word => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod agreement;
pub mod answer;
pub mod checkin;
pub mod device;
pub mod goal;
pub mod gratitude;
pub mod heard;
pub mod partner;
pub mod pause;
pub mod promise;
pub mod repair;
pub mod together;

/// A room's rules: check one action against the view, write it, note what it touched.
/// Returns the record the action created, if it creates one.
pub(crate) type Rules = fn(&mut Room, &Actor, Timestamp, Action) -> Result<Option<RecordId>, CoreError>;

/// The records one action touched, re-read into the view once the change is committed.
pub(crate) type Touched = BTreeSet<(Collection, String)>;

/// What a room's rules work with while one action is applied: the document to write, the
/// view to check the rules against (as it was before the action), and the records touched.
pub(crate) struct Room<'a> {
    pub(crate) doc: &'a mut AutoCommit,
    pub(crate) colls: &'a Collections,
    pub(crate) view: &'a View,
    pub(crate) touched: &'a mut Touched,
}

impl Room<'_> {
    pub(crate) fn coll(&self, c: Collection) -> Result<ObjId, CoreError> {
        // `SharedDoc` makes the practices' collections before it sends an action of theirs.
        self.colls.find(c).cloned().ok_or_else(|| CoreError::Document(format!("the space has no {} yet", c.key())))
    }

    /// The map of an existing record, or the error that names the id the person gave.
    pub(crate) fn record(&self, c: Collection, id: &str, kind: &'static str) -> Result<ObjId, CoreError> {
        let coll = self.coll(c)?;
        read::map(&*self.doc, &coll, id).ok_or_else(|| CoreError::UnknownId { kind, id: id.to_owned() })
    }

    pub(crate) fn touch(&mut self, c: Collection, key: impl Into<String>) {
        self.touched.insert((c, key.into()));
    }
}

pub(crate) fn unknown(kind: &'static str, id: &RecordId) -> CoreError {
    CoreError::UnknownId { kind, id: id.to_string() }
}

/// `SharedDoc` routes each action to the one room whose rules cover it; an action arriving
/// in another room is a routing mistake in Mend, refused before anything is written.
pub(crate) fn misrouted(room: &'static str, action: &Action) -> CoreError {
    CoreError::Document(format!("{} is not a rule of the {room} room", action.describe()))
}
