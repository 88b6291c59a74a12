//! The team document: shared, rarely-changing settings that admins edit and every device
//! reads offline — the follow-up rules, the time zone and working hours, note templates
//! and WhatsApp templates.
//!
//! Every server creates the initial team document the same way (fixed actor, fixed time),
//! so two instances that start on one database at once produce byte-identical changes
//! instead of two competing roots.

use crate::amdoc::{SchemaError, child, opt_str, req_int, string_map};
use crate::domain::CallOutcome;
use crate::rules::{FollowUpRule, FollowUpRules, WorkingHours};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ObjType, ROOT, ReadDoc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const TEAM_SCHEMA_VERSION: i64 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub key: String,
    /// Text with `{name}`, `{date}`, `{agent}`-style variables.
    pub text: String,
}

/// The team settings as read from the team document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub rules: FollowUpRules,
    pub note_templates: Vec<Template>,
    pub whatsapp_templates: Vec<Template>,
}

impl Team {
    /// The settings every team starts with: the default follow-up rules and a few
    /// templates. What [`initial_team_doc`] holds, without building a document (the
    /// phone shows these before it has read the team's own).
    pub fn initial() -> Self {
        let template = |key: &str, text: &str| Template { key: key.into(), text: text.into() };
        Team {
            rules: FollowUpRules::default(),
            // In key order: the order the document's maps read back in.
            note_templates: vec![
                template("callback", "Asked to call back on {date}."),
                template("quote_sent", "Shared the service quote for {car_model}."),
                template("visit", "Will visit the workshop on {date}."),
            ],
            whatsapp_templates: vec![template(
                "intro",
                "Hello {name}, this is {agent}. Thank you for your interest — when is a good time to talk?",
            )],
        }
    }
}

/// The initial team document ([`Team::initial`]), identical on every server.
pub fn initial_team_doc() -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from([0u8; 16]));
    let team = Team::initial();
    let rules = &team.rules;
    let init = |doc: &mut AutoCommit| -> Result<(), automerge::AutomergeError> {
        doc.put(ROOT, "schema", TEAM_SCHEMA_VERSION)?;
        doc.put(ROOT, "time_zone", rules.time_zone_name())?;
        doc.put(ROOT, "working_hours", rules.working_hours.spec())?;
        let r = doc.put_object(ROOT, "follow_up_rules", ObjType::Map)?;
        for outcome in CallOutcome::ALL {
            doc.put(&r, outcome.as_str(), rules.rule(outcome).spec())?;
        }
        for (key, templates) in [("note_templates", &team.note_templates), ("whatsapp_templates", &team.whatsapp_templates)] {
            let map = doc.put_object(ROOT, key, ObjType::Map)?;
            for t in templates {
                doc.put(&map, t.key.as_str(), t.text.as_str())?;
            }
        }
        Ok(())
    };
    init(&mut doc).expect("writing to a fresh document cannot fail");
    doc.commit_with(CommitOptions::default().with_time(0));
    doc
}

pub fn read_team(doc: &impl ReadDoc) -> Result<Team, SchemaError> {
    let schema = req_int(doc, &ROOT, "schema")?;
    if schema > TEAM_SCHEMA_VERSION {
        return Err(SchemaError::TooNew(schema));
    }
    let mut rules = FollowUpRules::default();
    if let Some(tz) = opt_str(doc, &ROOT, "time_zone")? {
        rules.time_zone = crate::rules::parse_time_zone(&tz)
            .map_err(|e| SchemaError::Invalid { field: "time_zone".into(), message: e.to_string() })?;
    }
    if let Some(wh) = opt_str(doc, &ROOT, "working_hours")? {
        rules.working_hours = WorkingHours::parse_spec(&wh)
            .map_err(|e| SchemaError::Invalid { field: "working_hours".into(), message: e.to_string() })?;
    }
    for (key, spec) in string_map(doc, &child(doc, &ROOT, "follow_up_rules", ObjType::Map)?)? {
        // Rules for outcomes this version doesn't know are ignored, not fatal.
        if let Ok(outcome) = CallOutcome::parse(&key) {
            let rule = FollowUpRule::parse_spec(&spec)
                .map_err(|e| SchemaError::Invalid { field: format!("follow_up_rules.{key}"), message: e.to_string() })?;
            rules.set_rule(outcome, rule);
        }
    }
    let templates = |key: &str| -> Result<Vec<Template>, SchemaError> {
        let map: BTreeMap<String, String> = string_map(doc, &child(doc, &ROOT, key, ObjType::Map)?)?;
        Ok(map.into_iter().map(|(key, text)| Template { key, text }).collect())
    };
    Ok(Team { rules, note_templates: templates("note_templates")?, whatsapp_templates: templates("whatsapp_templates")? })
}

/// Fill `{variable}`s in a template; unknown variables are left as written so a typo is
/// visible rather than silently blank.
pub fn fill_template(text: &str, vars: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if vars.contains_key(&after[..close]) => {
                out.push_str(&vars[&after[..close]]);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_initial_team_doc_is_the_one_earlier_releases_created() {
        // Servers of different releases starting on one database must not create two
        // competing roots: the initial document's change may never change.
        let heads = initial_team_doc().get_heads();
        assert_eq!(heads.len(), 1);
        assert_eq!(heads[0].to_string(), "80a2d1da6842737993cf32cd4f03f43eaea0228974c31de6641c94178120cc77");
    }

    #[test]
    fn two_servers_create_the_same_team_doc() {
        let (mut a, mut b) = (initial_team_doc(), initial_team_doc());
        assert_eq!(a.get_heads(), b.get_heads());
        assert_eq!(a.save(), b.save());
    }

    #[test]
    fn initial_team_doc_reads_as_default_rules() {
        let team = read_team(&initial_team_doc()).unwrap();
        assert_eq!(team, Team::initial());
        for o in CallOutcome::ALL {
            assert_eq!(team.rules.rule(o), FollowUpRules::default().rule(o));
        }
        assert_eq!(team.whatsapp_templates.len(), 1);
    }

    #[test]
    fn templates_fill_known_variables_and_keep_unknown_ones() {
        let vars = BTreeMap::from([("name", "Ravi".to_string()), ("date", "Mon 24 Nov".to_string())]);
        assert_eq!(fill_template("Hi {name}, see you {date}. {oops}", &vars), "Hi Ravi, see you Mon 24 Nov. {oops}");
        assert_eq!(fill_template("{ {name}", &vars), "{ Ravi");
    }
}
