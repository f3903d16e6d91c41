//! Seed files: pools, clients, users and groups created at start-up (`--seed FILE`, JSON or YAML).

use crate::app::App;
use std::path::Path;

pub async fn load(_app: &App, path: &Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read seed file {}: {e}", path.display()))?;
    let _doc: serde_json::Value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text)?
    } else {
        serde_yaml::from_str(&text)?
    };
    anyhow::bail!("seed files are not implemented yet")
}
