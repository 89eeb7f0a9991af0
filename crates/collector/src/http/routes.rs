//! Route registration that writes down what it registers: every handler reaches the App
//! through a [`Router`], which notes its method and full path. [`super::registered_routes`]
//! runs the same configuration the server runs and returns that list, so the test that
//! holds it against the OpenAPI document sees exactly what is served.

use actix_web::dev::HttpServiceFactory;
use actix_web::http::Method;
use actix_web::{web, FromRequest, Handler, Responder};

/// One registered route: its method and its full path (scope prefixes included), in
/// actix's pattern syntax (`/api/v1/persons/{id}`), which is also OpenAPI's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RegisteredRoute {
    pub(crate) method: String,
    pub(crate) path: String,
}

/// Registers routes on a service config (the App's or a scope's) and notes each one.
pub(crate) struct Router<'a> {
    cfg: &'a mut web::ServiceConfig,
    prefix: String,
    seen: &'a mut Vec<RegisteredRoute>,
}

fn note(seen: &mut Vec<RegisteredRoute>, method: &Method, path: String) {
    seen.push(RegisteredRoute {
        method: method.as_str().to_ascii_lowercase(),
        path,
    });
}

impl<'a> Router<'a> {
    pub(crate) fn new(cfg: &'a mut web::ServiceConfig, seen: &'a mut Vec<RegisteredRoute>) -> Self {
        Router {
            cfg,
            prefix: String::new(),
            seen,
        }
    }

    /// `method path` answered by `handler`.
    pub(crate) fn route<F, Args>(&mut self, method: Method, path: &str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        note(self.seen, &method, format!("{}{path}", self.prefix));
        self.cfg.route(path, web::method(method).to(handler));
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

    /// One path with a handler per method, and `build`'s `otherwise` for the other
    /// methods (a 405 that names the allowed ones).
    pub(crate) fn resource(
        &mut self,
        path: &str,
        build: impl FnOnce(&mut Resource<'_>),
    ) -> &mut Self {
        let mut resource = Resource {
            resource: Some(web::resource(path)),
            path: format!("{}{path}", self.prefix),
            seen: self.seen,
        };
        build(&mut resource);
        if let Some(resource) = resource.resource {
            self.cfg.service(resource);
        }
        self
    }

    /// A scope at `path` whose routes `build` registers; `wrap` adds its middleware.
    pub(crate) fn scope<S>(
        &mut self,
        path: &str,
        wrap: impl FnOnce(actix_web::Scope) -> S,
        build: impl FnOnce(&mut Router<'_>),
    ) -> &mut Self
    where
        S: HttpServiceFactory + 'static,
    {
        let prefix = format!("{}{path}", self.prefix);
        let seen = &mut *self.seen;
        let scope = web::scope(path).configure(|cfg| build(&mut Router { cfg, prefix, seen }));
        self.cfg.service(wrap(scope));
        self
    }

    /// What answers a request no route of this scope matched (not a route of its own).
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

/// The methods of one path, built by [`Router::resource`].
pub(crate) struct Resource<'r> {
    resource: Option<actix_web::Resource>,
    path: String,
    seen: &'r mut Vec<RegisteredRoute>,
}

impl Resource<'_> {
    pub(crate) fn route<F, Args>(&mut self, method: Method, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        note(self.seen, &method, self.path.clone());
        self.resource = self
            .resource
            .take()
            .map(|r| r.route(web::method(method).to(handler)));
        self
    }

    /// The answer to every other method of this path (not a route of its own).
    pub(crate) fn otherwise<F, Args>(&mut self, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.resource = self
            .resource
            .take()
            .map(|r| r.default_service(web::to(handler)));
        self
    }
}
