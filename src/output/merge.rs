//! `cartshift merge`: shard folders of one sweep joined into the files one whole run writes.
//!
//! Shards hold consecutive blocks of points, so each joined CSV file is the header followed by
//! every shard's rows in shard order, copied byte for byte; each joined Parquet file holds
//! every shard's row groups in shard order. The manifests say whether the
//! shards belong together: same cartshift version, scenario (hash, which covers `--set` and
//! the `[sweep]` table), seed and files, and together every shard of the split exactly once.

use super::folder::{FolderError, Identity, PARTIAL_DIR, check_file_names, read_json};
use super::manifest::{Manifest, ShardInfo};
use super::parquet::join_parquet;
use super::write_atomic;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// A shard folder and what its manifest says.
struct ShardFolder {
    dir: PathBuf,
    manifest: Manifest,
    shard: ShardInfo,
}

/// Joins the shard folders into `out` (created if needed). Returns the names written.
pub fn merge_shards(out: &Path, dirs: &[PathBuf]) -> Result<Vec<String>, FolderError> {
    let mut shards = dirs.iter().map(|d| read_shard(d)).collect::<Result<Vec<_>, _>>()?;
    check_same_run(&shards)?;
    shards.sort_by_key(|s| s.shard.index);
    check_complete(&shards)?;
    refuse_overwriting_a_shard(out, &shards)?;
    let _lock = super::FolderLock::acquire(out)?; // creates `out` if needed
    let identity = Identity::of_manifest(&shards[0].manifest);
    for name in identity.files.iter().flat_map(|f| identity.format.file_names(f)) {
        if name.ends_with(".parquet") {
            let inputs: Vec<PathBuf> = shards.iter().map(|s| s.dir.join(&name)).collect();
            join_parquet(&out.join(&name), &inputs)?;
        } else {
            join_file(out, &name, &shards)?;
        }
    }
    for name in shards[0].manifest.files.iter().filter(|f| f.ends_with(".toml")) {
        let from = shards[0].dir.join(name);
        let bytes = std::fs::read(&from).map_err(FolderError::read(&from))?;
        write_atomic(&out.join(name), &bytes)?;
    }
    let manifest = merged_manifest(&shards);
    let json = serde_json::to_vec_pretty(&manifest).expect("manifest serializes");
    write_atomic(&out.join("manifest.json"), &json)?;
    Ok(manifest.files)
}

fn read_shard(dir: &Path) -> Result<ShardFolder, FolderError> {
    let path = dir.join("manifest.json");
    if !path.exists() && dir.join(PARTIAL_DIR).exists() {
        return Err(FolderError::refused(dir, "unfinished shard: finish it with `cartshift run … --resume` first"));
    }
    let manifest: Manifest = read_json(&path)?;
    check_file_names(&path, &manifest.files)?;
    let points = manifest.sweep.as_ref().map_or(1, |s| s.points);
    let whole = ShardInfo { index: 1, count: 1, first_point: 0, points };
    let shard = manifest.shard.unwrap_or(whole);
    Ok(ShardFolder { dir: dir.to_path_buf(), manifest, shard })
}

/// Every shard must come from the same run as the first one given.
fn check_same_run(shards: &[ShardFolder]) -> Result<(), FolderError> {
    let first = &shards[0];
    let ours = Identity { shard: None, ..Identity::of_manifest(&first.manifest) };
    for other in &shards[1..] {
        let theirs = Identity { shard: None, ..Identity::of_manifest(&other.manifest) };
        let first_dir = first.dir.display().to_string();
        let mut differences = ours.differences(&theirs, "this shard", &first_dir);
        if other.shard.count != first.shard.count {
            let (theirs, ours) = (other.shard.count, first.shard.count);
            differences.push(format!("shards: {theirs} in this shard's split, {ours} in {first_dir}'s"));
        }
        if !differences.is_empty() {
            let message = format!(
                "not a shard of the same run as {first_dir} ({}): shards of different scenarios, seeds or \
                 versions cannot be merged",
                differences.join("; ")
            );
            return Err(FolderError::refused(&other.dir, message));
        }
    }
    Ok(())
}

/// Shards sorted by index must be 1..=N, each once, covering the points in order.
fn check_complete(shards: &[ShardFolder]) -> Result<(), FolderError> {
    let count = shards[0].shard.count;
    for pair in shards.windows(2) {
        if pair[0].shard.index == pair[1].shard.index {
            let message = format!("shard {}/{count} is also {}", pair[1].shard.index, pair[0].dir.display());
            return Err(FolderError::refused(&pair[1].dir, message));
        }
    }
    let present: Vec<usize> = shards.iter().map(|s| s.shard.index).collect();
    let missing: Vec<String> = (1..=count).filter(|k| !present.contains(k)).map(|k| format!("{k}/{count}")).collect();
    if !missing.is_empty() {
        let message = format!("shard {} missing: give every shard folder of the run", missing.join(", "));
        return Err(FolderError::refused(&shards[0].dir, message));
    }
    let mut next = 0;
    for s in shards {
        if s.shard.first_point != next {
            let message =
                format!("shard {}/{count} starts at point {}, expected {next}", s.shard.index, s.shard.first_point);
            return Err(FolderError::refused(&s.dir, message));
        }
        next = next.saturating_add(s.shard.points);
    }
    Ok(())
}

fn refuse_overwriting_a_shard(out: &Path, shards: &[ShardFolder]) -> Result<(), FolderError> {
    let Ok(out) = out.canonicalize() else { return Ok(()) };
    for s in shards {
        if s.dir.canonicalize().is_ok_and(|d| d == out) {
            return Err(FolderError::refused(
                &s.dir,
                "is both a shard and the output folder: merge into another folder",
            ));
        }
    }
    Ok(())
}

/// Writes `out/name`: the first shard's header, then every shard's rows in shard order.
fn join_file(out: &Path, name: &str, shards: &[ShardFolder]) -> Result<(), FolderError> {
    let target = out.join(name);
    let folder = target.parent().unwrap_or(out);
    std::fs::create_dir_all(folder).map_err(FolderError::write(folder))?;
    let file_name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = folder.join(format!(".{file_name}.merge.{}", std::process::id()));
    let result = (|| {
        let mut writer = BufWriter::new(File::create(&tmp).map_err(FolderError::write(&tmp))?);
        let mut header: Option<Vec<u8>> = None;
        for s in shards {
            let path = s.dir.join(name);
            let mut file = File::open(&path).map_err(FolderError::read(&path))?;
            let this_header = read_header(&mut file, &path)?;
            match &header {
                None => writer.write_all(&this_header).map_err(FolderError::write(&tmp))?,
                Some(h) if *h != this_header => {
                    return Err(FolderError::refused(&path, "its header differs from the first shard's"));
                }
                Some(_) => {}
            }
            header.get_or_insert(this_header);
            std::io::copy(&mut BufReader::new(file), &mut writer).map_err(FolderError::write(&tmp))?;
        }
        let file = writer.into_inner().map_err(|e| FolderError::Write { path: tmp.clone(), source: e.into_error() })?;
        file.sync_all().map_err(FolderError::write(&tmp))?;
        std::fs::rename(&tmp, &target).map_err(FolderError::write(&target))?;
        super::atomic::sync_dir(out).map_err(FolderError::write(out))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Reads a CSV file's header record (which may span lines inside quotes) and leaves `file`
/// positioned at the first data row.
fn read_header(file: &mut File, path: &Path) -> Result<Vec<u8>, FolderError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(BufReader::new(&mut *file));
    reader.byte_headers().map_err(|e| FolderError::refused(path, format!("not a CSV file: {e}")))?;
    let end = reader.position().byte();
    drop(reader);
    file.seek(SeekFrom::Start(0)).map_err(FolderError::read(path))?;
    let mut header = vec![0; end as usize];
    file.read_exact(&mut header).map_err(FolderError::read(path))?;
    Ok(header)
}

/// The first shard's manifest as a whole run's: no shard; `threads` the most any shard used,
/// `wall_seconds` the shards' total (compute time, not elapsed time).
fn merged_manifest(shards: &[ShardFolder]) -> Manifest {
    let mut manifest = shards[0].manifest.clone();
    manifest.shard = None;
    if let Some(adaptive) = &mut manifest.adaptive {
        let all = shards.iter().filter_map(|s| s.manifest.adaptive.as_ref());
        (adaptive.replications, adaptive.met) = all.fold((Vec::new(), Vec::new()), |(mut n, mut met), a| {
            n.extend(&a.replications);
            met.extend(&a.met);
            (n, met)
        });
    }
    manifest.threads = shards.iter().map(|s| s.manifest.threads).max().unwrap_or(1);
    manifest.wall_seconds = shards.iter().map(|s| s.manifest.wall_seconds).sum();
    let household_weeks: f64 =
        shards.iter().map(|s| s.manifest.household_weeks_per_second * s.manifest.wall_seconds).sum();
    manifest.household_weeks_per_second =
        if manifest.wall_seconds > 0.0 { household_weeks / manifest.wall_seconds } else { 0.0 };
    manifest
}
