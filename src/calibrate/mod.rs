//! Fitting retailers' quality so that simulated market shares match targets.
//!
//! The contraction of Berry, Levinsohn & Pakes (1995): q_r ← q_r + ln s_target − ln s_model,
//! and, with an online target, one market-wide offset on every pickup and delivery quality,
//! δ ← δ + ln s_online_target − ln s_online_model. Every iteration runs the same seed, so the
//! simulated shares are a deterministic function of the qualities (common random numbers) and
//! the iteration converges instead of chasing noise.

mod writeback;

pub use writeback::write_calibrated;

use crate::Scenario;
use crate::engine::{self, RunResults, alternative};
use crate::scenario::{CalibrationTargets, Measure};

/// Largest log step per iteration: keeps a retailer that drew no trips from jumping to infinity.
const MAX_STEP: f64 = 3.0;

/// How close is close enough, and how long to try.
#[derive(Debug, Clone, Copy)]
pub struct CalibrationOptions {
    /// Largest accepted |achieved − target| share (0.001 = 0.1 percentage point).
    pub tolerance: f64,
    /// Give up after this many simulation runs.
    pub max_iterations: u32,
}

impl Default for CalibrationOptions {
    fn default() -> Self {
        CalibrationOptions { tolerance: 0.001, max_iterations: 40 }
    }
}

/// One target, met or not.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRow {
    /// Retailer name, or "online" for the online target.
    pub name: String,
    /// Target share.
    pub target: f64,
    /// Share in the last evaluated run.
    pub achieved: f64,
    /// Quality (or online offset) in the scenario as given.
    pub before: f64,
    /// Quality (or online offset) of the last evaluated run.
    pub after: f64,
}

/// The outcome: the calibrated scenario and target against achieved.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The scenario with the fitted qualities and online offsets.
    pub scenario: Scenario,
    /// One row per retailer target, then the online target if any.
    pub rows: Vec<TargetRow>,
    /// Online offset added to every pickup and delivery quality.
    pub online_offset: f64,
    /// Simulation runs made.
    pub iterations: u32,
    /// True when every target is within the tolerance.
    pub converged: bool,
}

/// Why a scenario cannot be calibrated.
#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    /// The scenario has no `[calibration]` table.
    #[error("{0} has no [calibration] table: add e.g. [calibration] share = {{ Walmart = 0.145 }}")]
    NoTargets(String),
    /// A retailer with a target can never be chosen.
    #[error("calibration.share.{retailer}: cannot be reached: {why}")]
    Unreachable {
        /// The retailer.
        retailer: String,
        /// Why nobody can choose it.
        why: String,
    },
}

/// Progress of one iteration: its number and the largest miss.
pub type IterationReport<'a> = &'a dyn Fn(u32, f64);

/// Runs the contraction until every target is met or `max_iterations` runs were made.
pub fn calibrate(
    s: &Scenario,
    options: CalibrationOptions,
    report: IterationReport,
) -> Result<Calibration, CalibrationError> {
    let targets = s.calibration.clone().ok_or_else(|| CalibrationError::NoTargets(s.name.clone()))?;
    check_reachable(s, &targets)?;
    let mut current = s.clone();
    let mut offset = 0.0;
    let mut iterations = 0;
    loop {
        iterations += 1;
        let results = engine::run(&current, &|_| {});
        let (shares, online) = measured_shares(&current, &results, targets.measure);
        let rows = target_rows(s, &current, &targets, &shares, online, offset);
        let miss = rows.iter().map(|r| (r.achieved - r.target).abs()).fold(0.0, f64::max);
        report(iterations, miss);
        let converged = miss <= options.tolerance;
        if converged || iterations >= options.max_iterations {
            return Ok(Calibration { scenario: current, rows, online_offset: offset, iterations, converged });
        }
        for &(r, target) in &targets.shares {
            current.retailers[r].initial.quality += log_step(target, shares[r]);
        }
        if let Some(target) = targets.online_share {
            let step = log_step(target, online);
            offset += step;
            shift_online_quality(&mut current, step);
        }
    }
}

fn log_step(target: f64, achieved: f64) -> f64 {
    if achieved <= 0.0 { MAX_STEP } else { (target.ln() - achieved.ln()).clamp(-MAX_STEP, MAX_STEP) }
}

fn shift_online_quality(s: &mut Scenario, step: f64) {
    for r in &mut s.retailers {
        if let Some(p) = &mut r.initial.pickup {
            p.quality += step;
        }
        if let Some(d) = &mut r.initial.delivery {
            d.quality += step;
        }
    }
}

/// A retailer with a target must have some channel some household can use.
fn check_reachable(s: &Scenario, targets: &CalibrationTargets) -> Result<(), CalibrationError> {
    for &(r, _) in &targets.shares {
        let st = &s.retailers[r].initial;
        let stores = st.stores.iter().any(|&x| x > 0.0);
        let pickup = (0..s.regions.len()).any(|g| st.pickup_stores(g) > 0.0);
        let delivery = st.delivery.as_ref().is_some_and(|d| d.coverage.iter().any(|&c| c > 0.0));
        if !(stores || pickup || delivery) {
            let why = "it has no stores, no pickup stores and no delivery coverage".to_string();
            return Err(CalibrationError::Unreachable { retailer: s.retailers[r].name.clone(), why });
        }
        if !stores && s.segments.iter().all(|seg| seg.digital_adoption == 0.0) && s.dynamics.adoption_innovation == 0.0
        {
            let why = "it sells only online and no household is or becomes online-capable".to_string();
            return Err(CalibrationError::Unreachable { retailer: s.retailers[r].name.clone(), why });
        }
    }
    let any_online = s.retailers.iter().any(|r| r.initial.pickup.is_some() || r.initial.delivery.is_some());
    if targets.online_share.is_some() && !any_online {
        let why = "no retailer offers pickup or delivery".to_string();
        return Err(CalibrationError::Unreachable { retailer: "online_share".into(), why });
    }
    Ok(())
}

/// Each retailer's share of the market (all channels) and the online channels' share.
pub fn measured_shares(s: &Scenario, results: &RunResults, measure: Measure) -> (Vec<f64>, f64) {
    let alternatives = 1 + 3 * s.retailers.len();
    let mut totals = vec![0.0; alternatives];
    for rep in &results.replications {
        for week in &rep.weeks {
            let values = match measure {
                Measure::Revenue => &week.revenue,
                Measure::Trips => &week.trips,
            };
            totals.iter_mut().zip(values).for_each(|(t, v)| *t += v);
        }
    }
    let market: f64 = totals.iter().sum();
    let share = |alts: &mut dyn Iterator<Item = usize>| alts.map(|a| totals[a]).sum::<f64>() / market;
    let retailers = (0..s.retailers.len()).map(|r| share(&mut (0..3).map(|c| alternative(r, c)))).collect();
    let online = share(&mut (0..s.retailers.len()).flat_map(|r| [alternative(r, 1), alternative(r, 2)]));
    (retailers, online)
}

fn target_rows(
    original: &Scenario,
    current: &Scenario,
    targets: &CalibrationTargets,
    shares: &[f64],
    online: f64,
    offset: f64,
) -> Vec<TargetRow> {
    let mut rows: Vec<TargetRow> = targets
        .shares
        .iter()
        .map(|&(r, target)| TargetRow {
            name: original.retailers[r].name.clone(),
            target,
            achieved: shares[r],
            before: original.retailers[r].initial.quality,
            after: current.retailers[r].initial.quality,
        })
        .collect();
    if let Some(target) = targets.online_share {
        rows.push(TargetRow { name: "online".into(), target, achieved: online, before: 0.0, after: offset });
    }
    rows
}
