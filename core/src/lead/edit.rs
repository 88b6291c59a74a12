//! `LeadDoc`: the edits people make to a lead, each committed as one Automerge change
//! stamped with the caller's time. Edits that change something a teammate would want to
//! see later (a call, a status or follow-up change, an assignment, a notes edit) also
//! append an activity, so the timeline is the lead's history.

use super::read::read_lead;
use super::{CallLog, Lead, NewLead, SCHEMA_VERSION, SchemaError};
use crate::domain::{LeadStatus, PhoneNumber, Timestamp, UserId};
use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Automerge, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue};

/// Who is editing, from where, and when. Handed in by the shell (sans-IO).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EditContext {
    pub user: UserId,
    pub device: String,
    pub now: Timestamp,
}

#[derive(Debug, thiserror::Error)]
pub enum LeadError {
    #[error("not a lead document: {0}")]
    Schema(#[from] SchemaError),
    #[error("the document could not be read: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("{0}")]
    Invalid(String),
}

pub struct LeadDoc {
    doc: AutoCommit,
}

/// One of the edits a device makes to a lead, as data: what a phone hands to the module
/// that holds its documents (`crate::kernel`), where [`LeadDoc::apply`] makes it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum LeadEdit {
    LogCall(CallLog),
    FollowUp(Option<Timestamp>),
    Name(String),
    Mobile(PhoneNumber),
    AltMobile(Option<PhoneNumber>),
    Source(String),
    Custom { key: String, value: Option<String> },
    Notes(String),
}

impl LeadDoc {
    /// A new lead document, created by `ctx.user` on the device whose actor is `actor`.
    pub fn create(actor: ActorId, ctx: &EditContext, new: NewLead) -> Result<Self, LeadError> {
        let name = clean_name(&new.name)?;
        let mut doc = AutoCommit::new().with_actor(actor);
        doc.put(ROOT, "schema", SCHEMA_VERSION)?;
        doc.put(ROOT, "id", new.id.as_str())?;
        doc.put(ROOT, "created_at", ctx.now.0)?;
        doc.put(ROOT, "created_by", ctx.user.0)?;
        doc.put(ROOT, "name", name)?;
        doc.put(ROOT, "mobile", new.mobile.e164())?;
        if let Some(alt) = &new.alt_mobile {
            doc.put(ROOT, "alt_mobile", alt.e164())?;
        }
        doc.put(ROOT, "source", new.source.trim())?;
        doc.put(ROOT, "status", LeadStatus::New.as_str())?;
        if let Some(f) = new.follow_up {
            doc.put(ROOT, "follow_up", f.0)?;
        }
        if let Some(a) = new.assignee {
            doc.put(ROOT, "assignee", a.0)?;
        }
        doc.put(ROOT, "deleted", false)?;
        let tags = doc.put_object(ROOT, "tags", ObjType::Map)?;
        for t in &new.tags {
            doc.put(&tags, clean_tag(t)?, true)?;
        }
        let custom = doc.put_object(ROOT, "custom", ObjType::Map)?;
        for (k, v) in &new.custom {
            let (k, v) = (k.trim(), v.trim());
            if !k.is_empty() && !v.is_empty() {
                doc.put(&custom, k, v)?;
            }
        }
        let notes = doc.put_object(ROOT, "notes", ObjType::Text)?;
        doc.update_text(&notes, &new.notes)?;
        doc.put_object(ROOT, "activities", ObjType::List)?;
        let mut lead = Self { doc };
        lead.append_activity(ctx, "created", &[])?;
        if new.assignee.is_some() {
            lead.append_activity(ctx, "assign", &[("to", nullable(new.assignee.map(|u| u.0)))])?;
        }
        lead.commit(ctx);
        Ok(lead)
    }

    /// Load saved bytes (a snapshot, or a snapshot followed by changes). Rejects truncated
    /// or corrupt input rather than loading what it can.
    pub fn load(bytes: &[u8], actor: ActorId) -> Result<Self, LeadError> {
        let doc = AutoCommit::load(bytes)?.with_actor(actor);
        Ok(Self { doc })
    }

    pub fn from_automerge(doc: Automerge) -> Self {
        Self { doc: AutoCommit::load(&doc.save()).expect("a saved document always loads") }
    }

    pub fn from_autocommit(doc: AutoCommit) -> Self {
        Self { doc }
    }

    pub fn read(&self) -> Result<Lead, SchemaError> {
        read_lead(&self.doc)
    }

    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    pub fn inner(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    pub fn into_inner(self) -> AutoCommit {
        self.doc
    }

    /// Make `edit` (each edit is its own change, as when called directly).
    pub fn apply(&mut self, ctx: &EditContext, edit: &LeadEdit) -> Result<(), LeadError> {
        match edit {
            LeadEdit::LogCall(call) => self.log_call(ctx, call),
            LeadEdit::FollowUp(to) => self.set_follow_up(ctx, *to),
            LeadEdit::Name(name) => self.set_name(ctx, name),
            LeadEdit::Mobile(mobile) => self.set_mobile(ctx, mobile),
            LeadEdit::AltMobile(alt) => self.set_alt_mobile(ctx, alt.as_ref()),
            LeadEdit::Source(source) => self.set_source(ctx, source),
            LeadEdit::Custom { key, value } => self.set_custom(ctx, key, value.as_deref()),
            LeadEdit::Notes(text) => self.set_notes(ctx, text),
        }
    }

    /// Log a call: append the call to the timeline, move the status on as the outcome
    /// says, and set (or clear) the follow-up — one change, so a half-logged call never
    /// syncs.
    pub fn log_call(&mut self, ctx: &EditContext, call: &CallLog) -> Result<(), LeadError> {
        let mut fields: Vec<(&str, ScalarValue)> = vec![
            ("outcome", call.outcome.as_str().into()),
            ("duration_s", i64::from(call.duration_secs).into()),
        ];
        if !call.note.trim().is_empty() {
            fields.push(("note", call.note.trim().into()));
        }
        if let Some(v) = &call.voice_note {
            fields.push(("voice", v.as_str().into()));
        }
        if let Some(f) = call.follow_up {
            fields.push(("follow_up", f.0.into()));
        }
        self.append_activity(ctx, "call", &fields)?;
        self.doc.put(ROOT, "status", call.outcome.resulting_status().as_str())?;
        self.put_follow_up(call.follow_up)?;
        self.commit(ctx);
        Ok(())
    }

    pub fn set_status(&mut self, ctx: &EditContext, to: LeadStatus) -> Result<(), LeadError> {
        let from = self.read()?.status;
        if from == to {
            return Ok(());
        }
        self.doc.put(ROOT, "status", to.as_str())?;
        self.append_activity(ctx, "status", &[("from", from.as_str().into()), ("to", to.as_str().into())])?;
        self.commit(ctx);
        Ok(())
    }

    pub fn set_follow_up(&mut self, ctx: &EditContext, to: Option<Timestamp>) -> Result<(), LeadError> {
        if self.read()?.follow_up == to {
            return Ok(());
        }
        self.put_follow_up(to)?;
        self.append_activity(ctx, "follow_up", &[("to", nullable(to.map(|t| t.0)))])?;
        self.commit(ctx);
        Ok(())
    }

    pub fn set_name(&mut self, ctx: &EditContext, name: &str) -> Result<(), LeadError> {
        let name = clean_name(name)?;
        self.doc.put(ROOT, "name", name)?;
        self.commit(ctx);
        Ok(())
    }

    pub fn set_mobile(&mut self, ctx: &EditContext, mobile: &PhoneNumber) -> Result<(), LeadError> {
        self.doc.put(ROOT, "mobile", mobile.e164())?;
        self.commit(ctx);
        Ok(())
    }

    pub fn set_alt_mobile(&mut self, ctx: &EditContext, alt: Option<&PhoneNumber>) -> Result<(), LeadError> {
        match alt {
            Some(m) => self.doc.put(ROOT, "alt_mobile", m.e164())?,
            None => self.doc.delete(ROOT, "alt_mobile")?,
        }
        self.commit(ctx);
        Ok(())
    }

    pub fn set_source(&mut self, ctx: &EditContext, source: &str) -> Result<(), LeadError> {
        self.doc.put(ROOT, "source", source.trim())?;
        self.commit(ctx);
        Ok(())
    }

    /// Set or clear one custom field ("car model", "reg. no.", …).
    pub fn set_custom(&mut self, ctx: &EditContext, key: &str, value: Option<&str>) -> Result<(), LeadError> {
        let key = key.trim();
        if key.is_empty() {
            return Err(LeadError::Invalid("a custom field needs a name".into()));
        }
        let custom = self.obj("custom", ObjType::Map)?;
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            Some(v) => self.doc.put(&custom, key, v)?,
            None => self.doc.delete(&custom, key)?,
        }
        self.commit(ctx);
        Ok(())
    }

    /// Tags are a map of tag → true, so two devices adding different tags both keep theirs.
    pub fn set_tag(&mut self, ctx: &EditContext, tag: &str, on: bool) -> Result<(), LeadError> {
        let tag = clean_tag(tag)?;
        let tags = self.obj("tags", ObjType::Map)?;
        if on {
            self.doc.put(&tags, tag, true)?;
        } else {
            self.doc.delete(&tags, tag)?;
        }
        self.commit(ctx);
        Ok(())
    }

    /// Replace the notes. Edits are merged character-wise with concurrent edits, and the
    /// new text is kept in the timeline as history.
    pub fn set_notes(&mut self, ctx: &EditContext, text: &str) -> Result<(), LeadError> {
        let notes = self.obj("notes", ObjType::Text)?;
        if self.doc.text(&notes)? == text {
            return Ok(());
        }
        self.doc.update_text(&notes, text)?;
        self.append_activity(ctx, "notes", &[("text", text.into())])?;
        self.commit(ctx);
        Ok(())
    }

    /// Admin only (the server refuses it from anyone else).
    pub fn assign(&mut self, ctx: &EditContext, to: Option<UserId>) -> Result<(), LeadError> {
        let from = self.read()?.assignee;
        if from == to {
            return Ok(());
        }
        match to {
            Some(u) => self.doc.put(ROOT, "assignee", u.0)?,
            None => self.doc.delete(ROOT, "assignee")?,
        }
        self.append_activity(ctx, "assign", &[("from", nullable(from.map(|u| u.0))), ("to", nullable(to.map(|u| u.0)))])?;
        self.commit(ctx);
        Ok(())
    }

    /// Admin only. Deletion is a flag, so a device that edits the lead offline merges
    /// cleanly instead of resurrecting half a document.
    pub fn set_deleted(&mut self, ctx: &EditContext, deleted: bool) -> Result<(), LeadError> {
        self.doc.put(ROOT, "deleted", deleted)?;
        self.commit(ctx);
        Ok(())
    }

    fn put_follow_up(&mut self, to: Option<Timestamp>) -> Result<(), LeadError> {
        match to {
            Some(t) => self.doc.put(ROOT, "follow_up", t.0)?,
            None => self.doc.delete(ROOT, "follow_up")?,
        }
        Ok(())
    }

    fn obj(&self, key: &str, ty: ObjType) -> Result<ObjId, LeadError> {
        Ok(crate::amdoc::child(&self.doc, &ROOT, key, ty)?)
    }

    fn append_activity(&mut self, ctx: &EditContext, kind: &str, fields: &[(&str, ScalarValue)]) -> Result<(), LeadError> {
        let list = self.obj("activities", ObjType::List)?;
        let at = self.doc.length(&list);
        let item = self.doc.insert_object(&list, at, ObjType::Map)?;
        self.doc.put(&item, "kind", kind)?;
        self.doc.put(&item, "at", ctx.now.0)?;
        self.doc.put(&item, "by", ctx.user.0)?;
        self.doc.put(&item, "device", ctx.device.as_str())?;
        for (k, v) in fields {
            if !matches!(v, ScalarValue::Null) {
                self.doc.put(&item, *k, v.clone())?;
            }
        }
        Ok(())
    }

    fn commit(&mut self, ctx: &EditContext) {
        self.doc.commit_with(automerge::transaction::CommitOptions::default().with_time(ctx.now.0 / 1000));
    }
}

fn clean_name(name: &str) -> Result<String, LeadError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(LeadError::Invalid("a lead needs a name".into()));
    }
    if name.chars().count() > 120 {
        return Err(LeadError::Invalid("a name can be at most 120 characters".into()));
    }
    Ok(name)
}

fn clean_tag(tag: &str) -> Result<String, LeadError> {
    let tag = tag.trim().to_lowercase();
    if tag.is_empty() || tag.chars().count() > 40 {
        return Err(LeadError::Invalid(format!("{tag:?} is not a tag (1–40 characters)")));
    }
    Ok(tag)
}

fn nullable(v: Option<i64>) -> ScalarValue {
    v.map_or(ScalarValue::Null, ScalarValue::Int)
}
