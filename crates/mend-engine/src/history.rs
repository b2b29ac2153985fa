//! Who changed what, and when: read from the document's own change history, where each
//! change carries its device (the actor) and a message naming the action.

use mend_core::schema::is_genesis_actor;
use mend_core::{DeviceId, PartnerId, RecordId, Timestamp, View};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at: Timestamp,
    pub device: Option<DeviceId>,
    pub partner: Option<PartnerId>,
    /// The partner's name, or the device's id when the device is unknown here.
    pub who: String,
    /// Whether the device is proved to be that partner's (see `mend_core::trust`): an entry
    /// from any other device is only what that device says it did.
    pub verified: bool,
    /// The action, as stored: e.g. `agreement.accept <id>`.
    pub action: String,
    /// The same in words, e.g. `accepted the agreement "No phones at dinner"`.
    pub summary: String,
}

pub(crate) fn entries(changes: &[automerge::Change], view: &View) -> Vec<HistoryEntry> {
    let mut out: Vec<HistoryEntry> = changes
        .iter()
        .filter(|c| !is_genesis_actor(c.actor_id()))
        .map(|c| {
            let device = DeviceId::from_actor(c.actor_id());
            let known = view.devices.get(&device);
            let verified = known.is_some_and(|d| d.verified);
            let partner = known.filter(|d| d.verified).map(|d| d.partner.clone());
            let who = match (&partner, known) {
                (Some(p), _) => view.partner_name(p).to_owned(),
                (None, Some(d)) if !d.name.is_empty() => format!("{} (not verified)", d.name),
                (None, _) => format!("device {} (not verified)", device.short()),
            };
            let action = c.message().unwrap_or("").to_owned();
            HistoryEntry { at: Timestamp(c.timestamp()), summary: summarize(&action, view), device: Some(device), partner, who, verified, action }
        })
        .collect();
    out.sort_by_key(|e| e.at);
    out
}

fn snippet(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 48 { format!("\"{}…\"", one_line.chars().take(47).collect::<String>()) } else { format!("\"{one_line}\"") }
}

fn summarize(action: &str, v: &View) -> String {
    let (verb, id) = action.split_once(' ').unwrap_or((action, ""));
    let id = RecordId::from_key(id);
    let agreement = || v.agreements.get(&id).and_then(|a| a.current()).map(|r| snippet(&r.text)).unwrap_or_default();
    let promise = || v.promises.get(&id).map(|p| snippet(&p.text)).unwrap_or_default();
    match verb {
        "device.register" => "set up a device".into(),
        "device.trust" => {
            format!("paired the device {}", v.devices.get(&mend_core::DeviceId::from_key(id.as_str())).map(|d| d.name.as_str()).unwrap_or(""))
        }
        "device.remove" => {
            format!("removed the device {}", v.devices.get(&mend_core::DeviceId::from_key(id.as_str())).map(|d| d.name.as_str()).unwrap_or(""))
        }
        "device.rename" => {
            format!("renamed a device to {}", v.devices.get(&mend_core::DeviceId::from_key(id.as_str())).map(|d| d.name.as_str()).unwrap_or(""))
        }
        "device.leave" => "left the space".into(),
        "profile.update" => "updated their profile".into(),
        "agreement.propose" => format!("proposed the agreement {}", agreement()),
        "agreement.revise" => format!("revised the agreement {}", agreement()),
        "agreement.accept" => format!("accepted the agreement {}", agreement()),
        "agreement.review" => format!("scheduled a review of {}", agreement()),
        "agreement.archive" => format!("withdrew the agreement {}", agreement()),
        "promise.make" => format!("promised {}", promise()),
        "promise.keep" => format!("kept the promise {}", promise()),
        "promise.miss" => format!("missed the promise {}", promise()),
        "promise.renegotiate" => format!("renegotiated the promise {}", promise()),
        "promise.ack" => format!("acknowledged {}", promise()),
        "gratitude.add" => "wrote a gratitude note".into(),
        "checkin.add" => "checked in".into(),
        "repair.add" => "offered a repair".into(),
        "repair.respond" => "answered a repair".into(),
        "pause.start" => "asked for a pause".into(),
        "pause.end" => "ended their pause".into(),
        "goal.add" => format!("set the goal {}", v.goals.get(&id).map(|g| snippet(&g.text)).unwrap_or_default()),
        "goal.step" => "added a step to a goal".into(),
        "goal.done" => "marked a step of a goal done".into(),
        "goal.celebrate" => format!("celebrated the goal {}", v.goals.get(&id).map(|g| snippet(&g.text)).unwrap_or_default()),
        "together.plan" => format!("planned time together: {}", v.together.get(&id).map(|t| snippet(&t.text)).unwrap_or_default()),
        "together.idea" => "added an idea for time together".into(),
        "together.done" => "marked time together as done".into(),
        "together.talk" => "suggested a time to talk".into(),
        "heard.write" => "wrote what they heard".into(),
        "heard.answer" => "answered what their partner heard".into(),
        "question.answer" => "answered the question of the day".into(),
        "question.open" => "opened their answer, once both had answered".into(),
        "" => "made a change".into(),
        other => format!("made a change ({other})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mend_core::{Action, Actor, SharedDoc};

    fn device(partner: u128, key: u8) -> Actor {
        Actor { partner: PartnerId::from_uuid(uuid::Uuid::from_u128(partner)), device: DeviceId::from_public_key(&[key; 32]) }
    }

    fn space(me: &Actor, name: &str) -> SharedDoc {
        let mut d = SharedDoc::new_space().unwrap();
        d.set_device(&me.device).unwrap();
        d.apply(me, Timestamp(1), Action::RegisterDevice { partner_name: Some(name.into()), device_name: format!("{name}'s laptop") }).unwrap();
        d
    }

    /// An entry says who did it only when the device is proved to be that partner's: a
    /// device Ben listed as Ana's is named, and marked as not verified.
    #[test]
    fn an_entry_from_a_device_not_proved_is_marked_not_verified() {
        let (ana, ben, fake) = (device(1, 1), device(2, 2), device(1, 3));
        let mut a = space(&ana, "Ana");
        let mut b = space(&ben, "Ben");
        b.apply(&ben, Timestamp(2), Action::TrustDevice { device: fake.device.clone(), partner: ana.partner.clone(), name: "Ana's phone".into() })
            .unwrap();
        let mut x = SharedDoc::new_space().unwrap();
        x.set_device(&fake.device).unwrap();
        x.doc_mut().merge(b.doc_mut()).unwrap();
        x.apply(&fake, Timestamp(3), Action::AddGratitude { id: RecordId::from_key("n1"), text: "hi".into(), about: None }).unwrap();
        let before = a.heads();
        a.doc_mut().merge(x.doc_mut()).unwrap();
        a.absorb(&before).unwrap();
        let changes = a.doc_mut().get_changes(&[]);
        let h = entries(&changes, a.view());
        let by = |d: &DeviceId| h.iter().find(|e| e.device.as_ref() == Some(d)).unwrap().clone();
        let mine = by(&ana.device);
        assert!(mine.verified && mine.who == "Ana", "{mine:?}");
        let fake_entry = by(&fake.device);
        assert!(!fake_entry.verified && fake_entry.partner.is_none(), "{fake_entry:?}");
        assert_eq!(fake_entry.who, "Ana's phone (not verified)");
    }
}
