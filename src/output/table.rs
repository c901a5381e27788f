//! One abstraction for every output table of every run kind: a file name, a header, and the
//! rows one point contributes — so a plain run, a comparison and a sweep write the same tables
//! the same way, and a new table is added here, in one place.
//!
//! A table belongs to the scenario's world, to the reference's (written under `reference/`),
//! or to the comparison of the two. Rows start with the point's leading cells (`scenario`,
//! `reference` for comparison tables, `point`), then one column per swept path, then the
//! table's own columns.

use super::comparison::{SHIFTS_HEADER, SHIFTS_WEEKLY_HEADER, SWITCHING_HEADER};
use super::comparison::{shifts_rows, shifts_weekly_rows, switching_rows};
use super::new_shoppers::{NEW_SHOPPERS_HEADER, new_shoppers_rows};
use super::owners::{OWNERS_HEADER, SHIFTS_OWNERS_HEADER, owners_rows, shifts_owners_rows};
use super::regions::{REGIONS_HEADER, SHIFTS_REGIONS_HEADER, regions_rows, same_regions, shifts_regions_rows};
use super::retailers::{RETAILERS_HEADER, retailers_rows};
use super::tables::{ONLINE_HEADER, PointColumns, REPLICATIONS_HEADER, SUMMARY_HEADER, WEEKLY_HEADER};
use super::tables::{online_rows, replications_rows, summary_rows, weekly_rows};
use crate::engine::{ComparisonResults, PointResults, RunResults, Worlds};
use crate::scenario::Scenario;

/// What a table reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// `weekly.csv`: trips, share and revenue per week, retailer and channel.
    Weekly,
    /// `online.csv`: the online-capable share per week and region.
    Online,
    /// `summary.csv`: horizon totals, mean weekly share, final-week share.
    Summary,
    /// `regions.csv`: trips and share by region.
    Regions,
    /// `replications.csv` (with `--raw`): every replication's weekly values.
    Replications,
    /// `shifts.csv`: scenario − reference over the horizon, paired intervals.
    Shifts,
    /// `shifts_weekly.csv`: the same week by week.
    ShiftsWeekly,
    /// `switching.csv`: who went from which choice to which (common random numbers only).
    Switching,
    /// `shifts_regions.csv`: shifts by region (both worlds with the same regions only).
    ShiftsRegions,
    /// `retailers.csv`: each retailer's state week by week (price index, stores, wait).
    Retailers,
    /// `owners.csv`: trips, share and revenue by owning company.
    Owners,
    /// `shifts_owners.csv`: the same, scenario − reference.
    ShiftsOwners,
    /// `new_shoppers.csv`: households new to a retailer, by where they shopped (common random
    /// numbers only).
    NewShoppers,
}

/// Whose results a table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum World {
    /// The scenario's own (or a comparison table, which needs both).
    Scenario,
    /// The reference's, under `reference/`.
    Reference,
}

/// One output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// What it reports.
    pub kind: TableKind,
    /// Whose results.
    pub world: World,
}

/// One point's results, as the tables see them.
#[derive(Debug, Clone, Copy)]
pub struct PointOutput<'a> {
    /// The point's world(s).
    pub worlds: &'a Worlds,
    /// Its results.
    pub results: &'a PointResults,
    /// Its leading cells.
    pub columns: &'a PointColumns,
}

const PER_WORLD: [TableKind; 6] = [
    TableKind::Weekly,
    TableKind::Online,
    TableKind::Summary,
    TableKind::Regions,
    TableKind::Retailers,
    TableKind::Owners,
];

impl Table {
    /// The files a run of `worlds` writes, in order: the scenario's tables, the comparison's,
    /// then the reference's; `raw` adds `replications.csv` for each world.
    pub fn for_run(worlds: &Worlds, raw: bool) -> Vec<Table> {
        let per_world = |world: World| {
            let raw = raw.then_some(TableKind::Replications);
            PER_WORLD.into_iter().chain(raw).map(move |kind| Table { kind, world })
        };
        let mut tables: Vec<Table> = per_world(World::Scenario).collect();
        if let Some(r) = &worlds.reference {
            let scenario = |kind| Table { kind, world: World::Scenario };
            tables.extend([scenario(TableKind::Shifts), scenario(TableKind::ShiftsWeekly)]);
            if worlds.common_random_numbers {
                tables.push(scenario(TableKind::Switching));
            }
            tables.push(scenario(TableKind::ShiftsOwners));
            if worlds.common_random_numbers {
                tables.push(scenario(TableKind::NewShoppers));
            }
            if same_regions(&worlds.scenario, r) {
                tables.push(scenario(TableKind::ShiftsRegions));
            }
            tables.extend(per_world(World::Reference));
        }
        tables
    }

    /// The file's name, relative to the output folder.
    pub fn file_name(&self) -> String {
        let name = match self.kind {
            TableKind::Weekly => "weekly.csv",
            TableKind::Online => "online.csv",
            TableKind::Summary => "summary.csv",
            TableKind::Regions => "regions.csv",
            TableKind::Replications => "replications.csv",
            TableKind::Shifts => "shifts.csv",
            TableKind::ShiftsWeekly => "shifts_weekly.csv",
            TableKind::Switching => "switching.csv",
            TableKind::ShiftsRegions => "shifts_regions.csv",
            TableKind::Retailers => "retailers.csv",
            TableKind::Owners => "owners.csv",
            TableKind::ShiftsOwners => "shifts_owners.csv",
            TableKind::NewShoppers => "new_shoppers.csv",
        };
        match self.world {
            World::Scenario => name.to_string(),
            World::Reference => format!("reference/{name}"),
        }
    }

    /// True for the tables that compare the two worlds (their rows name both).
    fn compares(&self) -> bool {
        matches!(
            self.kind,
            TableKind::Shifts
                | TableKind::ShiftsWeekly
                | TableKind::Switching
                | TableKind::ShiftsRegions
                | TableKind::ShiftsOwners
                | TableKind::NewShoppers
        )
    }

    /// The header row, with one column per swept path after `point`, as CSV bytes.
    pub fn header(&self, parameters: &[String]) -> Vec<u8> {
        let base = match self.kind {
            TableKind::Weekly => WEEKLY_HEADER,
            TableKind::Online => ONLINE_HEADER,
            TableKind::Summary => SUMMARY_HEADER,
            TableKind::Regions => REGIONS_HEADER,
            TableKind::Replications => REPLICATIONS_HEADER,
            TableKind::Shifts => SHIFTS_HEADER,
            TableKind::ShiftsWeekly => SHIFTS_WEEKLY_HEADER,
            TableKind::Switching => SWITCHING_HEADER,
            TableKind::ShiftsRegions => SHIFTS_REGIONS_HEADER,
            TableKind::Retailers => RETAILERS_HEADER,
            TableKind::Owners => OWNERS_HEADER,
            TableKind::ShiftsOwners => SHIFTS_OWNERS_HEADER,
            TableKind::NewShoppers => NEW_SHOPPERS_HEADER,
        };
        let mut cells: Vec<String> = base.split(',').map(str::to_string).collect();
        let after_point = if self.compares() { 3 } else { 2 };
        cells.splice(after_point..after_point, parameters.iter().cloned());
        csv_rows(vec![cells])
    }

    /// The rows one point contributes, as CSV bytes (no header).
    pub fn rows(&self, out: &PointOutput) -> Vec<u8> {
        let w = out.worlds;
        let (s, cols) = (&w.scenario, out.columns);
        let comparison = out.results.comparison();
        let rows = match (self.world, self.kind, comparison, &w.reference) {
            (World::Reference, kind, Some(c), Some(r)) => world_rows(kind, r, &c.reference, cols),
            (World::Scenario, TableKind::Shifts, Some(c), Some(r)) => shifts_rows(s, r, c, cols),
            (World::Scenario, TableKind::ShiftsWeekly, Some(c), Some(r)) => shifts_weekly_rows(s, r, c, cols),
            (World::Scenario, TableKind::Switching, Some(c), Some(r)) => switching_rows(s, r, c, cols),
            (World::Scenario, TableKind::ShiftsRegions, Some(c), Some(r)) => shifts_regions_rows(s, r, c, cols),
            (World::Scenario, TableKind::ShiftsOwners, Some(c), Some(r)) => shifts_owners_rows(s, r, c, cols),
            (World::Scenario, TableKind::NewShoppers, Some(c), Some(r)) => new_shoppers_rows(s, r, c, cols),
            (World::Scenario, kind, _, _) => world_rows(kind, s, out.results.scenario(), cols),
            _ => Vec::new(),
        };
        csv_rows(rows)
    }
}

/// Rows of a table of one world's own results.
fn world_rows(
    kind: TableKind,
    s: &crate::scenario::Scenario,
    results: &crate::engine::RunResults,
    cols: &PointColumns,
) -> Vec<Vec<String>> {
    match kind {
        TableKind::Weekly => weekly_rows(s, results, cols),
        TableKind::Online => online_rows(s, results, cols),
        TableKind::Summary => summary_rows(s, results, cols),
        TableKind::Regions => regions_rows(s, results, cols),
        TableKind::Replications => replications_rows(s, results, cols),
        TableKind::Retailers => retailers_rows(s, results, cols),
        TableKind::Owners => owners_rows(s, results, cols),
        _ => Vec::new(),
    }
}

/// Rows as CSV bytes.
fn csv_rows(rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.write_record(&row).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

/// Every table of a one-point run (point 0, no swept paths) as whole documents, in memory:
/// `(file name, header and rows)`. For tests and tools that want the bytes without a folder.
pub fn render(worlds: &Worlds, results: &PointResults, raw: bool) -> Vec<(String, Vec<u8>)> {
    let columns = PointColumns::plain(0);
    let out = PointOutput { worlds, results, columns: &columns };
    Table::for_run(worlds, raw)
        .into_iter()
        .map(|t| {
            let mut bytes = t.header(&[]);
            bytes.extend(t.rows(&out));
            (t.file_name(), bytes)
        })
        .collect()
}

/// [`render`] for a plain run's results.
pub fn render_run(s: &Scenario, results: &RunResults, raw: bool) -> Vec<(String, Vec<u8>)> {
    render(&Worlds::plain(s.clone()), &PointResults::Plain(results.clone()), raw)
}

/// [`render`] for a comparison (`r` aligned with `s`, as [`crate::engine::compare`] needs).
pub fn render_comparison(s: &Scenario, r: &Scenario, c: &ComparisonResults, raw: bool) -> Vec<(String, Vec<u8>)> {
    let worlds =
        Worlds { scenario: s.clone(), reference: Some(r.clone()), common_random_numbers: c.switching.is_some() };
    render(&worlds, &PointResults::Compared(c.clone()), raw)
}

/// The bytes of file `name` among rendered files (empty when absent).
pub fn rendered<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    files.iter().find(|(n, _)| n == name).map_or(&[], |(_, b)| b)
}
