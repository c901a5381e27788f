//! What a finished run prints: what was simulated, how fast, and where the files went.

use cartshift::output::Manifest;
use cartshift::pipeline::Plan;

/// Prints the run's size and speed: one scenario's replications, or a sweep's points.
pub fn print(plan: &Plan, manifest: &Manifest, points: usize) {
    let worlds = match plan.worlds(0) {
        Ok(w) => w,
        Err(_) => return,
    };
    let (s, sim) = (&worlds.scenario, &worlds.scenario.simulation);
    let against = worlds.reference.as_ref().map_or(String::new(), |r| format!(" against {}", r.name));
    let replications = match &manifest.adaptive {
        None => sim.replications.to_string(),
        Some(a) if a.replications.len() == 1 => {
            let met = if a.met[0] { "met" } else { "not met: stopped at the maximum" };
            format!("{} (adaptive: {}; target {met})", a.replications[0], a.rule)
        }
        Some(a) => {
            let met = a.met.iter().filter(|m| **m).count();
            let (lo, hi) = (a.replications.iter().min(), a.replications.iter().max());
            let range = format!("{}-{}", lo.copied().unwrap_or(0), hi.copied().unwrap_or(0));
            format!("{range} (adaptive: {}; target met at {met} of {} points)", a.rule, a.replications.len())
        }
    };
    let size = format!(
        "{} replications x {} households x {} weeks ({} warm-up)",
        replications,
        sim.households,
        s.total_weeks(),
        sim.warmup_weeks
    );
    let wall = manifest.wall_seconds;
    let simulated = (manifest.household_weeks_per_second * wall).round();
    let rate = manifest.household_weeks_per_second / 1e6;
    if !plan.sweep.is_sweep() {
        println!("{}{against}: {size}", s.name);
        println!(
            "simulated {simulated} household-weeks in {wall:.2} s on {} threads ({rate:.1} M/s)",
            manifest.threads
        );
        return;
    }
    let design = plan.sweep.design().name();
    let over = plan.parameters().join(", ");
    println!("{}{against}: {design} sweep of {} points over {over} ({size}, at point 0)", s.name, plan.points());
    if let Some(shard) = manifest.shard {
        let last = (shard.first_point + shard.points).saturating_sub(1);
        println!("shard {}/{}: points {} to {last}", shard.index, shard.count, shard.first_point);
    }
    let per_second = if wall > 0.0 { points as f64 / wall } else { 0.0 };
    println!(
        "simulated {points} points, {simulated} household-weeks in {wall:.2} s on {} threads ({per_second:.1} points/s, {rate:.1} M household-weeks/s)",
        manifest.threads
    );
}
