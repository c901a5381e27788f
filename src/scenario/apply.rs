//! Applying one event to the retailers' states: the one function validation replays and the
//! engine runs, so that what validation accepted is exactly what the engine does.

use super::{Event, Scenario};
use crate::model::retailer_state::RetailerState;

/// Applies `event` of `s` to `states`: an acquisition first (the acquirer's owner becomes the
/// target's owner; with `rebrand`, the target also folds into the acquirer, see
/// [`RetailerState::absorb`]), then its changes in order. An error names what could not change.
pub(crate) fn apply_event(s: &Scenario, event: &Event, states: &mut [RetailerState]) -> Result<(), String> {
    if let Some(target) = event.acquire {
        states[target].owner = states[event.retailer].owner;
        if event.rebrand {
            let mut taken = states[target].clone();
            states[event.retailer].absorb(&mut taken);
            states[target] = taken;
        }
    }
    for change in &event.changes {
        states[event.retailer].apply(change, &s.retailers[event.retailer].region_mix)?;
    }
    Ok(())
}
