//! Questions every front end asks of the view (the window, the CLI, the exports), answered
//! once here so that they can never disagree on what is due or where an agreement stands.

use crate::ids::{PartnerId, RecordId, Timestamp};
use crate::records::{AgreementGroup, Promise};
use crate::view::View;

/// Every agreement in the group it belongs to for `me` at `now`, groups in
/// [`AgreementGroup::ORDER`], agreements in id order; empty groups are left out.
pub fn agreement_groups(view: &View, me: &PartnerId, now: Timestamp) -> Vec<(AgreementGroup, Vec<RecordId>)> {
    let partners = view.partner_ids();
    let mut groups: Vec<(AgreementGroup, Vec<RecordId>)> = AgreementGroup::ORDER.iter().map(|g| (*g, vec![])).collect();
    for a in view.agreements.values() {
        let group = a.group(&partners, me, now);
        if let Some((_, ids)) = groups.iter_mut().find(|(g, _)| *g == group) {
            ids.push(a.id.clone());
        }
    }
    groups.retain(|(_, ids)| !ids.is_empty());
    groups
}

/// Open promises due by `t` (overdue ones too), soonest first: with `t` the end of today,
/// what is due today.
pub fn due_by(view: &View, t: Timestamp) -> Vec<&Promise> {
    let mut due: Vec<&Promise> = view.promises.values().filter(|p| p.is_due_by(t)).collect();
    due.sort_by_key(|p| p.next_due);
    due
}
