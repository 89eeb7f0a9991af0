//! Route registration that writes down what it registers: every handler reaches the App
//! through a [`Router`], which notes its method and full path. `registered_routes` in
//! `http/mod.rs` runs the same configuration the server runs and returns that list, so the
//! test that holds it against the OpenAPI document sees exactly what is served.
//!
//! Each route carries its access decision ([`Access`]): `.allow(…)` right after the route
//! gives it. The resource's [`access::guard`] applies it before any handler runs; a route
//! given none is refused to everyone, and the route table's test names it.
//!
//! The router also makes each path one resource holding all its methods, so a method the
//! path does not take is answered 405 with `Allow` (instead of falling through to a 404),
//! and it registers paths without parameters before those with (`/persons/search` before
//! `/persons/{id}`), then scopes, whatever order the modules name them in.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use actix_web::dev::HttpServiceFactory;
use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, HttpResponse, Responder, Route};

use super::access::{self, Access};
use super::error::ApiError;

/// One registered route: its method and its full path (scope prefixes included), in
/// actix's pattern syntax (`/api/v1/persons/{id}`), which is also OpenAPI's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RegisteredRoute {
    pub(crate) method: String,
    pub(crate) path: String,
    /// Who may call it; `None` until `.allow(…)` gives it.
    pub(crate) access: Option<Access>,
}

/// A path's methods, registered as one resource when the router is dropped.
struct PendingResource {
    path: String,
    methods: Vec<(Method, Option<Access>, Option<&'static str>)>,
    routes: Vec<Route>,
}

/// Registers routes on a service config (the App's or a scope's) and notes each one.
/// Resources are added to the config when the router is dropped.
pub(crate) struct Router<'a> {
    cfg: &'a mut web::ServiceConfig,
    prefix: String,
    seen: &'a mut Vec<RegisteredRoute>,
    resources: Vec<PendingResource>,
    scopes: Vec<ScopeRegistration<'a>>,
    /// The route `.allow` applies to: its index in `seen`, its resource and method.
    last: Option<(usize, usize, usize)>,
}

/// A scope's routes, registered once the router knows all of them.
type ScopeRegistration<'a> = Box<dyn FnOnce(&mut web::ServiceConfig) + 'a>;

impl<'a> Router<'a> {
    pub(crate) fn new(cfg: &'a mut web::ServiceConfig, seen: &'a mut Vec<RegisteredRoute>) -> Self {
        Router::under(cfg, String::new(), seen)
    }

    fn under(
        cfg: &'a mut web::ServiceConfig,
        prefix: String,
        seen: &'a mut Vec<RegisteredRoute>,
    ) -> Self {
        Router {
            cfg,
            prefix,
            seen,
            resources: Vec::new(),
            scopes: Vec::new(),
            last: None,
        }
    }

    /// Who may call the route registered just before.
    pub(crate) fn allow(&mut self, access: Access) -> &mut Self {
        let Some((seen, resource, method)) = self.last else {
            panic!("allow() must follow the route it decides for");
        };
        self.seen[seen].access = Some(access);
        self.resources[resource].methods[method].1 = Some(access);
        self
    }

    /// Records `action` in the audit log each time the route registered just before
    /// succeeds (`person.erase`); the target is named by the path's `{id}` or `{alias}`.
    pub(crate) fn audit(&mut self, action: &'static str) -> &mut Self {
        let Some((_, resource, method)) = self.last else {
            panic!("audit() must follow the route it audits");
        };
        self.resources[resource].methods[method].2 = Some(action);
        self
    }

    /// `method path` answered by `handler`.
    pub(crate) fn route<F, Args>(&mut self, method: Method, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.seen.push(RegisteredRoute {
            method: method.as_str().to_ascii_lowercase(),
            path: format!("{}{path}", self.prefix),
            access: None,
        });
        let route = web::method(method.clone()).to(handler);
        let resource = match self.resources.iter().position(|r| r.path == path) {
            Some(at) => at,
            None => {
                self.resources.push(PendingResource {
                    path: path.to_owned(),
                    methods: Vec::new(),
                    routes: Vec::new(),
                });
                self.resources.len() - 1
            }
        };
        let pending = &mut self.resources[resource];
        pending.methods.push((method, None, None));
        pending.routes.push(route);
        self.last = Some((self.seen.len() - 1, resource, pending.methods.len() - 1));
        self
    }

    pub(crate) fn get<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::GET, path, handler)
    }

    pub(crate) fn post<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::POST, path, handler)
    }

    pub(crate) fn put<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::PUT, path, handler)
    }

    pub(crate) fn patch<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::PATCH, path, handler)
    }

    pub(crate) fn delete<F, Args>(&mut self, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.route(Method::DELETE, path, handler)
    }

    /// A scope at `path` whose routes `build` registers; `wrap` adds its middleware.
    pub(crate) fn scope<S>(
        &mut self,
        path: &'static str,
        wrap: impl FnOnce(actix_web::Scope) -> S + 'a,
        build: impl FnOnce(&mut Router<'_>),
    ) -> &mut Self
    where
        S: HttpServiceFactory + 'static,
    {
        self.last = None;
        let prefix = format!("{}{path}", self.prefix);
        let seen = &mut *self.seen;
        let scope = web::scope(path).configure(|cfg| build(&mut Router::under(cfg, prefix, seen)));
        self.scopes
            .push(Box::new(move |cfg: &mut web::ServiceConfig| {
                cfg.service(wrap(scope));
            }));
        self
    }

    /// What answers a request no path of this scope matched (not a route of its own).
    pub(crate) fn otherwise<F, Args>(&mut self, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.cfg.default_service(web::to(handler));
        self
    }

    /// Data the handlers of this scope extract.
    pub(crate) fn app_data<U: 'static>(&mut self, data: U) -> &mut Self {
        self.cfg.app_data(data);
        self
    }
}

impl Drop for Router<'_> {
    fn drop(&mut self) {
        let mut resources = std::mem::take(&mut self.resources);
        // Stable: paths with fewer parameters first, otherwise in the order given.
        resources.sort_by_key(|r| r.path.matches('{').count());
        for pending in resources {
            let methods: Vec<Method> = pending.methods.iter().map(|(m, ..)| m.clone()).collect();
            let allow = allow_header(&methods);
            let mut resource = web::resource(pending.path.as_str());
            for route in pending.routes {
                resource = resource.route(route);
            }
            let resource = resource.default_service(web::to(move || async move {
                Err::<HttpResponse, _>(ApiError::MethodNotAllowed { allow })
            }));
            // Public resources (the form endpoint) skip the guard: nothing to decide.
            if pending
                .methods
                .iter()
                .all(|(_, access, _)| *access == Some(Access::Public))
            {
                self.cfg.service(resource);
            } else {
                let decisions: access::Decisions = pending.methods.into();
                self.cfg
                    .service(
                        resource.wrap(actix_web::middleware::from_fn(move |req, next| {
                            access::guard(decisions.clone(), req, next)
                        })),
                    );
            }
        }
        for scope in std::mem::take(&mut self.scopes) {
            scope(self.cfg);
        }
    }
}

/// The `Allow` value of a path, kept once per distinct value for the life of the process
/// (the error type holds a `&'static str`; there are a few dozen paths).
fn allow_header(methods: &[Method]) -> &'static str {
    static KNOWN: LazyLock<Mutex<HashMap<String, &'static str>>> = LazyLock::new(Default::default);
    let value = methods
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    let mut known = KNOWN.lock().unwrap_or_else(|e| e.into_inner());
    known
        .entry(value)
        .or_insert_with_key(|value| Box::leak(value.clone().into_boxed_str()))
}
