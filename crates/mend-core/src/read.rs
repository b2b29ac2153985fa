//! Targeted reads of single fields: the view is built record by record, never by hydrating
//! the whole document.

use crate::ids::Timestamp;
use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};

pub(crate) fn map(doc: &impl ReadDoc, parent: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(parent, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
        _ => None,
    }
}

fn scalar(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<ScalarValue> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => Some(s.into_owned()),
        _ => None,
    }
}

/// Every value written concurrently at `key`, the winner first: shown as conflicts.
pub(crate) fn strings_all(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Vec<String> {
    doc.get_all(obj, key)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(v, _)| match v {
            Value::Scalar(s) => match s.as_ref() {
                ScalarValue::Str(s) => Some(s.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

pub(crate) fn uint(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<u64> {
    match scalar(doc, obj, key)? {
        ScalarValue::Uint(u) => Some(u),
        ScalarValue::Int(i) => u64::try_from(i).ok(),
        _ => None,
    }
}

/// All fields of one map, read in one pass: far cheaper than one `get` per field (which
/// made building the view of 10,000 records take ~370 ms).
pub(crate) struct Fields<'a> {
    items: Vec<automerge::iter::MapRangeItem<'a>>,
}

impl<'a> Fields<'a> {
    pub(crate) fn read(doc: &'a impl ReadDoc, obj: &ObjId) -> Fields<'a> {
        Fields { items: doc.map_range(obj, ..).collect() }
    }

    fn get(&self, key: &str) -> Option<&automerge::iter::MapRangeItem<'a>> {
        self.items.iter().find(|i| i.key == key)
    }

    fn scalar(&self, key: &str) -> Option<&automerge::ScalarValueRef<'a>> {
        match &self.get(key)?.value {
            automerge::ValueRef::Scalar(s) => Some(s),
            automerge::ValueRef::Object(_) => None,
        }
    }

    pub(crate) fn string(&self, key: &str) -> Option<String> {
        match self.scalar(key)? {
            automerge::ScalarValueRef::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }

    pub(crate) fn int(&self, key: &str) -> Option<i64> {
        match self.scalar(key)? {
            automerge::ScalarValueRef::Int(i) | automerge::ScalarValueRef::Timestamp(i) => Some(*i),
            automerge::ScalarValueRef::Uint(u) => i64::try_from(*u).ok(),
            _ => None,
        }
    }

    pub(crate) fn time(&self, key: &str) -> Option<Timestamp> {
        self.int(key).map(Timestamp)
    }

    pub(crate) fn boolean(&self, key: &str) -> Option<bool> {
        match self.scalar(key)? {
            automerge::ScalarValueRef::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    pub(crate) fn map(&self, key: &str) -> Option<ObjId> {
        let item = self.get(key)?;
        matches!(item.value, automerge::ValueRef::Object(ObjType::Map)).then(|| item.id())
    }

    pub(crate) fn conflicted(&self, key: &str) -> bool {
        self.get(key).is_some_and(|i| i.conflict)
    }

    pub(crate) fn items_keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.items.iter().map(|i| i.key.as_ref())
    }

    /// The nested maps of this map, with their keys, in key order.
    pub(crate) fn maps(&self) -> impl Iterator<Item = (&str, ObjId)> + '_ {
        self.items.iter().filter(|i| matches!(i.value, automerge::ValueRef::Object(ObjType::Map))).map(|i| (i.key.as_ref(), i.id()))
    }
}
