//! A folder no other test uses, removed when dropped, and the unique names behind it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A folder of its own under the system's temporary directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// Creates `<tmp>/<prefix>-<pid>-<nanos>-<n>`.
    pub fn new(prefix: &str) -> Scratch {
        let path = std::env::temp_dir().join(unique_name(prefix, '-'));
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|error| panic!("creating {}: {error}", path.display()));
        Scratch(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside the folder.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.0.join(name)
    }

    /// A SQLite URL for a database file inside the folder.
    pub fn sqlite_url(&self, file: &str) -> String {
        format!("sqlite://{}", self.0.join(file).display())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `<prefix><sep><pid><sep><nanos since the epoch><sep><n>`: a name no other test,
/// concurrent or earlier, in this process or another, uses. Fits a PostgreSQL
/// identifier (63 bytes) for a prefix of up to 20 bytes.
pub fn unique_name(prefix: &str, separator: char) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    format!(
        "{prefix}{separator}{}{separator}{nanos}{separator}{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
