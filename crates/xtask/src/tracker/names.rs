//! Short import and export names for the tracker's module and glue.
//!
//! wasm-bindgen names every import after the binding and a hash
//! (`__wbg_addEventListener_70e3766f6252144d`) and every import sits under the module
//! `./leadtrail_tracker_bg.js`: in both the module and the glue, about a tenth of what a
//! page downloads. wasm-opt renames them (`a`, `b`, …) and prints the old and new names,
//! and the glue is rewritten to match. A glue that does not name every import as a key,
//! or not the module, fails the build: a wasm-bindgen that wires its module up in a new
//! way cannot ship a broken tracker (and the end-to-end tests load what ships).

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The names wasm-opt gave: imports (all from one module) and exports.
#[derive(Debug, Default, PartialEq, Eq)]
struct Renames {
    module: Option<String>,
    imports: HashMap<String, String>,
    exports: HashMap<String, String>,
}

/// The quoted strings of one line of wasm-opt's map: `["module", "old", "new"],`.
fn quoted(line: &str) -> Vec<&str> {
    line.split('"').skip(1).step_by(2).collect()
}

/// Reads wasm-opt's map: `"imports": [[module, old, new], …], "exports": [[old, new], …]`.
fn parse_map(map: &str) -> Result<Renames> {
    let mut renames = Renames::default();
    let mut in_exports = false;
    for line in map.lines() {
        match quoted(line).as_slice() {
            ["imports"] => in_exports = false,
            ["exports"] => in_exports = true,
            [module, old, new] if !in_exports => {
                if renames.module.get_or_insert_with(|| (*module).to_owned()) != module {
                    bail!("the tracker's module imports from two modules: {line}");
                }
                renames.imports.insert((*old).to_owned(), (*new).to_owned());
            }
            [old, new] if in_exports => {
                renames.exports.insert((*old).to_owned(), (*new).to_owned());
            }
            [] => {}
            _ => bail!("unexpected line in wasm-opt's name map: {line}"),
        }
    }
    if renames.imports.is_empty() || renames.exports.is_empty() {
        bail!("wasm-opt renamed no imports or no exports:\n{map}");
    }
    Ok(renames)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// The glue with every import key and `wasm.export` renamed, and the module's key.
fn rewrite_glue(glue: &str, renames: &Renames) -> Result<String> {
    let module = renames.module.as_deref().unwrap_or_default();
    let mut out = String::with_capacity(glue.len());
    let mut found = 0;
    let mut rest = glue;
    while let Some(start) = rest.find(is_name_char) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        let end = from.find(|c| !is_name_char(c)).unwrap_or(from.len());
        let (name, after) = from.split_at(end);
        let export = out
            .ends_with("wasm.")
            .then(|| renames.exports.get(name))
            .flatten();
        let import = renames.imports.get(name);
        found += usize::from(import.is_some() && export.is_none());
        out.push_str(export.or(import).map_or(name, String::as_str));
        rest = after;
    }
    out.push_str(rest);
    // Each import is one key of the glue's import object: one missing means the glue
    // provides its imports some other way, which this rewrite does not know.
    if found != renames.imports.len() {
        bail!(
            "the glue names {found} of the module's {} imports",
            renames.imports.len()
        );
    }
    let quoted_module = format!("\"{module}\"");
    if !out.contains(&quoted_module) {
        bail!("the glue does not name the module {quoted_module}");
    }
    Ok(out.replace(&quoted_module, "\"a\""))
}

/// Renames the imports, exports and module of `module` in place, and the glue to match.
pub(crate) fn minify(wasm_opt: &Path, features: &[&str], module: &Path, glue: &Path) -> Result<()> {
    let mut command = Command::new(wasm_opt);
    command
        .arg(module)
        .args(features)
        .arg("--minify-imports-and-exports-and-modules")
        .arg("-o")
        .arg(module);
    println!("$ {command:?}");
    let output = command.output().context("cannot run wasm-opt")?;
    if !output.status.success() {
        bail!(
            "wasm-opt failed to minify names ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let renames = parse_map(&String::from_utf8_lossy(&output.stdout))?;
    let text =
        std::fs::read_to_string(glue).with_context(|| format!("cannot read {}", glue.display()))?;
    std::fs::write(glue, rewrite_glue(&text, &renames)?)
        .with_context(|| format!("cannot write {}", glue.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = r#"{
 "imports": [
  ["./m_bg.js", "__wbg_get_2080c49015e35254", "$"],
  ["./m_bg.js", "__wbg_length_9aab", "A"]
 ],
"exports": [
  ["memory", "ja"],
  ["start", "oa"]
 ]
}"#;

    #[test]
    fn the_map_and_the_glue_are_renamed_alike() {
        let renames = parse_map(MAP).unwrap();
        assert_eq!(renames.module.as_deref(), Some("./m_bg.js"));
        assert_eq!(renames.imports["__wbg_length_9aab"], "A");
        assert_eq!(renames.exports["start"], "oa");
        let glue = r#"const i = { __wbg_get_2080c49015e35254: function(a) { return a.start; },
 __wbg_length_9aab: (a) => wasm.memory.buffer };
export function start(x) { wasm.start(x); }
return { "./m_bg.js": i };"#;
        let out = rewrite_glue(glue, &renames).unwrap();
        assert_eq!(
            out,
            r#"const i = { $: function(a) { return a.start; },
 A: (a) => wasm.ja.buffer };
export function start(x) { wasm.oa(x); }
return { "a": i };"#
        );
    }

    #[test]
    fn a_glue_that_does_not_match_the_module_fails() {
        let renames = parse_map(MAP).unwrap();
        let missing_import = r#"const i = { __wbg_length_9aab: 1 }; return { "./m_bg.js": i };"#;
        assert!(rewrite_glue(missing_import, &renames).is_err());
        let other_module = r#"const i = { __wbg_get_2080c49015e35254: 1, __wbg_length_9aab: 2 };"#;
        assert!(rewrite_glue(other_module, &renames).is_err());
        assert!(parse_map("{}").is_err());
    }
}
