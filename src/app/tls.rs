//! The HTTPS listener (`--tls-port`): the same router as the plain listener, over rustls (ring),
//! HTTP/1.1 and h2 offered through ALPN (URLSession and OkHttp pick h2).
//!
//! Amplify Swift and Amplify Android only reach Cognito over https on port 443 (their Gen1
//! `Endpoint` is a bare host name; Gen2 has no endpoint at all), so a device must trust the
//! certificate. The emulator keeps its own CA, made once and then reused, so a device is told to
//! trust it once; the server certificate is issued by that CA at every start, for localhost,
//! 127.0.0.1, ::1, 10.0.2.2 (the Android emulator's address of its host), host.docker.internal and
//! each `--tls-hostname` (e.g. `cognito-idp.us-east-1.amazonaws.com`). `--tls-cert`/`--tls-key`
//! serve the user's own pair instead.

use crate::config::Config;
use crate::http::tls::{TlsCa, ViaTls};
use anyhow::{anyhow, bail, Context};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PublicKeyData, SanType, SerialNumber,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The names every emulator certificate covers (besides `--tls-hostname`).
pub const FIXED_NAMES: [&str; 5] = [
    "localhost",
    "127.0.0.1",
    "::1",
    "10.0.2.2",
    "host.docker.internal",
];
/// Files of the CA in its folder.
pub const CA_CERT_FILE: &str = "ca.pem";
pub const CA_KEY_FILE: &str = "ca-key.pem";
/// The folder beside a file database.
const DIR_BESIDE_DB: &str = "cognito-emulator-tls";
/// Apple accepts server certificates valid for at most 825 days (support.apple.com/HT210176,
/// "Requirements for trusted certificates in iOS 13 and macOS 10.15"); one year, made anew at
/// every start, stays well inside.
const SERVER_CERT_DAYS: i64 = 365;
const CA_DAYS: i64 = 3650;
/// A client that opens a connection and says nothing does not hold a task for long.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A bound HTTPS listener, ready to serve.
pub struct TlsListener {
    listener: TcpListener,
    acceptor: TlsAcceptor,
    /// What `GET /_emulator/tls/ca.pem` answers.
    pub ca: TlsCa,
    /// The CA certificate file (not with `--tls-cert`).
    pub ca_file: Option<PathBuf>,
}

/// Where the emulator's CA is kept: `--tls-dir`, else `cognito-emulator-tls/` beside a file
/// database (so a container volume holding the database holds the CA), else for `:memory:` the
/// user's data directory (`$XDG_DATA_HOME` or `~/.local/share` on Linux,
/// `~/Library/Application Support` on macOS) under `cognito-emulator/tls`.
pub fn ca_dir(config: &Config) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &config.tls_dir {
        return Ok(dir.clone());
    }
    if config.db != ":memory:" {
        let parent = Path::new(&config.db)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        return Ok(parent.join(DIR_BESIDE_DB));
    }
    dirs::data_dir()
        .map(|d| d.join("cognito-emulator").join("tls"))
        .ok_or_else(|| anyhow!("no user data directory for the emulator's CA: pass --tls-dir DIR"))
}

/// Reads or makes the certificate, binds `--host:--tls-port`. `None` without `--tls-port`.
pub async fn bind(config: &Config) -> anyhow::Result<Option<TlsListener>> {
    let Some(port) = config.tls_port else {
        return Ok(None);
    };
    let (chain, key, ca, ca_file) = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => {
            let (chain, key) = user_pair(cert, key)?;
            (chain, key, TlsCa::UserCertificate, None)
        }
        (Some(_), None) => bail!("--tls-cert needs --tls-key"),
        (None, Some(_)) => bail!("--tls-key needs --tls-cert"),
        (None, None) => {
            let dir = ca_dir(config)?;
            let ca = LocalCa::load_or_create(&dir)?;
            let (chain, key) = ca.server_certificate(&server_names(config)?)?;
            let pem: Arc<str> = ca.cert_pem.clone().into();
            (chain, key, TlsCa::Pem(pem), Some(dir.join(CA_CERT_FILE)))
        }
    };
    let server_config =
        server_config(chain, key).map_err(|e| match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => anyhow!(
                "--tls-key {} does not fit --tls-cert {}: {e}",
                key.display(),
                cert.display()
            ),
            _ => anyhow!("the emulator's certificate is unusable: {e}"),
        })?;
    let addr = format!("{}:{}", config.host, port);
    let listener = TcpListener::bind(&addr)
        .await
        .map_err(|e| anyhow!("cannot listen on {addr} (--tls-port): {e}"))?;
    Ok(Some(TlsListener {
        listener,
        acceptor: TlsAcceptor::from(Arc::new(server_config)),
        ca,
        ca_file,
    }))
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> Result<rustls::ServerConfig, rustls::Error> {
    // ring, already in the tree (jsonwebtoken, rcgen), instead of aws-lc-rs and its C build.
    // rustls 0.23.48 marks this deprecated because ring lacks the post-quantum key exchange;
    // the classical suites are what loopback and device clients need here.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        // Also checks that the key is the certificate's.
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// `--tls-cert` (a PEM chain, leaf first) and `--tls-key` (PKCS#8, PKCS#1 or SEC1 PEM); each
/// error names the file.
fn user_pair(
    cert: &Path,
    key: &Path,
) -> anyhow::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
    let bad_cert = |e: &dyn std::fmt::Display| anyhow!("--tls-cert {}: {e}", cert.display());
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad_cert(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad_cert(&e))?;
    if chain.is_empty() {
        return Err(bad_cert(&"no PEM certificate in the file"));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| anyhow!("--tls-key {}: not a PEM private key ({e})", key.display()))?;
    Ok((chain, key))
}

/// The fixed names, each `--tls-hostname`, and the bind address when it is a specific one.
fn server_names(config: &Config) -> anyhow::Result<Vec<SanType>> {
    let mut names: Vec<String> = FIXED_NAMES.iter().map(|s| s.to_string()).collect();
    for name in &config.tls_hostnames {
        let name = name.trim();
        let host_like = name.parse::<IpAddr>().is_ok()
            || (!name.is_empty()
                && name.len() <= 253
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'*')));
        if !host_like {
            bail!("--tls-hostname {name:?}: not a host name or IP address");
        }
        names.push(name.to_ascii_lowercase());
    }
    let host = config.host.trim_matches(|c| c == '[' || c == ']');
    let wildcard = host.parse::<IpAddr>().is_ok_and(|ip| ip.is_unspecified());
    if !wildcard && !host.is_empty() {
        names.push(host.to_ascii_lowercase());
    }
    let mut sans = Vec::new();
    for name in names {
        let san = match name.parse::<IpAddr>() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(
                name.clone()
                    .try_into()
                    .map_err(|e| anyhow!("--tls-hostname {name:?}: {e}"))?,
            ),
        };
        if !sans.contains(&san) {
            sans.push(san);
        }
    }
    Ok(sans)
}

/// The emulator's own CA: an ECDSA P-256 key and its self-signed certificate.
struct LocalCa {
    key: KeyPair,
    cert_pem: String,
}

impl LocalCa {
    /// Both files or neither: a lone file is an error rather than a silently new CA, which every
    /// device that trusts the old one would reject.
    fn load_or_create(dir: &Path) -> anyhow::Result<Self> {
        let cert_path = dir.join(CA_CERT_FILE);
        let key_path = dir.join(CA_KEY_FILE);
        match (cert_path.exists(), key_path.exists()) {
            (true, true) => Self::load(&cert_path, &key_path),
            (false, false) => Self::create(dir, &cert_path, &key_path),
            (true, false) | (false, true) => {
                let (there, missing) = if cert_path.exists() {
                    (&cert_path, &key_path)
                } else {
                    (&key_path, &cert_path)
                };
                bail!(
                    "{} is there but {} is missing: restore it, or delete {} to make a new CA \
                     (devices that trust the old one must then be given the new one)",
                    there.display(),
                    missing.display(),
                    there.display()
                )
            }
        }
    }

    fn load(cert_path: &Path, key_path: &Path) -> anyhow::Result<Self> {
        let key_pem = std::fs::read_to_string(key_path)
            .with_context(|| format!("cannot read {}", key_path.display()))?;
        let key = KeyPair::from_pem(&key_pem)
            .map_err(|e| anyhow!("{}: not a PEM private key ({e})", key_path.display()))?;
        let cert_pem = std::fs::read_to_string(cert_path)
            .with_context(|| format!("cannot read {}", cert_path.display()))?;
        let cert = CertificateDer::from_pem_slice(cert_pem.as_bytes())
            .map_err(|e| anyhow!("{}: not a PEM certificate ({e})", cert_path.display()))?;
        // The certificate embeds its public key verbatim (RFC 5280 SubjectPublicKeyInfo).
        let public = key.subject_public_key_info();
        if !cert.windows(public.len()).any(|w| w == public.as_slice()) {
            bail!(
                "{} is not the key of {}",
                key_path.display(),
                cert_path.display()
            );
        }
        Ok(Self { key, cert_pem })
    }

    fn create(dir: &Path, cert_path: &Path, key_path: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the CA folder {}", dir.display()))?;
        let key = KeyPair::generate().map_err(|e| anyhow!("CA key generation failed: {e}"))?;
        let mut params = ca_params(&key);
        set_validity(&mut params, CA_DAYS);
        params.serial_number = Some(random_serial());
        let cert = params
            .self_signed(&key)
            .map_err(|e| anyhow!("CA certificate failed: {e}"))?;
        write_file(key_path, key.serialize_pem().as_bytes(), 0o600)?;
        write_file(cert_path, cert.pem().as_bytes(), 0o644)?;
        tracing::info!(dir = %dir.display(), "made the emulator's CA");
        Ok(Self {
            key,
            cert_pem: cert.pem(),
        })
    }

    /// A fresh key and a certificate for `names`, signed by the CA.
    fn server_certificate(
        &self,
        names: &[SanType],
    ) -> anyhow::Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)> {
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "cognito-emulator");
        params.distinguished_name = dn;
        params.subject_alt_names = names.to_vec();
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        set_validity(&mut params, SERVER_CERT_DAYS);
        params.serial_number = Some(random_serial());
        let key = KeyPair::generate().map_err(|e| anyhow!("server key generation failed: {e}"))?;
        let issuer = Issuer::new(ca_params(&self.key), &self.key);
        let cert = params
            .signed_by(&key, &issuer)
            .map_err(|e| anyhow!("server certificate failed: {e}"))?;
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        Ok((vec![cert.der().clone()], key_der))
    }
}

/// The CA's name and constraints, derived from its key alone, so the issuer of each server
/// certificate matches the stored CA certificate without parsing it. The name carries a short
/// fingerprint of the key, to tell two machines' CAs apart in a trust store.
fn ca_params(key: &KeyPair) -> CertificateParams {
    let digest = Sha256::digest(key.subject_public_key_info());
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CommonName,
        format!("cognito-emulator local CA {}", hex::encode(&digest[..4])),
    );
    dn.push(DnType::OrganizationName, "cognito-emulator");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

/// Valid from yesterday for `days` days, in whole days of real time (not the emulator's clock:
/// devices check these dates against theirs).
fn set_validity(params: &mut CertificateParams, days: i64) {
    use chrono::Datelike;
    let day = |offset: i64| {
        let d = (chrono::Utc::now() + chrono::Duration::days(offset)).date_naive();
        // Month and day always fit a u8.
        rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8)
    };
    params.not_before = day(-1);
    params.not_after = day(days);
}

fn random_serial() -> SerialNumber {
    let mut bytes: [u8; 16] = rand::random();
    // Positive and without a leading zero octet (RFC 5280 section 4.1.2.2).
    bytes[0] = (bytes[0] & 0x7f) | 0x40;
    SerialNumber::from_slice(&bytes)
}

/// Writes through a temporary file and a rename, so a crash never leaves half a key.
fn write_file(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
    #[cfg(not(unix))]
    let _ = mode;
    let result = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        bail!("cannot write {}: {e}", path.display());
    }
    Ok(())
}

impl TlsListener {
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Accepts connections until the task is dropped: each one is a TLS handshake, then HTTP/1.1
    /// or h2 as ALPN chose, every request marked [`ViaTls`] and handed to the router.
    pub async fn serve(self, router: Router) -> std::io::Result<()> {
        let via = ViaTls {
            fallback_base: format!("https://{}", super::display_addr(self.local_addr())).into(),
        };
        let builder = Arc::new(hyper_util::server::conn::auto::Builder::new(
            TokioExecutor::new(),
        ));
        loop {
            let tcp = match self.listener.accept().await {
                Ok((tcp, _)) => tcp,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "https accept failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            let _ = tcp.set_nodelay(true);
            let (acceptor, router, via, builder) = (
                self.acceptor.clone(),
                router.clone(),
                via.clone(),
                builder.clone(),
            );
            tokio::spawn(async move {
                let tls = match tokio::time::timeout(
                    HANDSHAKE_TIMEOUT,
                    acceptor.accept(super::linger::Lingering::new(tcp)),
                )
                .await
                {
                    Ok(Ok(tls)) => tls,
                    // A client that does not trust the CA ends here; that is its answer.
                    Ok(Err(e)) => {
                        tracing::debug!(error = %e, "TLS handshake failed");
                        return;
                    }
                    Err(_) => return,
                };
                let service = hyper::service::service_fn(
                    move |mut req: hyper::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(via.clone());
                        tower::ServiceExt::oneshot(router.clone(), req)
                    },
                );
                if let Err(e) = builder.serve_connection(TokioIo::new(tls), service).await {
                    tracing::debug!(error = %e, "https connection ended with an error");
                }
            });
        }
    }
}
