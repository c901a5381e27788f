//! Writing a run's results: tidy CSV tables ([`table`]), streamed point by point into a checked
//! output folder ([`out_folder`], [`stream`]) so that memory does not grow with the number of
//! points, resumable from its journal ([`folder`]), joined across shards ([`merge`]), with a
//! manifest, every file appearing whole or not at all.

pub mod atomic;
pub mod comparison;
pub mod folder;
pub mod format;
pub(crate) mod journal;
pub mod lock;
pub mod manifest;
pub mod merge;
pub mod new_shoppers;
pub mod out_folder;
pub mod owners;
pub mod parquet;
pub mod reach;
pub mod regions;
pub mod retailers;
pub mod stream;
pub mod table;
pub mod tables;

pub use atomic::write_atomic;
pub use folder::{FolderError, Identity, PARTIAL_DIR, Start, plan_start};
pub use format::Format;
pub use lock::{FolderLock, LOCK_FILE};
pub use manifest::{AdaptiveInfo, Manifest, ReferenceInfo, SensitivityDesign, ShardInfo, SweepInfo};
pub use merge::merge_shards;
pub use out_folder::{OutFolder, OutFolderError};
pub use stream::SweepWriter;
