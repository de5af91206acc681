//! An HTTP JSON API over a storyhash archive index (`storyhash serve DIR`): ask whether an
//! article is already in the archive, add articles, remove them, read the counts.
//!
//! - **Endpoints** are listed once, in [`ROUTES`]: the router is built from that list, and the
//!   tests compare it with the OpenAPI document shipped beside this crate (`openapi.json`).
//! - **Bodies** are JSON, read by this crate's own extractor, so that every rejection (a
//!   wrong Content-Type, a body over the limit, malformed JSON, a missing field) is this API's
//!   error shape, `{"error": {"status", "code", "message"}}`, like the handlers' own errors.
//!   Every 4xx is decided before the index is touched, or by the index refusing the whole
//!   call: a request that is refused stores and removes nothing.
//! - **The index's calls** block and use the CPU (matching runs on rayon's pool), so each runs
//!   on tokio's blocking pool; readers never wait for a writer (the store's MVCC), and writers
//!   take their turn inside the index.
//! - **Durability**: an add or a removal is answered 2xx only after its commit is durable. On
//!   shutdown ([`run`]: SIGTERM or SIGINT) the server stops accepting connections and answers
//!   the requests it has; the index closes once the last call that holds it returns.
//! - **Compaction** is not served: it needs the index to itself (`storyhash index compact DIR`
//!   while the server is stopped).

mod api;
mod body;
mod error;

use axum::extract::DefaultBodyLimit;
use axum::routing::{on, MethodFilter};
use axum::Router;
use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use storyhash_index::Index;
use tokio::net::TcpListener;

/// The limits every request is held to; a request past one is refused whole (413).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub body_bytes: usize,
    /// Largest article (its text and title together), in bytes.
    pub article_bytes: usize,
    /// Most articles (or ids to remove) in one request.
    pub batch: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 8 << 20,
            article_bytes: 1 << 20,
            batch: 1000,
        }
    }
}

/// An HTTP method the API serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`: reads.
    Get,
    /// `POST`: a JSON body.
    Post,
}

impl Method {
    /// The method's name, as HTTP writes it (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
        }
    }
}

/// What an endpoint does (the handler a [`Route`] is served by).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Liveness and the document count.
    Health,
    /// The index's counts and settings.
    Stats,
    /// Each article's matches and story; nothing is stored.
    Query,
    /// The query's answers, then the articles are stored (one durable commit).
    Add,
    /// Remove articles by id or by age (one durable commit).
    Remove,
    /// Story preset: make the stories again as one batch run over the live articles would
    /// (one durable commit; see `Index::settle`).
    Settle,
    /// The OpenAPI document of the API (the `openapi.json` shipped with this crate).
    OpenApi,
}

/// One endpoint: a method, a path and what serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The method.
    pub method: Method,
    /// The path.
    pub path: &'static str,
    /// What serves it.
    pub endpoint: Endpoint,
}

/// Every endpoint the API serves; the router is built from this list and nothing else.
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::Get,
        path: "/health",
        endpoint: Endpoint::Health,
    },
    Route {
        method: Method::Get,
        path: "/stats",
        endpoint: Endpoint::Stats,
    },
    Route {
        method: Method::Post,
        path: "/query",
        endpoint: Endpoint::Query,
    },
    Route {
        method: Method::Post,
        path: "/add",
        endpoint: Endpoint::Add,
    },
    Route {
        method: Method::Post,
        path: "/remove",
        endpoint: Endpoint::Remove,
    },
    Route {
        method: Method::Post,
        path: "/settle",
        endpoint: Endpoint::Settle,
    },
    Route {
        method: Method::Get,
        path: "/openapi.json",
        endpoint: Endpoint::OpenApi,
    },
];

/// The OpenAPI 3.1 document of the API, as served at `GET /openapi.json`.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// What every handler sees: the index and the limits.
#[derive(Clone)]
struct AppState {
    index: Arc<Index>,
    limits: Limits,
}

/// The API's router over `index`, for [`serve`] (or for a caller's own server, or tests that
/// wrap it in a layer of their own). Unknown paths answer 404 and known paths asked with
/// another method answer 405, in the API's JSON error shape.
pub fn router(index: Arc<Index>, limits: Limits) -> Router {
    let mut app = Router::new();
    for route in ROUTES {
        let filter = route.method.filter();
        let handler = match route.endpoint {
            Endpoint::Health => on(filter, api::health),
            Endpoint::Stats => on(filter, api::stats),
            Endpoint::Query => on(filter, api::query),
            Endpoint::Add => on(filter, api::add),
            Endpoint::Remove => on(filter, api::remove),
            Endpoint::Settle => on(filter, api::settle),
            Endpoint::OpenApi => on(filter, api::openapi),
        };
        app = app.route(route.path, handler);
    }
    app
        // After the routes: it becomes the fallback of each route added so far.
        .method_not_allowed_fallback(api::method_not_allowed)
        .fallback(api::not_found)
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .with_state(AppState { index, limits })
}

/// Serve `app` on `listener` until `shutdown` completes, then stop accepting connections and
/// return once every request already received has been answered. What may still hold a
/// reference to the index then: a call into it whose client went away (it cannot be cut short,
/// and the tokio runtime waits for it when it is dropped), and for a moment the connection
/// tasks dropping their copies of the router. [`run`] closes the index after the runtime.
pub async fn serve<F>(listener: TcpListener, app: Router, shutdown: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// How [`run`] serves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to listen (port 0: any free port).
    pub addr: SocketAddr,
    /// The request limits.
    pub limits: Limits,
    /// Tokio worker threads; `None`: one per core.
    pub threads: Option<usize>,
    /// Also print the bound address (`HOST:PORT`) alone on a line of stdout, for scripts.
    pub print_addr: bool,
}

/// Why [`run`] could not serve.
#[derive(Debug)]
pub enum RunError {
    /// The runtime, or the signal handlers, could not be set up.
    Setup(std::io::Error),
    /// The address could not be bound.
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Setup(e) => write!(f, "cannot start the server: {e}"),
            RunError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::Setup(e) | RunError::Bind { source: e, .. } => Some(e),
        }
    }
}

/// Serve `index` as `storyhash serve` does: bind `opts.addr`, say where on stderr
/// (`listening on http://ADDR`, and `ADDR` on stdout with `opts.print_addr`), answer requests
/// until SIGTERM or SIGINT, finish the requests in flight, wait for every call into the index
/// to return, and close the index.
pub fn run(index: Index, opts: &Options) -> Result<(), RunError> {
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    rt.enable_all();
    if let Some(n) = opts.threads {
        rt.worker_threads(n);
    }
    let rt = rt.build().map_err(RunError::Setup)?;
    let index = Arc::new(index);
    let served = rt.block_on(async {
        let listener = TcpListener::bind(opts.addr)
            .await
            .map_err(|source| RunError::Bind {
                addr: opts.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(RunError::Setup)?;
        let stop = stop_signal().map_err(RunError::Setup)?;
        eprintln!("listening on http://{addr}");
        if opts.print_addr {
            let mut out = std::io::stdout().lock();
            // A script that reads the address and closes the pipe is no reason to stop.
            let _ = writeln!(out, "{addr}").and_then(|_| out.flush());
        }
        let app = router(index.clone(), opts.limits);
        // `axum::serve` never fails: it retries failed accepts itself.
        let _ = serve(listener, app, stop).await;
        eprintln!("stopped accepting; every request received has been answered");
        Ok(())
    });
    // Dropping the runtime waits for blocking calls still running (an add whose client went
    // away), so that the index below is the last reference and closes.
    drop(rt);
    drop(index);
    served
}

/// A future that completes at the first SIGTERM or SIGINT (Ctrl-C). The handlers are
/// installed before it is returned, so that a signal sent once the server says it is listening
/// is never missed.
#[cfg(unix)]
fn stop_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
        };
        eprintln!("{name}: stopping; finishing the requests in flight");
    })
}

/// Elsewhere, Ctrl-C only.
#[cfg(not(unix))]
fn stop_signal() -> std::io::Result<impl Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("Ctrl-C: stopping; finishing the requests in flight");
    })
}
