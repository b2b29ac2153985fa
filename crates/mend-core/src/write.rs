use crate::ids::Timestamp;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, AutomergeError, ObjId, ObjType};

pub(crate) fn map(doc: &mut AutoCommit, parent: &ObjId, key: &str) -> Result<ObjId, AutomergeError> {
    doc.put_object(parent, key, ObjType::Map)
}

pub(crate) fn text(doc: &mut AutoCommit, obj: &ObjId, key: &str, v: &str) -> Result<(), AutomergeError> {
    doc.put(obj, key, v)
}

pub(crate) fn opt_text(doc: &mut AutoCommit, obj: &ObjId, key: &str, v: Option<&str>) -> Result<(), AutomergeError> {
    match v {
        Some(v) => doc.put(obj, key, v),
        None => Ok(()),
    }
}

pub(crate) fn time(doc: &mut AutoCommit, obj: &ObjId, key: &str, t: Timestamp) -> Result<(), AutomergeError> {
    doc.put(obj, key, t.0)
}

/// Sets or clears an optional time (clearing deletes the key, so readers see None).
pub(crate) fn opt_time(doc: &mut AutoCommit, obj: &ObjId, key: &str, t: Option<Timestamp>) -> Result<(), AutomergeError> {
    match t {
        Some(t) => doc.put(obj, key, t.0),
        None => doc.delete(obj, key),
    }
}

pub(crate) fn int(doc: &mut AutoCommit, obj: &ObjId, key: &str, v: i64) -> Result<(), AutomergeError> {
    doc.put(obj, key, v)
}

pub(crate) fn boolean(doc: &mut AutoCommit, obj: &ObjId, key: &str, v: bool) -> Result<(), AutomergeError> {
    doc.put(obj, key, v)
}

pub(crate) fn bytes(doc: &mut AutoCommit, obj: &ObjId, key: &str, v: &[u8]) -> Result<(), AutomergeError> {
    doc.put(obj, key, automerge::ScalarValue::Bytes(v.to_vec()))
}
