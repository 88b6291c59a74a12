//! Reading a `Lead` out of an Automerge document, checking every field on the way.

use super::{Activity, ActivityKind, CallRecord, Lead, SCHEMA_VERSION};
use crate::amdoc::{SchemaError, child, opt_bool, opt_int, opt_str, req_int, req_str, string_map};
use crate::domain::{CallOutcome, LeadId, LeadStatus, PhoneNumber, Timestamp, UserId};
use automerge::{ObjId, ObjType, ROOT, ReadDoc};
use std::collections::BTreeSet;

fn invalid(field: &str, e: impl std::fmt::Display) -> SchemaError {
    SchemaError::Invalid { field: field.into(), message: e.to_string() }
}

/// Read and check a lead from any Automerge document (or a view of one).
pub fn read_lead(doc: &impl ReadDoc) -> Result<Lead, SchemaError> {
    let schema = req_int(doc, &ROOT, "schema")?;
    if schema > SCHEMA_VERSION {
        return Err(SchemaError::TooNew(schema));
    }
    let id = LeadId::parse(&req_str(doc, &ROOT, "id")?).map_err(|e| invalid("id", e))?;
    let mobile = PhoneNumber::from_e164(&req_str(doc, &ROOT, "mobile")?).map_err(|e| invalid("mobile", e))?;
    let alt_mobile = opt_str(doc, &ROOT, "alt_mobile")?
        .map(|s| PhoneNumber::from_e164(&s))
        .transpose()
        .map_err(|e| invalid("alt_mobile", e))?;
    let status = LeadStatus::parse(&req_str(doc, &ROOT, "status")?).map_err(|e| invalid("status", e))?;
    let tags_obj = child(doc, &ROOT, "tags", ObjType::Map)?;
    let tags: BTreeSet<String> = doc.keys(&tags_obj).collect();
    let custom = string_map(doc, &child(doc, &ROOT, "custom", ObjType::Map)?)?;
    let notes = doc
        .text(child(doc, &ROOT, "notes", ObjType::Text)?)
        .map_err(|e| SchemaError::Corrupt(e.to_string()))?;
    let list = child(doc, &ROOT, "activities", ObjType::List)?;
    let mut activities = Vec::with_capacity(doc.length(&list));
    for item in doc.list_range(&list, ..) {
        if let automerge::ValueRef::Object(ObjType::Map) = item.value {
            activities.push(read_activity(doc, &item.id())?);
        } else {
            return Err(SchemaError::WrongType { field: "activities[]".into(), expected: "a map" });
        }
    }
    Ok(Lead {
        id,
        created_at: Timestamp(req_int(doc, &ROOT, "created_at")?),
        created_by: UserId(req_int(doc, &ROOT, "created_by")?),
        name: req_str(doc, &ROOT, "name")?,
        mobile,
        alt_mobile,
        source: opt_str(doc, &ROOT, "source")?.unwrap_or_default(),
        status,
        follow_up: opt_int(doc, &ROOT, "follow_up")?.map(Timestamp),
        assignee: opt_int(doc, &ROOT, "assignee")?.map(UserId),
        deleted: opt_bool(doc, &ROOT, "deleted")?,
        tags,
        custom,
        notes,
        activities,
    })
}

fn read_activity(doc: &impl ReadDoc, obj: &ObjId) -> Result<Activity, SchemaError> {
    let kind = req_str(doc, obj, "kind")?;
    let status = |key: &str| -> Result<LeadStatus, SchemaError> {
        LeadStatus::parse(&req_str(doc, obj, key)?).map_err(|e| invalid(key, e))
    };
    let kind = match kind.as_str() {
        "created" => ActivityKind::Created,
        "call" => ActivityKind::Call(CallRecord {
            outcome: CallOutcome::parse(&req_str(doc, obj, "outcome")?).map_err(|e| invalid("outcome", e))?,
            duration_secs: u32::try_from(opt_int(doc, obj, "duration_s")?.unwrap_or(0))
                .map_err(|e| invalid("duration_s", e))?,
            note: opt_str(doc, obj, "note")?.unwrap_or_default(),
            voice_note: opt_str(doc, obj, "voice")?,
            follow_up: opt_int(doc, obj, "follow_up")?.map(Timestamp),
        }),
        "status" => ActivityKind::StatusChanged { from: status("from")?, to: status("to")? },
        "assign" => ActivityKind::Assigned {
            from: opt_int(doc, obj, "from")?.map(UserId),
            to: opt_int(doc, obj, "to")?.map(UserId),
        },
        "follow_up" => ActivityKind::FollowUpChanged { to: opt_int(doc, obj, "to")?.map(Timestamp) },
        "notes" => ActivityKind::NotesEdited { text: opt_str(doc, obj, "text")?.unwrap_or_default() },
        _ => ActivityKind::Other { kind },
    };
    Ok(Activity {
        id: obj.to_string(),
        at: Timestamp(req_int(doc, obj, "at")?),
        by: UserId(req_int(doc, obj, "by")?),
        device: opt_str(doc, obj, "device")?.unwrap_or_default(),
        kind,
    })
}
