//! # tornado-util
//!
//! Small pieces shared by the other tornado-rs crates, after Python Tornado's
//! `tornado.util`. Today that is [`Configurable`], Tornado's factory pattern: a base type
//! whose constructor builds whichever implementation the process configured, so that a
//! program (or a test) can swap the implementation behind every `IOLoop::new()`,
//! `Resolver::new()` or `AsyncHTTPClient::new()` in one place.
//!
//! ```
//! use tornado_util::{Configurable, Configuration, Implementation};
//!
//! // A base with two implementations, as `Resolver` has in Tornado.
//! #[derive(Debug)]
//! struct Greeter;
//!
//! #[derive(Clone, Debug, Default)]
//! struct GreeterOptions {
//!     name: String,
//! }
//!
//! static GREETER: Configuration<Greeter> = Configuration::new();
//!
//! impl Configurable for Greeter {
//!     type Instance = String;
//!     type Options = GreeterOptions;
//!     fn configuration() -> &'static Configuration<Self> {
//!         &GREETER
//!     }
//!     fn configurable_default() -> Implementation<Self> {
//!         Implementation::new("english", |o: &GreeterOptions| format!("Hello, {}", o.name))
//!     }
//!     fn implementations() -> Vec<Implementation<Self>> {
//!         vec![
//!             Self::configurable_default(),
//!             Implementation::new("french", |o: &GreeterOptions| format!("Bonjour, {}", o.name)),
//!         ]
//!     }
//! }
//!
//! assert_eq!(Greeter::instantiate(), "Hello, ");
//! let saved = Greeter::save_configuration();
//! Greeter::configure_by_name("french", GreeterOptions { name: "Ada".into() }).unwrap();
//! assert_eq!(Greeter::configured_class().name(), "french");
//! assert_eq!(Greeter::instantiate(), "Bonjour, Ada");
//! // Options given at construction override the configured ones, as Tornado's kwargs do.
//! assert_eq!(Greeter::instantiate_with(|o| o.name = "Bob".into()), "Bonjour, Bob");
//! Greeter::restore_configuration(saved);
//! assert_eq!(Greeter::configured_class().name(), "english");
//! ```
//!
//! ## Differences from Tornado
//!
//! - Python's `Configurable.__new__` returns an instance of a subclass. Rust has no
//!   subclasses: a base names the type its constructor returns
//!   ([`Configurable::Instance`], often a `Box<dyn Trait>` or a struct holding one), and an
//!   [`Implementation`] is a named constructor function.
//! - Tornado's `**kwargs` become one options struct per base ([`Configurable::Options`]);
//!   `configure(impl, **kwargs)` stores a value of it, and
//!   [`Configurable::instantiate_with`] lets a caller override fields, as keyword arguments
//!   given at construction override configured ones.
//! - `configure("dotted.name")` imports a class by name; here a name is looked up among the
//!   implementations the base lists ([`Configurable::implementations`]). Nothing is loaded
//!   dynamically.

#![forbid(unsafe_code)]

mod configurable;

pub use configurable::{
    Configurable, Configuration, Implementation, SavedConfiguration, UnknownImplementation,
};
