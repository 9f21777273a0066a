//! Tornado's `Configurable`: a process-wide choice of implementation behind a base type.

use std::error::Error;
use std::fmt;
use std::sync::{PoisonError, RwLock};

/// A named constructor of one implementation of the base `B`.
///
/// Tornado configures a base with a class; here an implementation is a name (what
/// [`Configurable::configured_class`] reports and [`Configurable::configure_by_name`]
/// accepts) and a function that builds an instance from the base's options.
pub struct Implementation<B: Configurable + ?Sized> {
    name: &'static str,
    build: fn(&B::Options) -> B::Instance,
}

impl<B: Configurable + ?Sized> Implementation<B> {
    /// An implementation called `name`, built by `build`.
    pub const fn new(name: &'static str, build: fn(&B::Options) -> B::Instance) -> Self {
        Implementation { name, build }
    }

    /// The implementation's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Builds an instance with the given options.
    pub fn build(&self, options: &B::Options) -> B::Instance {
        (self.build)(options)
    }
}

impl<B: Configurable + ?Sized> Clone for Implementation<B> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<B: Configurable + ?Sized> Copy for Implementation<B> {}

impl<B: Configurable + ?Sized> PartialEq for Implementation<B> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && std::ptr::fn_addr_eq(self.build, other.build)
    }
}

impl<B: Configurable + ?Sized> fmt::Debug for Implementation<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Implementation").field(&self.name).finish()
    }
}

/// The process-wide configuration slot of one base: keep it in a `static` and return it from
/// [`Configurable::configuration`].
pub struct Configuration<B: Configurable + ?Sized> {
    slot: RwLock<Option<(Implementation<B>, B::Options)>>,
}

impl<B: Configurable + ?Sized> Configuration<B> {
    /// An empty slot: the base builds its [`Configurable::configurable_default`].
    pub const fn new() -> Self {
        Configuration {
            slot: RwLock::new(None),
        }
    }

    fn get(&self) -> Option<(Implementation<B>, B::Options)> {
        self.slot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set(&self, value: Option<(Implementation<B>, B::Options)>) {
        *self.slot.write().unwrap_or_else(PoisonError::into_inner) = value;
    }
}

impl<B: Configurable + ?Sized> Default for Configuration<B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<B: Configurable + ?Sized> fmt::Debug for Configuration<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let current = self.get();
        f.debug_struct("Configuration")
            .field("implementation", &current.as_ref().map(|(i, _)| i.name))
            .field("options", &current.as_ref().map(|(_, o)| o))
            .finish()
    }
}

/// A snapshot of a base's configuration, taken by [`Configurable::save_configuration`] and
/// put back by [`Configurable::restore_configuration`] (Tornado's
/// `_save_configuration` / `_restore_configuration`, used by tests).
pub struct SavedConfiguration<B: Configurable + ?Sized> {
    value: Option<(Implementation<B>, B::Options)>,
}

impl<B: Configurable + ?Sized> fmt::Debug for SavedConfiguration<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SavedConfiguration")
            .field("implementation", &self.value.as_ref().map(|(i, _)| i.name))
            .finish()
    }
}

/// [`Configurable::configure_by_name`] was given a name the base does not list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownImplementation {
    base: &'static str,
    name: String,
    known: Vec<&'static str>,
}

impl fmt::Display for UnknownImplementation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} has no implementation named {:?} (known: {})",
            self.base,
            self.name,
            self.known.join(", ")
        )
    }
}

impl Error for UnknownImplementation {}

/// Tornado's factory pattern: constructing the base builds the configured implementation.
///
/// A base names what its construction returns ([`Instance`](Self::Instance)), the options
/// an implementation is built with ([`Options`](Self::Options), Tornado's keyword
/// arguments), where its configuration lives, and its default implementation. Everything
/// else is provided. See the crate documentation for an example.
pub trait Configurable: 'static {
    /// What building an implementation returns: a `Box<dyn Trait>`, a struct holding one,
    /// or a `Result` of either when construction can fail.
    type Instance;
    /// The options an implementation is built with. `Default` gives the options used when
    /// nothing was configured.
    type Options: Clone + Default + fmt::Debug + Send + Sync + 'static;

    /// The process-wide slot holding this base's configuration (a `static`).
    fn configuration() -> &'static Configuration<Self>;

    /// The implementation built when none is configured (Tornado's `configurable_default`).
    fn configurable_default() -> Implementation<Self>;

    /// The implementations that [`configure_by_name`](Self::configure_by_name) knows.
    /// Defaults to the default implementation alone.
    fn implementations() -> Vec<Implementation<Self>> {
        vec![Self::configurable_default()]
    }

    /// The base's name in error messages.
    fn base_name() -> &'static str {
        let full = std::any::type_name::<Self>();
        full.rsplit("::").next().unwrap_or(full)
    }

    /// Chooses the implementation (and its options) that constructing the base builds
    /// from now on, in every thread of the process.
    fn configure(implementation: Implementation<Self>, options: Self::Options) {
        Self::configuration().set(Some((implementation, options)));
    }

    /// [`configure`](Self::configure) by name, as Tornado's `configure("module.Class")`.
    fn configure_by_name(name: &str, options: Self::Options) -> Result<(), UnknownImplementation> {
        let all = Self::implementations();
        match all.iter().find(|i| i.name == name) {
            Some(found) => {
                Self::configure(*found, options);
                Ok(())
            }
            None => Err(UnknownImplementation {
                base: Self::base_name(),
                name: name.to_owned(),
                known: all.iter().map(|i| i.name).collect(),
            }),
        }
    }

    /// Forgets any configuration: the base builds its default again.
    fn reset_configuration() {
        Self::configuration().set(None);
    }

    /// The implementation that constructing the base builds now.
    fn configured_class() -> Implementation<Self> {
        match Self::configuration().get() {
            Some((implementation, _)) => implementation,
            None => Self::configurable_default(),
        }
    }

    /// The options the configured implementation is built with.
    fn configured_options() -> Self::Options {
        Self::configuration()
            .get()
            .map(|(_, options)| options)
            .unwrap_or_default()
    }

    /// Builds the configured implementation with the configured options.
    fn instantiate() -> Self::Instance {
        Self::instantiate_with(|_| {})
    }

    /// Builds the configured implementation after `adjust` has changed a copy of the
    /// configured options (keyword arguments at construction override configured ones).
    fn instantiate_with(adjust: impl FnOnce(&mut Self::Options)) -> Self::Instance {
        let (implementation, mut options) = match Self::configuration().get() {
            Some(configured) => configured,
            None => (Self::configurable_default(), Self::Options::default()),
        };
        adjust(&mut options);
        implementation.build(&options)
    }

    /// A snapshot of the configuration, for [`restore_configuration`](Self::restore_configuration).
    fn save_configuration() -> SavedConfiguration<Self> {
        SavedConfiguration {
            value: Self::configuration().get(),
        }
    }

    /// Puts back a configuration saved earlier.
    fn restore_configuration(saved: SavedConfiguration<Self>) {
        Self::configuration().set(saved.value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A base whose instances say which implementation built them and with what options.
    #[derive(Debug)]
    struct Base;

    #[derive(Clone, Debug, Default, PartialEq)]
    struct Opts {
        a: Option<i32>,
        b: Option<i32>,
    }

    static BASE: Configuration<Base> = Configuration::new();

    fn build_a(o: &Opts) -> (&'static str, Opts) {
        ("a", o.clone())
    }

    fn build_b(o: &Opts) -> (&'static str, Opts) {
        ("b", o.clone())
    }

    impl Configurable for Base {
        type Instance = (&'static str, Opts);
        type Options = Opts;
        fn configuration() -> &'static Configuration<Self> {
            &BASE
        }
        fn configurable_default() -> Implementation<Self> {
            Implementation::new("a", build_a)
        }
        fn implementations() -> Vec<Implementation<Self>> {
            vec![
                Implementation::new("a", build_a),
                Implementation::new("b", build_b),
            ]
        }
    }

    // One test drives the whole process-wide slot, so no two tests race on it.
    #[test]
    fn configure_instantiate_save_restore() {
        assert_eq!(Base::instantiate(), ("a", Opts::default()));
        assert_eq!(Base::configured_class().name(), "a");

        let saved = Base::save_configuration();
        Base::configure(
            Implementation::new("b", build_b),
            Opts {
                a: Some(1),
                b: None,
            },
        );
        assert_eq!(Base::configured_class(), Implementation::new("b", build_b));
        assert_eq!(Base::instantiate().0, "b");
        assert_eq!(Base::instantiate().1.a, Some(1));
        // Options at construction override configured ones, and leave the rest alone.
        let built = Base::instantiate_with(|o| o.b = Some(2));
        assert_eq!(
            built,
            (
                "b",
                Opts {
                    a: Some(1),
                    b: Some(2)
                }
            )
        );
        assert_eq!(Base::configured_options().b, None);

        let err = Base::configure_by_name("c", Opts::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Base has no implementation named \"c\" (known: a, b)"
        );
        Base::configure_by_name("a", Opts::default()).unwrap();
        assert_eq!(Base::instantiate().0, "a");

        Base::restore_configuration(saved);
        assert_eq!(Base::configured_class().name(), "a");
        Base::configure_by_name("b", Opts::default()).unwrap();
        Base::reset_configuration();
        assert_eq!(Base::instantiate().0, "a");
    }
}
