//! Template loaders: [`Loader`] (a directory) and [`DictLoader`] (a map of names to
//! sources), each caching what it compiled; names in `{% include %}` and `{% extends %}`
//! resolve relative to the including template.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::error::{Error, ErrorKind, Result};
use crate::namespace::SharedNamespace;
use crate::parse::Whitespace;
use crate::template::{DEFAULT_AUTOESCAPE, Template};

/// Settings shared by every template of a loader (Tornado's `BaseLoader(autoescape,
/// namespace, whitespace)`).
#[derive(Debug, Clone)]
pub struct LoaderOptions {
    /// The autoescape function's name (`Some("xhtml_escape")` by default), or `None`
    /// for no autoescaping.
    pub autoescape: Option<String>,
    /// Names added to every render, and the modules `{% import %}` can use.
    pub namespace: SharedNamespace,
    /// `None`: by file name (`single` for `.html`/`.js`, `all` otherwise).
    pub whitespace: Option<Whitespace>,
}

impl Default for LoaderOptions {
    fn default() -> Self {
        LoaderOptions {
            autoescape: Some(DEFAULT_AUTOESCAPE.to_string()),
            namespace: SharedNamespace::new(),
            whitespace: None,
        }
    }
}

/// The compiled templates of a loader, by resolved name.
#[derive(Debug, Default)]
pub struct TemplateCache {
    map: Mutex<HashMap<String, Arc<Template>>>,
}

impl TemplateCache {
    fn get(&self, name: &str) -> Option<Arc<Template>> {
        self.map.lock().map_or(None, |m| m.get(name).cloned())
    }

    fn insert(&self, name: String, t: Arc<Template>) -> Arc<Template> {
        match self.map.lock() {
            Ok(mut m) => m.entry(name).or_insert(t).clone(),
            Err(_) => t,
        }
    }

    /// Forgets every compiled template.
    pub fn clear(&self) {
        if let Ok(mut m) = self.map.lock() {
            m.clear();
        }
    }
}

/// What a template loader provides (Tornado's `BaseLoader`): settings, name
/// resolution, the source of a resolved name, and a cache. [`load`] does the rest.
pub trait BaseLoader: Send + Sync + fmt::Debug {
    /// The loader's settings.
    fn options(&self) -> &LoaderOptions;
    /// The shared namespace, as an `Arc` handed to each template.
    fn shared_namespace(&self) -> Arc<SharedNamespace>;
    /// Turns a possibly relative `name`, used by the template `parent_path`, into the
    /// name the template is cached and read under.
    fn resolve_path(&self, name: &str, parent_path: Option<&str>) -> String;
    /// The source of the template called `name` (already resolved).
    fn read(&self, name: &str) -> Result<Vec<u8>>;
    /// The loader's cache.
    fn cache(&self) -> &TemplateCache;
}

thread_local! {
    /// Templates being compiled on this thread, to refuse includes that loop.
    static LOADING: RefCell<Vec<(usize, String)>> = const { RefCell::new(Vec::new()) };
}

/// Loads (or takes from the cache) the template `name`, resolved against `parent_path`.
pub fn load(
    loader: &dyn BaseLoader,
    name: &str,
    parent_path: Option<&str>,
) -> Result<Arc<Template>> {
    let resolved = loader.resolve_path(name, parent_path);
    if let Some(t) = loader.cache().get(&resolved) {
        return Ok(t);
    }
    let id = loader as *const dyn BaseLoader as *const () as usize;
    let cycle = LOADING.with(|l| {
        let l = l.borrow();
        l.iter().any(|(i, n)| *i == id && *n == resolved).then(|| {
            let chain: Vec<&str> = l
                .iter()
                .filter(|(i, _)| *i == id)
                .map(|(_, n)| n.as_str())
                .collect();
            format!("{} -> {resolved}", chain.join(" -> "))
        })
    });
    if let Some(chain) = cycle {
        return Err(Error::new(
            ErrorKind::Recursion,
            format!("template includes or extends itself: {chain}"),
        ));
    }
    let source = loader.read(&resolved)?;
    LOADING.with(|l| l.borrow_mut().push((id, resolved.clone())));
    let compiled = Template::compile(
        &source,
        &resolved,
        Some(loader),
        None,
        None,
        loader.shared_namespace(),
    );
    LOADING.with(|l| {
        l.borrow_mut().pop();
    });
    Ok(loader.cache().insert(resolved, Arc::new(compiled?)))
}

/// Python's `posixpath.normpath`.
fn normpath(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

fn dirname(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    }
}

fn join(dir: &str, name: &str) -> String {
    if name.starts_with('/') || dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn relative_allowed(name: &str, parent_path: Option<&str>) -> Option<String> {
    let parent = parent_path?;
    if parent.starts_with('<') || parent.starts_with('/') || name.starts_with('/') {
        return None;
    }
    Some(parent.to_string())
}

/// Loads templates from a directory (Tornado's `Loader(root_directory, **kwargs)`).
///
/// ```no_run
/// use tornado_template::{Loader, LoaderOptions, Namespace};
/// let loader = Loader::new("templates", LoaderOptions::default());
/// let page = loader.load("index.html")?.generate(&Namespace::new())?;
/// # Ok::<(), tornado_template::Error>(())
/// ```
#[derive(Debug)]
pub struct Loader {
    root: String,
    options: LoaderOptions,
    namespace: Arc<SharedNamespace>,
    cache: TemplateCache,
}

impl Loader {
    /// A loader for the templates under `root`.
    pub fn new(root: impl AsRef<Path>, options: LoaderOptions) -> Loader {
        let root = root.as_ref();
        let abs = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        let root = normpath(&abs.to_string_lossy());
        Loader {
            root,
            namespace: Arc::new(options.namespace.clone()),
            options,
            cache: TemplateCache::default(),
        }
    }

    /// The template `name` (relative to the root).
    pub fn load(&self, name: &str) -> Result<Arc<Template>> {
        load(self, name, None)
    }

    /// The template `name`, resolved relative to the template `parent_path`.
    pub fn load_relative(&self, name: &str, parent_path: &str) -> Result<Arc<Template>> {
        load(self, name, Some(parent_path))
    }

    /// Forgets every compiled template (Tornado's `reset()`).
    pub fn reset(&self) {
        self.cache.clear();
    }

    /// The absolute root directory.
    pub fn root(&self) -> &str {
        &self.root
    }
}

impl BaseLoader for Loader {
    fn options(&self) -> &LoaderOptions {
        &self.options
    }

    fn shared_namespace(&self) -> Arc<SharedNamespace> {
        self.namespace.clone()
    }

    fn resolve_path(&self, name: &str, parent_path: Option<&str>) -> String {
        let Some(parent) = relative_allowed(name, parent_path) else {
            return name.to_string();
        };
        let current = normpath(&join(&self.root, &parent));
        let file_dir = dirname(&current);
        let relative = normpath(&join(file_dir, name));
        if relative.starts_with(&self.root) && relative.len() > self.root.len() {
            relative[self.root.len() + 1..].to_string()
        } else {
            name.to_string()
        }
    }

    fn read(&self, name: &str) -> Result<Vec<u8>> {
        let path: PathBuf = Path::new(&self.root).join(name);
        std::fs::read(&path).map_err(|e| Error::io(&path.to_string_lossy(), &e))
    }

    fn cache(&self) -> &TemplateCache {
        &self.cache
    }
}

/// Loads templates from a map of names to sources (Tornado's `DictLoader`).
///
/// ```
/// use tornado_template::{DictLoader, LoaderOptions, Namespace};
/// let loader = DictLoader::new(
///     [("base.html", "<title>{% block title %}{% end %}</title>"),
///      ("page.html", "{% extends 'base.html' %}{% block title %}Hi{% end %}")],
///     LoaderOptions::default(),
/// );
/// assert_eq!(loader.load("page.html").unwrap().generate(&Namespace::new()).unwrap(), b"<title>Hi</title>");
/// ```
#[derive(Debug)]
pub struct DictLoader {
    dict: HashMap<String, String>,
    options: LoaderOptions,
    namespace: Arc<SharedNamespace>,
    cache: TemplateCache,
}

impl DictLoader {
    /// A loader over `templates` (name, source) pairs.
    pub fn new<K: Into<String>, V: Into<String>>(
        templates: impl IntoIterator<Item = (K, V)>,
        options: LoaderOptions,
    ) -> DictLoader {
        DictLoader {
            dict: templates
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            namespace: Arc::new(options.namespace.clone()),
            options,
            cache: TemplateCache::default(),
        }
    }

    /// The template `name`.
    pub fn load(&self, name: &str) -> Result<Arc<Template>> {
        load(self, name, None)
    }

    /// Forgets every compiled template.
    pub fn reset(&self) {
        self.cache.clear();
    }
}

impl BaseLoader for DictLoader {
    fn options(&self) -> &LoaderOptions {
        &self.options
    }

    fn shared_namespace(&self) -> Arc<SharedNamespace> {
        self.namespace.clone()
    }

    fn resolve_path(&self, name: &str, parent_path: Option<&str>) -> String {
        match relative_allowed(name, parent_path) {
            Some(parent) => normpath(&join(dirname(&parent), name)),
            None => name.to_string(),
        }
    }

    fn read(&self, name: &str) -> Result<Vec<u8>> {
        self.dict
            .get(name)
            .map(|s| s.clone().into_bytes())
            .ok_or_else(|| Error::new(ErrorKind::Key, crate::Value::from(name).repr()))
    }

    fn cache(&self) -> &TemplateCache {
        &self.cache
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_like_python() {
        assert_eq!(normpath("a/../b/./c//d"), "b/c/d");
        assert_eq!(normpath("../a"), "../a");
        assert_eq!(normpath("/a/../../b"), "/b");
        assert_eq!(normpath(""), ".");
    }

    #[test]
    fn dict_loader_resolves_relative_names() {
        let l = DictLoader::new([("a/1.html", "")], LoaderOptions::default());
        assert_eq!(l.resolve_path("2.html", Some("a/1.html")), "a/2.html");
        assert_eq!(l.resolve_path("../b/3.html", Some("a/2.html")), "b/3.html");
        assert_eq!(l.resolve_path("x.html", Some("<string>")), "x.html");
        assert_eq!(l.resolve_path("/x.html", Some("a/b.html")), "/x.html");
    }

    #[test]
    fn loops_are_errors() {
        let l = DictLoader::new(
            [
                ("a.html", "{% include 'b.html' %}"),
                ("b.html", "{% include 'a.html' %}"),
                ("c.html", "{% extends 'c.html' %}"),
            ],
            LoaderOptions::default(),
        );
        let e = l.load("a.html").unwrap_err();
        assert_eq!(*e.kind(), ErrorKind::Recursion, "{e}");
        assert!(l.load("c.html").is_err());
        assert!(
            l.load("missing.html")
                .unwrap_err()
                .to_string()
                .contains("KeyError")
        );
    }
}
