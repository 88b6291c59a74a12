//! Small typed readers over raw Automerge values, shared by the lead and team schemas so
//! neither pokes at `Value`/`ScalarValue` shapes by hand. Every reader reports a missing or
//! mistyped field as a `SchemaError` naming the field.

use automerge::{ObjId, ObjType, ReadDoc, ScalarValue, Value};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("field {0:?} is missing")]
    Missing(String),
    #[error("field {field:?} should be {expected}")]
    WrongType { field: String, expected: &'static str },
    #[error("field {field:?}: {message}")]
    Invalid { field: String, message: String },
    #[error("document schema version {0} is newer than this app understands; update the app")]
    TooNew(i64),
    #[error("not a valid document: {0}")]
    Corrupt(String),
}

pub(crate) fn scalar(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Option<ScalarValue> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(v), _))) => Some(v.into_owned()),
        _ => None,
    }
}

pub(crate) fn opt_str(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Result<Option<String>, SchemaError> {
    match scalar(doc, obj, key) {
        None | Some(ScalarValue::Null) => Ok(None),
        Some(ScalarValue::Str(s)) => Ok(Some(s.to_string())),
        Some(_) => Err(SchemaError::WrongType { field: key.into(), expected: "a string" }),
    }
}

pub(crate) fn req_str(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Result<String, SchemaError> {
    opt_str(doc, obj, key)?.ok_or_else(|| SchemaError::Missing(key.into()))
}

pub(crate) fn opt_int(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Result<Option<i64>, SchemaError> {
    match scalar(doc, obj, key) {
        None | Some(ScalarValue::Null) => Ok(None),
        Some(ScalarValue::Int(i)) | Some(ScalarValue::Timestamp(i)) => Ok(Some(i)),
        Some(ScalarValue::Uint(u)) => i64::try_from(u)
            .map(Some)
            .map_err(|_| SchemaError::WrongType { field: key.into(), expected: "an integer" }),
        Some(_) => Err(SchemaError::WrongType { field: key.into(), expected: "an integer" }),
    }
}

pub(crate) fn req_int(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Result<i64, SchemaError> {
    opt_int(doc, obj, key)?.ok_or_else(|| SchemaError::Missing(key.into()))
}

pub(crate) fn opt_bool(doc: &impl ReadDoc, obj: &ObjId, key: &str) -> Result<bool, SchemaError> {
    match scalar(doc, obj, key) {
        None | Some(ScalarValue::Null) => Ok(false),
        Some(ScalarValue::Boolean(b)) => Ok(b),
        Some(_) => Err(SchemaError::WrongType { field: key.into(), expected: "true or false" }),
    }
}

/// The id of a child object of the expected type.
pub(crate) fn child(doc: &impl ReadDoc, obj: &ObjId, key: &str, ty: ObjType) -> Result<ObjId, SchemaError> {
    match doc.get(obj, key) {
        Ok(Some((Value::Object(t), id))) if t == ty => Ok(id),
        Ok(None) => Err(SchemaError::Missing(key.into())),
        _ => Err(SchemaError::WrongType { field: key.into(), expected: obj_type_name(ty) }),
    }
}

fn obj_type_name(ty: ObjType) -> &'static str {
    match ty {
        ObjType::Map | ObjType::Table => "a map",
        ObjType::List => "a list",
        ObjType::Text => "text",
    }
}

/// A map of string keys to string values (custom fields, templates).
pub(crate) fn string_map(
    doc: &impl ReadDoc,
    obj: &ObjId,
) -> Result<std::collections::BTreeMap<String, String>, SchemaError> {
    let mut out = std::collections::BTreeMap::new();
    for key in doc.keys(obj) {
        if let Some(v) = opt_str(doc, obj, &key)? {
            out.insert(key, v);
        }
    }
    Ok(out)
}
