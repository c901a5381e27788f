//! A retailer's changeable parameters, and how events and acquisitions change them.

use super::change::{Change, Field, Op};

/// Parameters of one retailer in one week. Store counts are per region (densities, not rounded).
#[derive(Debug, Clone, PartialEq)]
pub struct RetailerState {
    /// False once another retailer has acquired it with `rebrand = true`.
    pub active: bool,
    /// Index of its owner in `Scenario::owners` (an acquisition changes it).
    pub owner: usize,
    /// Stores per region.
    pub stores: Vec<f64>,
    /// q_r, utility.
    pub quality: f64,
    /// P_r, relative to the market.
    pub price_index: f64,
    /// W_r, minutes.
    pub checkout_wait_min: f64,
    /// How much loyalty to this retailer pulls a household online.
    pub adoption_pull: f64,
    /// Click-and-collect, if offered.
    pub pickup: Option<PickupState>,
    /// Home delivery, if offered.
    pub delivery: Option<DeliveryState>,
}

/// Pickup channel parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct PickupState {
    /// F^pu, dollars.
    pub fee: f64,
    /// W^pu, minutes.
    pub wait_min: f64,
    /// q^pu, utility offset.
    pub quality: f64,
    /// Pickup stores per region; `None` means every store offers pickup.
    pub stores: Option<Vec<f64>>,
}

/// Delivery channel parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryState {
    /// F^dl, dollars.
    pub fee: f64,
    /// q^dl, utility offset.
    pub quality: f64,
    /// Share of households reached, per region.
    pub coverage: Vec<f64>,
}

impl RetailerState {
    /// Which channels exist at all: `[store, pickup, delivery]`.
    pub fn channels(&self) -> [bool; 3] {
        [self.stores.iter().any(|&s| s > 0.0), self.pickup.is_some(), self.delivery.is_some()]
    }

    /// Pickup stores in a region: never more than the stores there.
    pub fn pickup_stores(&self, region: usize) -> f64 {
        match &self.pickup {
            None => 0.0,
            Some(p) => match &p.stores {
                None => self.stores[region],
                Some(s) => s[region].min(self.stores[region]),
            },
        }
    }

    /// Applies one `set`/`scale`/`add` change. `region_mix` places stores in a retailer that had none.
    /// Returns an error message if the field belongs to a channel this retailer does not have.
    pub fn apply(&mut self, change: &Change, region_mix: &[f64]) -> Result<(), String> {
        let (op, v) = (change.op, change.value);
        match change.field {
            Field::Stores(None) => rescale_total(&mut self.stores, op, v, region_mix),
            Field::Stores(Some(g)) => self.stores[g] = op.apply(self.stores[g], v),
            Field::Quality => self.quality = op.apply(self.quality, v),
            Field::PriceIndex => self.price_index = op.apply(self.price_index, v),
            Field::CheckoutWaitMin => self.checkout_wait_min = op.apply(self.checkout_wait_min, v),
            Field::AdoptionPull => self.adoption_pull = op.apply(self.adoption_pull, v),
            Field::PickupFee | Field::PickupWaitMin | Field::PickupQuality | Field::PickupStores(_) => {
                let all_stores = self.stores.clone();
                let pickup = self.pickup.as_mut().ok_or("it has no pickup channel")?;
                match change.field {
                    Field::PickupFee => pickup.fee = op.apply(pickup.fee, v),
                    Field::PickupWaitMin => pickup.wait_min = op.apply(pickup.wait_min, v),
                    Field::PickupQuality => pickup.quality = op.apply(pickup.quality, v),
                    Field::PickupStores(region) => {
                        let stores = pickup.stores.get_or_insert(all_stores);
                        match region {
                            None => rescale_total(stores, op, v, region_mix),
                            Some(g) => stores[g] = op.apply(stores[g], v),
                        }
                    }
                    _ => unreachable!("matched pickup fields above"),
                }
            }
            Field::DeliveryFee | Field::DeliveryQuality | Field::DeliveryCoverage(_) => {
                let delivery = self.delivery.as_mut().ok_or("it has no delivery channel")?;
                match change.field {
                    Field::DeliveryFee => delivery.fee = op.apply(delivery.fee, v),
                    Field::DeliveryQuality => delivery.quality = op.apply(delivery.quality, v),
                    Field::DeliveryCoverage(None) => delivery.coverage.iter_mut().for_each(|c| *c = op.apply(*c, v)),
                    Field::DeliveryCoverage(Some(g)) => delivery.coverage[g] = op.apply(delivery.coverage[g], v),
                    _ => unreachable!("matched delivery fields above"),
                }
            }
        }
        Ok(())
    }

    /// Takes over `target` (an acquisition with `rebrand = true`): its stores join ours region
    /// by region and pickup stores add up (physical stores change banner); a channel both sell
    /// keeps our own parameters (what we sell there does not become what they sold: Boxed's
    /// national bulk delivery does not become Kroger's fresh-grocery delivery reach); a channel
    /// only they sold is taken whole.
    pub fn absorb(&mut self, target: &mut RetailerState) {
        let our_pickup: Vec<f64> = (0..self.stores.len()).map(|g| self.pickup_stores(g)).collect();
        let their_pickup: Vec<f64> = (0..target.stores.len()).map(|g| target.pickup_stores(g)).collect();
        for (ours, theirs) in self.stores.iter_mut().zip(&target.stores) {
            *ours += theirs;
        }
        match (&mut self.pickup, &target.pickup) {
            (Some(p), Some(_)) => p.stores = Some(our_pickup.iter().zip(&their_pickup).map(|(a, b)| a + b).collect()),
            (None, Some(theirs)) => {
                let mut taken = theirs.clone();
                taken.stores = Some(their_pickup);
                self.pickup = Some(taken);
            }
            _ => {}
        }
        if let (None, Some(theirs)) = (&self.delivery, &target.delivery) {
            self.delivery = Some(theirs.clone());
        }
        target.active = false;
    }

    /// A message for the first parameter out of its valid range, if any.
    pub fn out_of_range(&self) -> Option<String> {
        let checks: [(&str, f64, f64, f64); 5] = [
            ("quality", self.quality, f64::MIN, f64::MAX),
            ("price_index", self.price_index, f64::MIN_POSITIVE, f64::MAX),
            ("checkout_wait_min", self.checkout_wait_min, 0.0, f64::MAX),
            ("adoption_pull", self.adoption_pull, 0.0, f64::MAX),
            ("stores", self.stores.iter().sum(), 0.0, f64::MAX),
        ];
        let mut all: Vec<(&str, f64, f64, f64)> = checks.to_vec();
        all.extend(self.stores.iter().map(|&s| ("stores", s, 0.0, f64::MAX)));
        if let Some(p) = &self.pickup {
            all.push(("pickup.fee", p.fee, 0.0, f64::MAX));
            all.push(("pickup.wait_min", p.wait_min, 0.0, f64::MAX));
            all.push(("pickup.quality", p.quality, f64::MIN, f64::MAX));
            for &s in p.stores.iter().flatten() {
                all.push(("pickup.stores", s, 0.0, f64::MAX));
            }
        }
        if let Some(d) = &self.delivery {
            all.push(("delivery.fee", d.fee, 0.0, f64::MAX));
            all.push(("delivery.quality", d.quality, f64::MIN, f64::MAX));
            for &c in &d.coverage {
                all.push(("delivery.coverage", c, 0.0, 1.0));
            }
        }
        all.into_iter()
            .find(|(_, v, lo, hi)| !(v.is_finite() && *v >= *lo && *v <= *hi))
            .map(|(name, v, lo, hi)| describe_range(name, v, lo, hi))
    }
}

fn describe_range(name: &str, value: f64, lo: f64, hi: f64) -> String {
    let expected = match (lo, hi) {
        (l, h) if l == f64::MIN && h == f64::MAX => "a finite number".to_string(),
        (l, h) if l == f64::MIN_POSITIVE && h == f64::MAX => "a number > 0".to_string(),
        (l, h) if h == f64::MAX => format!("a number >= {l}"),
        (l, h) => format!("a number in [{l}, {h}]"),
    };
    format!("{name} becomes {value}, expected {expected}")
}

/// Changes a per-region store vector's total, keeping its split (or `region_mix` when it is empty).
fn rescale_total(stores: &mut [f64], op: Op, value: f64, region_mix: &[f64]) {
    let total: f64 = stores.iter().sum();
    let new_total = op.apply(total, value);
    if total > 0.0 {
        let factor = new_total / total;
        stores.iter_mut().for_each(|s| *s *= factor);
    } else {
        for (s, m) in stores.iter_mut().zip(region_mix) {
            *s = new_total * m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> RetailerState {
        RetailerState {
            active: true,
            owner: 0,
            stores: vec![30.0, 70.0],
            quality: 1.0,
            price_index: 1.0,
            checkout_wait_min: 5.0,
            adoption_pull: 0.0,
            pickup: Some(PickupState { fee: 0.0, wait_min: 3.0, quality: 0.0, stores: None }),
            delivery: None,
        }
    }

    fn change(field: Field, op: Op, value: f64) -> Change {
        Change { field, op, value }
    }

    #[test]
    fn set_scale_add_do_what_they_say() {
        let mut s = state();
        s.apply(&change(Field::CheckoutWaitMin, Op::Set, 2.0), &[0.5, 0.5]).unwrap();
        s.apply(&change(Field::PriceIndex, Op::Scale, 0.9), &[0.5, 0.5]).unwrap();
        s.apply(&change(Field::AdoptionPull, Op::Add, 0.25), &[0.5, 0.5]).unwrap();
        assert_eq!(s.checkout_wait_min, 2.0);
        assert_eq!(s.price_index, 0.9);
        assert_eq!(s.adoption_pull, 0.25);
    }

    #[test]
    fn store_total_keeps_the_regional_split() {
        let mut s = state();
        s.apply(&change(Field::Stores(None), Op::Set, 200.0), &[0.5, 0.5]).unwrap();
        assert_eq!(s.stores, vec![60.0, 140.0]);
        s.apply(&change(Field::Stores(Some(0)), Op::Add, 1.0), &[0.5, 0.5]).unwrap();
        assert_eq!(s.stores, vec![61.0, 140.0]);
    }

    #[test]
    fn stores_from_nothing_follow_the_region_mix() {
        let mut s = state();
        s.stores = vec![0.0, 0.0];
        s.apply(&change(Field::Stores(None), Op::Set, 10.0), &[0.2, 0.8]).unwrap();
        assert_eq!(s.stores, vec![2.0, 8.0]);
    }

    #[test]
    fn a_missing_channel_is_an_error() {
        let mut s = state();
        assert!(s.apply(&change(Field::DeliveryFee, Op::Set, 1.0), &[0.5, 0.5]).is_err());
    }

    #[test]
    fn pickup_stores_never_exceed_stores() {
        let mut s = state();
        s.apply(&change(Field::PickupStores(Some(0)), Op::Set, 500.0), &[0.5, 0.5]).unwrap();
        assert_eq!(s.pickup_stores(0), 30.0);
        assert_eq!(s.pickup_stores(1), 70.0);
    }

    #[test]
    fn absorbing_adds_stores_and_takes_missing_channels() {
        let mut acquirer = state();
        acquirer.pickup = None;
        let mut target = state();
        target.pickup.as_mut().unwrap().stores = Some(vec![10.0, 0.0]);
        target.delivery = Some(DeliveryState { fee: 5.0, quality: 0.1, coverage: vec![1.0, 0.5] });
        acquirer.absorb(&mut target);
        assert!(!target.active);
        assert_eq!(acquirer.stores, vec![60.0, 140.0]);
        assert_eq!(acquirer.pickup_stores(0), 10.0);
        assert_eq!(acquirer.delivery.unwrap().coverage, vec![1.0, 0.5]);
    }

    #[test]
    fn absorbing_keeps_our_own_version_of_a_channel_both_sell() {
        let mut acquirer = state();
        acquirer.delivery = Some(DeliveryState { fee: 9.0, quality: -1.0, coverage: vec![0.2, 0.2] });
        let mut target = state();
        target.delivery = Some(DeliveryState { fee: 0.0, quality: 0.0, coverage: vec![0.9, 0.9] });
        acquirer.absorb(&mut target);
        assert_eq!(acquirer.delivery.unwrap(), DeliveryState { fee: 9.0, quality: -1.0, coverage: vec![0.2, 0.2] });
    }

    #[test]
    fn ranges_are_checked() {
        let mut s = state();
        assert_eq!(s.out_of_range(), None);
        s.price_index = -0.1;
        assert!(s.out_of_range().unwrap().contains("price_index"));
    }
}
