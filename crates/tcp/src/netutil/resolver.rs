//! Tornado's `Resolver`: asynchronous name resolution, with a configurable implementation.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use tornado_ioloop::{IOLoop, ThreadPoolExecutor};
use tornado_util::{Configurable, Configuration, Implementation};

use crate::error::{Error, Result};
use crate::netutil::socket::AddressFamily;

/// What [`Resolver::resolve`] returns: a future of the addresses, which owns what it
/// needs (it does not borrow the resolver).
pub type ResolveFuture = Pin<Box<dyn Future<Output = Result<Vec<SocketAddr>>>>>;

/// Asynchronous name resolution (Tornado's `Resolver`).
///
/// Implement [`resolve`](Self::resolve) to make a resolver of your own. The resolver
/// that `TCPClient` uses by default is the configured one, built by `<dyn
/// Resolver>::new()`: [`DefaultExecutorResolver`] unless
/// [`configure`](Configurable::configure)d otherwise.
///
/// ```
/// use tornado_ioloop::IOLoop;
/// use tornado_tcp::netutil::{AF_UNSPEC, Resolver};
///
/// let io_loop = IOLoop::new()?;
/// let addresses = io_loop.run_sync(async {
///     <dyn Resolver>::new().resolve("localhost", 80, AF_UNSPEC).await
/// }, None)??;
/// assert!(addresses.iter().any(|a| a.ip().is_loopback() && a.port() == 80));
/// io_loop.close(false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Resolver: fmt::Debug {
    /// The addresses of `host` (a name or a literal IP address) for `port`, restricted to
    /// `family`, in the order the system gives them. Fails with [`Error::Resolve`] when
    /// the name cannot be resolved.
    fn resolve(&self, host: &str, port: u16, family: AddressFamily) -> ResolveFuture;

    /// Frees what the resolver holds (Tornado's `close`). The default does nothing.
    fn close(&self) {}
}

/// Resolves on the calling thread with the system's `getaddrinfo` (through
/// `std::net::ToSocketAddrs`): Tornado's `_resolve_addr`.
fn resolve_blocking(host: &str, port: u16, family: AddressFamily) -> Result<Vec<SocketAddr>> {
    let failed = |source: io::Error| Error::Resolve {
        host: host.to_owned(),
        port,
        source,
    };
    let found: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(failed)?
        .filter(|a| family.admits(a))
        .collect();
    if found.is_empty() {
        return Err(failed(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no {family} address for this name"),
        )));
    }
    Ok(found)
}

/// The answer for a literal IP address (no `%scope`), which needs no lookup: what
/// `getaddrinfo` gives for it, without a trip to a thread pool.
fn resolve_literal(
    host: &str,
    port: u16,
    family: AddressFamily,
) -> Option<Result<Vec<SocketAddr>>> {
    let ip: IpAddr = host.parse().ok()?;
    let address = SocketAddr::new(ip, port);
    Some(if family.admits(&address) {
        Ok(vec![address])
    } else {
        Err(Error::Resolve {
            host: host.to_owned(),
            port,
            source: io::Error::new(
                io::ErrorKind::NotFound,
                format!("no {family} address for this name"),
            ),
        })
    })
}

/// Resolves on a thread pool, so the loop never waits: the loop's own executor
/// ([`IOLoop::run_in_executor`]) for [`DefaultExecutorResolver`], or a given pool. A
/// literal IP address is answered at once.
async fn resolve_on(
    executor: Option<Arc<ThreadPoolExecutor>>,
    host: String,
    port: u16,
    family: AddressFamily,
) -> Result<Vec<SocketAddr>> {
    if let Some(answer) = resolve_literal(&host, port, family) {
        return answer;
    }
    let job = move || resolve_blocking(&host, port, family);
    let outcome = match executor {
        Some(pool) => pool.submit(job).await,
        None => IOLoop::current().run_in_executor(job).await,
    };
    outcome.unwrap_or_else(|err| {
        Err(Error::io(
            "the resolver's thread pool failed",
            io::Error::other(err.to_string()),
        ))
    })
}

/// The default resolver: `getaddrinfo` on the loop's thread pool
/// ([`IOLoop::run_in_executor`]), Tornado's `DefaultExecutorResolver`.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultExecutorResolver;

/// Tornado 6.2's default, `DefaultLoopResolver`, resolves through asyncio's
/// `getaddrinfo`, which itself runs on the loop's default executor: here it is the same
/// type as [`DefaultExecutorResolver`].
pub type DefaultLoopResolver = DefaultExecutorResolver;

impl Resolver for DefaultExecutorResolver {
    fn resolve(&self, host: &str, port: u16, family: AddressFamily) -> ResolveFuture {
        if let Some(answer) = resolve_literal(host, port, family) {
            return Box::pin(std::future::ready(answer));
        }
        Box::pin(resolve_on(None, host.to_owned(), port, family))
    }
}

/// `getaddrinfo` on a given thread pool (Tornado's `ExecutorResolver`).
#[derive(Clone, Debug)]
pub struct ExecutorResolver {
    executor: Arc<ThreadPoolExecutor>,
}

impl ExecutorResolver {
    /// A resolver that runs every lookup on `executor`.
    pub fn new(executor: Arc<ThreadPoolExecutor>) -> ExecutorResolver {
        ExecutorResolver { executor }
    }
}

impl Resolver for ExecutorResolver {
    fn resolve(&self, host: &str, port: u16, family: AddressFamily) -> ResolveFuture {
        if let Some(answer) = resolve_literal(host, port, family) {
            return Box::pin(std::future::ready(answer));
        }
        Box::pin(resolve_on(
            Some(self.executor.clone()),
            host.to_owned(),
            port,
            family,
        ))
    }
}

/// `getaddrinfo` on a pool of its own, shared by every `ThreadedResolver` of the process
/// and sized by the first one (Tornado's `ThreadedResolver`, ten threads by default).
#[derive(Clone, Debug)]
pub struct ThreadedResolver {
    executor: Arc<ThreadPoolExecutor>,
}

static THREADED_POOL: OnceLock<Arc<ThreadPoolExecutor>> = OnceLock::new();

impl ThreadedResolver {
    /// A resolver on the shared pool, made with `num_threads` threads if it does not
    /// exist yet.
    pub fn new(num_threads: usize) -> ThreadedResolver {
        let executor = THREADED_POOL
            .get_or_init(|| Arc::new(ThreadPoolExecutor::new(num_threads)))
            .clone();
        ThreadedResolver { executor }
    }

    /// The size of the shared pool.
    pub fn num_threads(&self) -> usize {
        self.executor.max_workers()
    }
}

impl Default for ThreadedResolver {
    fn default() -> Self {
        ThreadedResolver::new(10)
    }
}

impl Resolver for ThreadedResolver {
    fn resolve(&self, host: &str, port: u16, family: AddressFamily) -> ResolveFuture {
        if let Some(answer) = resolve_literal(host, port, family) {
            return Box::pin(std::future::ready(answer));
        }
        Box::pin(resolve_on(
            Some(self.executor.clone()),
            host.to_owned(),
            port,
            family,
        ))
    }
}

/// `getaddrinfo` on the loop's own thread, blocking it while the lookup lasts (Tornado's
/// `BlockingResolver`). The result is ready when the future is first polled. Fine for
/// literal addresses and `/etc/hosts` names; a slow DNS server stalls the whole loop.
#[derive(Clone, Copy, Debug, Default)]
pub struct BlockingResolver;

impl Resolver for BlockingResolver {
    fn resolve(&self, host: &str, port: u16, family: AddressFamily) -> ResolveFuture {
        let result = resolve_blocking(host, port, family);
        Box::pin(std::future::ready(result))
    }
}

/// Replacements for [`OverrideResolver`], in Tornado's three key shapes. A lookup tries
/// `(host, port, family)`, then `(host, port)`, then `host`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OverrideMapping {
    hosts: HashMap<String, String>,
    host_ports: HashMap<(String, u16), (String, u16)>,
    host_port_families: HashMap<(String, u16, AddressFamily), (String, u16)>,
}

impl OverrideMapping {
    /// An empty mapping.
    pub fn new() -> OverrideMapping {
        OverrideMapping::default()
    }

    /// Resolves `from` as `to`, whatever the port (Tornado: `"example.com": "127.0.1.1"`).
    pub fn host(mut self, from: impl Into<String>, to: impl Into<String>) -> OverrideMapping {
        self.hosts.insert(from.into(), to.into());
        self
    }

    /// Resolves `(host, port)` as another host and port (Tornado:
    /// `("login.example.com", 443): ("localhost", 1443)`).
    pub fn host_port(
        mut self,
        from: (impl Into<String>, u16),
        to: (impl Into<String>, u16),
    ) -> OverrideMapping {
        self.host_ports
            .insert((from.0.into(), from.1), (to.0.into(), to.1));
        self
    }

    /// Resolves `(host, port)` asked for in `family` as another host and port (Tornado:
    /// `("login.example.com", 443, socket.AF_INET6): ("::1", 1443)`).
    pub fn host_port_family(
        mut self,
        from: (impl Into<String>, u16, AddressFamily),
        to: (impl Into<String>, u16),
    ) -> OverrideMapping {
        self.host_port_families
            .insert((from.0.into(), from.1, from.2), (to.0.into(), to.1));
        self
    }

    /// The host and port to resolve instead of `(host, port)` in `family`, if any.
    pub fn lookup(&self, host: &str, port: u16, family: AddressFamily) -> Option<(&str, u16)> {
        let key3 = (host.to_owned(), port, family);
        if let Some((h, p)) = self.host_port_families.get(&key3) {
            return Some((h, *p));
        }
        let (host, port, _) = key3;
        let key2 = (host, port);
        if let Some((h, p)) = self.host_ports.get(&key2) {
            return Some((h, *p));
        }
        self.hosts.get(&key2.0).map(|h| (h.as_str(), port))
    }

    /// No replacement is listed.
    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty() && self.host_ports.is_empty() && self.host_port_families.is_empty()
    }
}

/// A resolver that answers some names with others, and asks another resolver (Tornado's
/// `OverrideResolver`): local DNS changes, for tests, without touching the system.
///
/// ```
/// use std::rc::Rc;
/// use tornado_ioloop::IOLoop;
/// use tornado_tcp::netutil::{AF_INET, BlockingResolver, OverrideMapping, OverrideResolver, Resolver};
///
/// let resolver = OverrideResolver::new(
///     Rc::new(BlockingResolver),
///     OverrideMapping::new().host_port(("example.com", 443), ("127.0.0.1", 8443)),
/// );
/// let io_loop = IOLoop::new()?;
/// let found = io_loop.run_sync(resolver.resolve("example.com", 443, AF_INET), None)??;
/// assert_eq!(found, ["127.0.0.1:8443".parse()?]);
/// io_loop.close(false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct OverrideResolver {
    resolver: Rc<dyn Resolver>,
    mapping: OverrideMapping,
}

impl OverrideResolver {
    /// Wraps `resolver` with `mapping`.
    pub fn new(resolver: Rc<dyn Resolver>, mapping: OverrideMapping) -> OverrideResolver {
        OverrideResolver { resolver, mapping }
    }

    /// The replacements.
    pub fn mapping(&self) -> &OverrideMapping {
        &self.mapping
    }
}

impl Resolver for OverrideResolver {
    fn resolve(&self, host: &str, port: u16, family: AddressFamily) -> ResolveFuture {
        match self.mapping.lookup(host, port, family) {
            Some((host, port)) => self.resolver.resolve(host, port, family),
            None => self.resolver.resolve(host, port, family),
        }
    }

    fn close(&self) {
        self.resolver.close();
    }
}

// ----- Configurable -----

/// The options resolvers are built with by `<dyn Resolver>::new()` (Tornado's keyword
/// arguments to `Resolver.configure`). Each implementation reads the fields it knows.
#[derive(Clone, Debug, Default)]
pub struct ResolverOptions {
    /// `ExecutorResolver`'s pool (none: the loop's executor).
    pub executor: Option<Arc<ThreadPoolExecutor>>,
    /// `ThreadedResolver`'s pool size (10).
    pub num_threads: Option<usize>,
    /// `OverrideResolver`'s wrapped resolver (none: [`DefaultExecutorResolver`]).
    pub resolver: Option<Implementation<dyn Resolver>>,
    /// `OverrideResolver`'s replacements.
    pub mapping: OverrideMapping,
}

static RESOLVER_CONFIGURATION: Configuration<dyn Resolver> = Configuration::new();

fn build_default(_: &ResolverOptions) -> Rc<dyn Resolver> {
    Rc::new(DefaultExecutorResolver)
}

fn build_executor(options: &ResolverOptions) -> Rc<dyn Resolver> {
    match &options.executor {
        Some(executor) => Rc::new(ExecutorResolver::new(executor.clone())),
        None => Rc::new(DefaultExecutorResolver),
    }
}

fn build_threaded(options: &ResolverOptions) -> Rc<dyn Resolver> {
    Rc::new(ThreadedResolver::new(options.num_threads.unwrap_or(10)))
}

fn build_blocking(_: &ResolverOptions) -> Rc<dyn Resolver> {
    Rc::new(BlockingResolver)
}

fn build_override(options: &ResolverOptions) -> Rc<dyn Resolver> {
    let inner = match options.resolver {
        // An OverrideResolver wrapping itself would recurse forever: wrap the default.
        Some(inner) if inner.name() != "OverrideResolver" => inner.build(options),
        _ => build_default(options),
    };
    Rc::new(OverrideResolver::new(inner, options.mapping.clone()))
}

impl dyn Resolver {
    /// The configured resolver (Tornado's `Resolver()`): [`DefaultExecutorResolver`]
    /// unless [`Configurable::configure`] chose another.
    pub fn new() -> Rc<dyn Resolver> {
        <dyn Resolver as Configurable>::instantiate()
    }

    /// The implementations by name: `DefaultExecutorResolver`, `DefaultLoopResolver`
    /// (the same), `ExecutorResolver`, `ThreadedResolver`, `BlockingResolver`,
    /// `OverrideResolver`.
    pub fn implementation(name: &str) -> Option<Implementation<dyn Resolver>> {
        <dyn Resolver as Configurable>::implementations()
            .into_iter()
            .find(|i| i.name() == name)
    }
}

/// `<dyn Resolver>::new()` builds the configured implementation, as Tornado's
/// `Resolver()` does.
///
/// ```
/// use tornado_tcp::netutil::{Resolver, ResolverOptions};
/// use tornado_util::Configurable;
///
/// let saved = <dyn Resolver>::save_configuration();
/// <dyn Resolver>::configure_by_name("BlockingResolver", ResolverOptions::default())?;
/// assert_eq!(format!("{:?}", <dyn Resolver>::new()), "BlockingResolver");
/// <dyn Resolver>::restore_configuration(saved);
/// # Ok::<(), tornado_util::UnknownImplementation>(())
/// ```
impl Configurable for dyn Resolver {
    type Instance = Rc<dyn Resolver>;
    type Options = ResolverOptions;

    fn configuration() -> &'static Configuration<Self> {
        &RESOLVER_CONFIGURATION
    }

    fn configurable_default() -> Implementation<Self> {
        Implementation::new("DefaultExecutorResolver", build_default)
    }

    fn implementations() -> Vec<Implementation<Self>> {
        vec![
            Implementation::new("DefaultExecutorResolver", build_default),
            Implementation::new("DefaultLoopResolver", build_default),
            Implementation::new("ExecutorResolver", build_executor),
            Implementation::new("ThreadedResolver", build_threaded),
            Implementation::new("BlockingResolver", build_blocking),
            Implementation::new("OverrideResolver", build_override),
        ]
    }

    fn base_name() -> &'static str {
        "Resolver"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_prefers_the_most_specific_key() {
        let mapping = OverrideMapping::new()
            .host("a", "h")
            .host_port(("a", 80), ("hp", 81))
            .host_port_family(("a", 80, AddressFamily::Inet6), ("hpf", 82));
        assert_eq!(
            mapping.lookup("a", 80, AddressFamily::Inet6),
            Some(("hpf", 82))
        );
        assert_eq!(
            mapping.lookup("a", 80, AddressFamily::Inet),
            Some(("hp", 81))
        );
        assert_eq!(
            mapping.lookup("a", 90, AddressFamily::Inet),
            Some(("h", 90))
        );
        assert_eq!(mapping.lookup("b", 80, AddressFamily::Unspec), None);
        assert!(!mapping.is_empty() && OverrideMapping::new().is_empty());
    }

    #[test]
    fn literal_addresses_need_no_lookup() {
        let v6 = resolve_literal("::1", 80, AddressFamily::Unspec)
            .unwrap()
            .unwrap();
        assert_eq!(v6, ["[::1]:80".parse().unwrap()]);
        assert!(
            resolve_literal("::1", 80, AddressFamily::Inet)
                .unwrap()
                .is_err()
        );
        assert!(resolve_literal("localhost", 80, AddressFamily::Unspec).is_none());
        assert!(resolve_literal("fe80::1%lo", 80, AddressFamily::Unspec).is_none());
    }

    #[test]
    fn blocking_resolution_filters_by_family() {
        let v4 = resolve_blocking("127.0.0.1", 8, AddressFamily::Inet).unwrap();
        assert_eq!(v4, ["127.0.0.1:8".parse().unwrap()]);
        let err = resolve_blocking("127.0.0.1", 8, AddressFamily::Inet6).unwrap_err();
        assert!(err.is_resolve(), "{err}");
        assert!(
            resolve_blocking("an invalid domain", 80, AddressFamily::Unspec)
                .unwrap_err()
                .is_resolve()
        );
    }
}
