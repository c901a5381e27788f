//! Guadagni–Little loyalty (MODEL.md §4): an exponentially smoothed record of past choices.

/// L ← θL + (1 − θ)·[r was chosen] for every retailer; `chosen` is `None` for the outside option.
/// The decay runs four retailers at a time (one vector multiply), the rest one by one: the same
/// products either way.
#[inline]
pub fn update(loyalty: &mut [f32], chosen: Option<usize>, smoothing: f32) {
    let mut chunks = loyalty.chunks_exact_mut(4);
    for chunk in &mut chunks {
        let chunk: &mut [f32; 4] = chunk.try_into().expect("chunks of four");
        *chunk = chunk.map(|l| l * smoothing);
    }
    for l in chunks.into_remainder() {
        *l *= smoothing;
    }
    if let Some(r) = chosen {
        loyalty[r] += 1.0 - smoothing;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_retailer_gains_and_others_decay() {
        let mut l = [0.5_f32, 0.2];
        update(&mut l, Some(1), 0.8);
        assert!((l[0] - 0.4).abs() < 1e-6);
        assert!((l[1] - (0.16 + 0.2)).abs() < 1e-6);
    }

    #[test]
    fn outside_option_decays_everything() {
        let mut l = [0.5_f32, 0.25];
        update(&mut l, None, 0.5);
        assert_eq!(l, [0.25, 0.125]);
    }

    #[test]
    fn loyalties_stay_in_the_unit_interval_and_sum_to_at_most_one() {
        let mut l = [0.0_f32; 3];
        for week in 0..200 {
            update(&mut l, [Some(0), Some(2), None][week % 3], 0.9);
            assert!(l.iter().all(|&x| (0.0..=1.0).contains(&x)));
            assert!(l.iter().sum::<f32>() <= 1.0 + 1e-5);
        }
    }
}
