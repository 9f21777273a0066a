//! From Tornado's `ssl_options` to rustls configurations (netutil's
//! `ssl_options_to_context`), with the verifiers that Python's `CERT_NONE` and
//! `check_hostname = False` need.

use std::path::Path;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

use super::{CertReqs, SslConfig, SslOptions};
use crate::error::{Error, Result};

/// The crypto provider of every configuration built here: ring (no cmake, no C++).
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn config_error(message: String) -> Error {
    Error::TlsConfig(message)
}

/// Checks that the file named by option `key` exists, with Tornado's messages.
fn existing<'a>(key: &str, path: Option<&'a Path>) -> Result<&'a Path> {
    let path = path.ok_or_else(|| config_error(format!("missing key \"{key}\" in ssl_options")))?;
    if !path.exists() {
        return Err(config_error(format!(
            "{key} \"{}\" does not exist",
            path.display()
        )));
    }
    Ok(path)
}

/// The certificates of a PEM file, at least one.
fn load_certs(key: &str, path: &Path) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<std::result::Result<Vec<_>, _>>())
        .map_err(|e| config_error(format!("{key} \"{}\": {e}", path.display())))?;
    if certs.is_empty() {
        return Err(config_error(format!(
            "{key} \"{}\" holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certs)
}

/// The private key of a PEM file.
fn load_key(key: &str, path: &Path) -> Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| match e {
        rustls_pki_types::pem::Error::NoItemsFound => config_error(format!(
            "{key} \"{}\" holds no PEM private key",
            path.display()
        )),
        e => config_error(format!("{key} \"{}\": {e}", path.display())),
    })
}

/// The chain and key that `options` name.
fn load_chain(
    options: &SslOptions,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let certfile = existing("certfile", options.certfile.as_deref())?;
    let chain = load_certs("certfile", certfile)?;
    let key = match options.keyfile.as_deref() {
        Some(keyfile) => load_key("keyfile", existing("keyfile", Some(keyfile))?)?,
        None => load_key("certfile", certfile)?,
    };
    Ok((chain, key))
}

/// A root store holding every certificate of the `ca_certs` file.
fn load_roots(path: &Path) -> Result<RootCertStore> {
    let path = existing("ca_certs", Some(path))?;
    let mut roots = RootCertStore::empty();
    for cert in load_certs("ca_certs", path)? {
        roots
            .add(cert)
            .map_err(|e| config_error(format!("ca_certs \"{}\": {e}", path.display())))?;
    }
    Ok(roots)
}

/// Builds the rustls server configuration for `ssl_options` (Tornado's
/// `ssl_options_to_context(ssl_options, server_side=True)`); a ready server
/// configuration is returned as it is.
///
/// `certfile` is required (`missing key "certfile" in ssl_options`) and must exist
/// (`certfile "..." does not exist`), as in Tornado's `TCPServer`. With `cert_reqs`
/// [`Optional`](CertReqs::Optional) or [`Required`](CertReqs::Required), client
/// certificates are verified against `ca_certs`, which is then required too.
///
/// ```
/// use tornado_iostream::{SslOptions, ssl_options_to_server_config};
/// let err = ssl_options_to_server_config(SslOptions::default()).unwrap_err();
/// assert_eq!(err.to_string(), "missing key \"certfile\" in ssl_options");
/// let err = ssl_options_to_server_config(SslOptions::server("/nowhere.crt", "/nowhere.key"))
///     .unwrap_err();
/// assert_eq!(err.to_string(), "certfile \"/nowhere.crt\" does not exist");
/// ```
pub fn ssl_options_to_server_config(options: impl Into<SslConfig>) -> Result<Arc<ServerConfig>> {
    let options = match options.into() {
        SslConfig::Server(config) => return Ok(config),
        SslConfig::Client(_) => {
            return Err(config_error(
                "a client TLS configuration was given for the server side".to_owned(),
            ));
        }
        SslConfig::Options(options) => options,
    };
    let (chain, key) = load_chain(&options)?;
    let provider = provider();
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(e.to_string()))?;
    let cert_reqs = options.cert_reqs.unwrap_or(CertReqs::None);
    let builder = match cert_reqs {
        CertReqs::None => builder.with_no_client_auth(),
        CertReqs::Optional | CertReqs::Required => {
            let ca_certs = options.ca_certs.as_deref().ok_or_else(|| {
                config_error(
                    "missing key \"ca_certs\" in ssl_options (needed to verify client certificates)"
                        .to_owned(),
                )
            })?;
            let roots = Arc::new(load_roots(ca_certs)?);
            let verifier = WebPkiClientVerifier::builder_with_provider(roots, provider);
            let verifier = if cert_reqs == CertReqs::Optional {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            let verifier = verifier
                .build()
                .map_err(|e| config_error(format!("ca_certs: {e}")))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| config_error(format!("certfile/keyfile: {e}")))?;
    config.alpn_protocols = options.alpn_protocols;
    Ok(Arc::new(config))
}

/// Builds the rustls client configuration for `ssl_options` (Tornado's
/// `ssl_options_to_context(ssl_options, server_side=False)`); a ready client
/// configuration is returned as it is.
///
/// By default (`SslOptions::default()`), as Tornado 6.2+: the server's certificate must
/// chain to one of the webpki roots (or to `ca_certs`, if given, instead) and name the
/// host. `cert_reqs = CertReqs::None` turns verification off; `check_hostname = false`
/// keeps the chain check and drops the name check. `certfile`/`keyfile`, if given, are a
/// client certificate.
pub fn ssl_options_to_client_config(options: impl Into<SslConfig>) -> Result<Arc<ClientConfig>> {
    let options = match options.into() {
        SslConfig::Client(config) => return Ok(config),
        SslConfig::Server(_) => {
            return Err(config_error(
                "a server TLS configuration was given for the client side".to_owned(),
            ));
        }
        SslConfig::Options(options) => options,
    };
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(e.to_string()))?;
    let verify = options.cert_reqs.unwrap_or(CertReqs::Required) != CertReqs::None;
    if !verify && options.check_hostname == Some(true) {
        // Python: "Cannot set verify_mode to CERT_NONE when check_hostname is enabled."
        return Err(config_error(
            "check_hostname needs certificates verified: cert_reqs cannot be none".to_owned(),
        ));
    }
    let builder = if verify {
        let roots = match options.ca_certs.as_deref() {
            Some(path) => load_roots(path)?,
            None => RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            },
        };
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
            .build()
            .map_err(|e| config_error(format!("ca_certs: {e}")))?;
        if options.check_hostname.unwrap_or(true) {
            builder.with_webpki_verifier(webpki)
        } else {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(NoHostnameCheck(webpki)))
        }
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
    };
    let mut config = if options.certfile.is_some() {
        let (chain, key) = load_chain(&options)?;
        builder
            .with_client_auth_cert(chain, key)
            .map_err(|e| config_error(format!("certfile/keyfile: {e}")))?
    } else {
        builder.with_no_client_auth()
    };
    config.alpn_protocols = options.alpn_protocols;
    Ok(Arc::new(config))
}

/// The server name a client sends (SNI) and checks the certificate against.
pub(crate) fn server_name(hostname: &str) -> Result<ServerName<'static>> {
    ServerName::try_from(hostname.to_owned())
        .map_err(|_| config_error(format!("invalid server_hostname {hostname:?}")))
}

/// Python's `CERT_NONE` for a client: any certificate is accepted, though the handshake's
/// signatures are still checked against it.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Python's `check_hostname = False`: the chain is verified, the name is not.
#[derive(Debug)]
struct NoHostnameCheck(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for NoHostnameCheck {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_absent_files_are_named() {
        let err = ssl_options_to_server_config(SslOptions::default()).unwrap_err();
        assert!(err.is_tls_config());
        assert_eq!(err.to_string(), "missing key \"certfile\" in ssl_options");
        let err = ssl_options_to_server_config(SslOptions::server("/no/such.crt", "/no/such.key"))
            .unwrap_err();
        assert_eq!(err.to_string(), "certfile \"/no/such.crt\" does not exist");
        let options = SslOptions {
            ca_certs: Some("/no/ca.pem".into()),
            ..SslOptions::default()
        };
        let err = ssl_options_to_client_config(options).unwrap_err();
        assert_eq!(err.to_string(), "ca_certs \"/no/ca.pem\" does not exist");
    }

    #[test]
    fn files_without_pem_items_are_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("tornado-tls-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = ssl_options_to_server_config(SslOptions::server(&empty, &empty)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("certfile \"{}\" holds no PEM certificate", empty.display())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_client_default_verifies_against_the_webpki_roots() {
        let config = ssl_options_to_client_config(SslOptions::default()).unwrap();
        assert!(config.alpn_protocols.is_empty());
        let insecure = ssl_options_to_client_config(SslOptions::insecure()).unwrap();
        let contradiction = SslOptions {
            check_hostname: Some(true),
            ..SslOptions::insecure()
        };
        assert_eq!(
            ssl_options_to_client_config(contradiction)
                .unwrap_err()
                .to_string(),
            "check_hostname needs certificates verified: cert_reqs cannot be none"
        );
        assert!(!Arc::ptr_eq(&config, &insecure));
        // A ready configuration passes through; the wrong side is refused.
        assert!(Arc::ptr_eq(
            &ssl_options_to_client_config(config.clone()).unwrap(),
            &config
        ));
        let err = ssl_options_to_server_config(config).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a client TLS configuration was given for the server side"
        );
    }

    #[test]
    fn server_names_accept_hosts_and_addresses() {
        assert!(server_name("foo.example.com").is_ok());
        assert!(server_name("127.0.0.1").is_ok());
        assert_eq!(
            server_name("bad name!").unwrap_err().to_string(),
            "invalid server_hostname \"bad name!\""
        );
    }
}
