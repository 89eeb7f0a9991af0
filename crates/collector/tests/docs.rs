//! The documentation against the binary and the repository: every flag of every
//! `leadtrail` command (found by walking `--help`) and every `LEADTRAIL_*` variable the
//! collector reads is named on docs/configuration.md, every image the docs show exists
//! (each app page at 1400 and 390 px among them), and every relative link of the
//! Markdown pages points at a file (and heading) that exists.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use leadtrail_collector::Settings;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn configuration_page() -> String {
    read(&repo_root().join("docs/configuration.md"))
}

/// `leadtrail <path> --help`, which must succeed.
fn help(path: &[String]) -> String {
    let output = common::command()
        .args(path)
        .arg("--help")
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "leadtrail {} --help failed: {}",
        path.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

/// The lines of one section of clap's help (`Commands:`, `Options:`), up to the next
/// section or the end.
fn section<'a>(help: &'a str, title: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|line| line.trim_end() != title)
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with(' '))
        .filter(|line| !line.trim().is_empty())
        .collect()
}

fn subcommands(help: &str) -> Vec<String> {
    section(help, "Commands:")
        .iter()
        // Descriptions that wrap are indented further than the names.
        .filter(|line| line.len() - line.trim_start().len() <= 2)
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

/// The long flags of one command's `Options:` (`--db`, `--help`, …).
fn long_flags(help: &str) -> Vec<String> {
    section(help, "Options:")
        .iter()
        .filter(|line| line.trim_start().starts_with('-'))
        .filter_map(|line| {
            let start = line.find("--")?;
            let flag: String = line[start..]
                .chars()
                .take_while(|c| *c == '-' || c.is_ascii_alphanumeric())
                .collect();
            (flag.len() > 2).then_some(flag)
        })
        .collect()
}

/// Every `LEADTRAIL_*` name in a text.
fn leadtrail_variables(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("LEADTRAIL_") {
        let name: String = rest[at..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if name.len() > "LEADTRAIL_".len() {
            found.insert(name.trim_end_matches('_').to_owned());
        }
        rest = &rest[at + "LEADTRAIL_".len()..];
    }
    found
}

/// Every command path (`["serve"]`, `["token", "create"]`, …) with its help text.
fn every_command() -> Vec<(Vec<String>, String)> {
    let mut found = Vec::new();
    let mut queue = vec![Vec::new()];
    while let Some(path) = queue.pop() {
        let text = help(&path);
        for name in subcommands(&text) {
            let mut child = path.clone();
            child.push(name);
            queue.push(child);
        }
        found.push((path, text));
    }
    found.sort();
    found
}

/// True when `text` names `flag` as a whole flag (`--db` but not inside `--db-path`).
fn names_flag(text: &str, flag: &str) -> bool {
    text.match_indices(flag).any(|(at, _)| {
        let next = text[at + flag.len()..].chars().next();
        !next.is_some_and(|c| c == '-' || c.is_ascii_alphanumeric())
    })
}

/// The part of the page under the heading that names `leadtrail <path>` (in backticks),
/// up to the next heading of the same or a higher level; the parent command's section
/// when the page has none of its own (`leadtrail aliases` covers `aliases set`).
fn command_section<'a>(page: &'a str, path: &[String]) -> Option<&'a str> {
    for len in (1..=path.len()).rev() {
        let wanted = format!("`leadtrail {}`", path[..len].join(" "));
        let mut offset = 0;
        for line in page.split_inclusive('\n') {
            let level = line.chars().take_while(|c| *c == '#').count();
            if level > 0 && line.contains(&wanted) {
                let body = &page[offset + line.len()..];
                let end = body
                    .match_indices('\n')
                    .map(|(i, _)| i + 1)
                    .find(|&i| {
                        let next = body[i..].chars().take_while(|c| *c == '#').count();
                        next > 0 && next <= level
                    })
                    .unwrap_or(body.len());
                return Some(&body[..end]);
            }
            offset += line.len();
        }
    }
    None
}

#[test]
fn every_flag_of_every_command_is_on_the_configuration_page() {
    let page = configuration_page();
    let commands = every_command();
    let names: Vec<String> = commands.iter().map(|(p, _)| p.join(" ")).collect();
    // The walk must have found the tree, or it would check nothing.
    for expected in [
        "serve",
        "token create",
        "import",
        "demo-data",
        "aliases set",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let mut missing = Vec::new();
    let mut checked = 0;
    for (path, text) in &commands {
        let flags = long_flags(text);
        if path.is_empty() {
            assert!(flags.contains(&"--version".to_owned()), "{flags:?}");
        }
        for flag in flags {
            checked += 1;
            // Help and version are the same everywhere and named once on the page.
            let ok = if flag == "--help" || flag == "--version" {
                names_flag(&page, &flag)
            } else {
                match command_section(&page, path) {
                    Some(section) => names_flag(section, &flag),
                    None => false,
                }
            };
            if !ok {
                missing.push(format!("leadtrail {} {flag}", path.join(" ")));
            }
        }
    }
    assert!(
        checked >= 30,
        "only {checked} flags found: is --help parsed?"
    );
    assert!(
        missing.is_empty(),
        "docs/configuration.md does not name these flags in the command's section \
         (a heading with `leadtrail COMMAND`):\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_leadtrail_variable_and_setting_is_on_the_configuration_page() {
    let page = configuration_page();
    let mut variables = BTreeSet::new();
    // Named in --help ([env: …]).
    for (_, text) in every_command() {
        variables.extend(leadtrail_variables(&text));
    }
    // Named in the source (LEADTRAIL_LOG, LEADTRAIL_CONFIG, …).
    let mut dirs = vec![repo_root().join("crates/collector/src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                variables.extend(leadtrail_variables(&read(&path)));
            }
        }
    }
    // Every setting is a config-file key and a LEADTRAIL_<KEY> variable (config.rs maps
    // them by name). Optional settings are filled so that none is left out of the JSON.
    let every_setting = Settings {
        api_token: Some("token".to_owned()),
        campaign_template: Some("{yyyy}_{name}".to_owned()),
        backup_every: Some("24h".to_owned()),
        backup_dir: Some("/backup".into()),
        ..Settings::default()
    };
    let keys: Vec<String> = match serde_json::to_value(&every_setting).unwrap() {
        serde_json::Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("settings are not an object: {other}"),
    };
    assert!(keys.len() >= 9, "{keys:?}");
    let mut missing = Vec::new();
    for key in &keys {
        if !page.contains(&format!("`{key}`")) {
            missing.push(format!("config key `{key}`"));
        }
        variables.insert(format!("LEADTRAIL_{}", key.to_ascii_uppercase()));
    }
    assert!(
        variables.contains("LEADTRAIL_LOG") && variables.contains("LEADTRAIL_CONFIG"),
        "{variables:?}"
    );
    for variable in &variables {
        if !names_flag(&page, variable) {
            missing.push(variable.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "docs/configuration.md does not name: {}",
        missing.join(", ")
    );
}

#[test]
fn every_route_of_the_openapi_document_is_on_a_docs_page() {
    let collector = common::Collector::start();
    let (status, document) = collector.api("/api/v1/openapi.json");
    assert_eq!(status, 200, "{document}");
    let paths = document["paths"]
        .as_object()
        .expect("the document has paths");
    assert!(paths.len() >= 30, "{} paths", paths.len());
    let docs = repo_root().join("docs");
    let pages: String = ["api.md", "channels-and-links.md", "form-endpoint.md"]
        .iter()
        .map(|page| read(&docs.join(page)))
        .collect();
    let missing: Vec<&String> = paths
        .keys()
        .filter(|path| !pages.contains(path.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes of /api/v1/openapi.json named on no page of docs/ (api.md, \
         channels-and-links.md, form-endpoint.md): {missing:?}"
    );
}

/// A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to `-`.
fn anchor_of(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The page without its fenced code blocks.
fn without_fences(text: &str) -> String {
    let mut out = String::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The page without code blocks and inline code, where `](…)` is not a link.
fn prose(text: &str) -> String {
    let mut out = String::new();
    for line in without_fences(text).lines() {
        // Drop `code` spans (links may wrap one: [`x`](y) keeps its target).
        let mut inside = false;
        for c in line.chars() {
            if c == '`' {
                inside = !inside;
            } else if !inside {
                out.push(c);
            }
        }
        out.push('\n');
    }
    out
}

/// The targets of `[text](target)` and `![alt](target)` links.
fn link_targets(text: &str) -> Vec<String> {
    let text = prose(text);
    text.match_indices("](")
        .filter_map(|(at, _)| {
            let rest = &text[at + 2..];
            let end = rest.find(')')?;
            Some(rest[..end].split_whitespace().next()?.to_owned())
        })
        .collect()
}

fn markdown_pages() -> Vec<PathBuf> {
    let root = repo_root();
    let mut pages = vec![
        root.join("README.md"),
        root.join("CONTRIBUTING.md"),
        root.join("SECURITY.md"),
    ];
    for entry in std::fs::read_dir(root.join("docs")).expect("docs/ exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    pages.sort();
    pages
}

#[test]
fn relative_links_in_the_docs_point_at_files_and_headings() {
    let pages = markdown_pages();
    assert!(pages.len() >= 10, "{pages:?}");
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in &pages {
        let text = read(page);
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (file, anchor) = target.split_once('#').unwrap_or((&target, ""));
            let path = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(file)
            };
            if !path.exists() {
                broken.push(format!("{}: {target} (no such file)", page.display()));
                continue;
            }
            if !anchor.is_empty() && path.extension().is_some_and(|e| e == "md") {
                let headings: Vec<String> = without_fences(&read(&path))
                    .lines()
                    .filter(|l| l.starts_with('#'))
                    .map(|l| anchor_of(&l.trim_start_matches('#').replace('`', "")))
                    .collect();
                if !headings.iter().any(|h| h == anchor) {
                    broken.push(format!("{}: {target} (no such heading)", page.display()));
                }
            }
        }
    }
    assert!(checked >= 40, "only {checked} relative links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The images a page shows: `![alt](target)` and `<img src="target">`.
fn image_targets(text: &str) -> Vec<String> {
    let text = prose(text);
    let markdown = text.match_indices("![").filter_map(|(at, _)| {
        let rest = &text[at..];
        let open = rest.find("](")?;
        let target = &rest[open + 2..];
        Some(
            target[..target.find(')')?]
                .split_whitespace()
                .next()?
                .to_owned(),
        )
    });
    let html = text.match_indices("<img").filter_map(|(at, _)| {
        let tag = &text[at..at + text[at..].find('>')?];
        let src = &tag[tag.find("src=\"")? + 5..];
        Some(src[..src.find('"')?].to_owned())
    });
    markdown.chain(html).collect()
}

#[test]
fn every_image_the_docs_show_exists_and_each_app_page_is_shown_at_both_widths() {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    let mut shown = BTreeSet::new();
    let mut broken = Vec::new();
    for page in markdown_pages() {
        for target in image_targets(&read(&page)) {
            if target.contains("://") {
                broken.push(format!(
                    "{}: {target} (not in the repository)",
                    page.display()
                ));
                continue;
            }
            let path = page.parent().unwrap().join(&target);
            match std::fs::read(&path) {
                Ok(bytes) if target.ends_with(".png") && !bytes.starts_with(PNG) => {
                    broken.push(format!("{}: {target} (not a PNG)", page.display()))
                }
                Ok(bytes) if bytes.len() < 1024 => {
                    broken.push(format!("{}: {target} (an empty picture)", page.display()))
                }
                Ok(_) => {
                    if let Ok(path) = path.canonicalize() {
                        shown.insert(path);
                    }
                }
                Err(e) => broken.push(format!("{}: {target} ({e})", page.display())),
            }
        }
    }
    assert!(
        broken.is_empty(),
        "images the docs show:\n{}",
        broken.join("\n")
    );

    // Every page of the app (a www/ page with `data-page`), as app-walk.test.mjs draws it
    // at 1400 px (`app-<page>.png`) and 390 px (`app-<page>-390.png`).
    let root = repo_root();
    let mut missing = Vec::new();
    let mut pages = 0;
    for entry in std::fs::read_dir(root.join("www")).expect("www/ exists") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "html") || !read(&path).contains("<body data-page=")
        {
            continue;
        }
        pages += 1;
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        for name in [format!("app-{stem}.png"), format!("app-{stem}-390.png")] {
            let image = root.join("docs/img").join(&name);
            if !image.canonicalize().is_ok_and(|p| shown.contains(&p)) {
                missing.push(format!(
                    "{} has no picture docs/img/{name} in the docs",
                    path.display()
                ));
            }
        }
    }
    assert!(pages >= 10, "only {pages} app pages found in www/");
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_readme_stays_a_front_door() {
    let readme = read(&repo_root().join("README.md"));
    assert!(
        readme.len() <= 8 * 1024,
        "README.md is {} bytes; move detail to docs/",
        readme.len()
    );
}
