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

pub(crate) fn string(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<String> {
    match scalar(doc, obj, key)? {
        ScalarValue::Str(s) => Some(s.to_string()),
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

pub(crate) fn int(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<i64> {
    match scalar(doc, obj, key)? {
        ScalarValue::Int(i) | ScalarValue::Timestamp(i) => Some(i),
        ScalarValue::Uint(u) => i64::try_from(u).ok(),
        _ => None,
    }
}

pub(crate) fn uint(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<u64> {
    match scalar(doc, obj, key)? {
        ScalarValue::Uint(u) => Some(u),
        ScalarValue::Int(i) => u64::try_from(i).ok(),
        _ => None,
    }
}

pub(crate) fn time(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<Timestamp> {
    int(doc, obj, key).map(Timestamp)
}

pub(crate) fn boolean(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<bool> {
    match scalar(doc, obj, key)? {
        ScalarValue::Boolean(b) => Some(b),
        _ => None,
    }
}

/// The keys of a map, in key order.
pub(crate) fn keys(doc: &impl ReadDoc, obj: &ObjId) -> Vec<String> {
    doc.keys(obj).collect()
}
