// The API reference: Swagger UI reading the collector's own OpenAPI document.
// No validator (it would send the document to another site). "Try it out" calls go with the
// session of whoever signed in at /login, or with a token typed into "Authorize" (kept for
// this page only, not across reloads).
/* global SwaggerUIBundle */
const target = document.getElementById('api-reference');
if (typeof SwaggerUIBundle !== 'function') {
  target.textContent = 'The API viewer is missing: run `cargo xtask run`, which copies it from node_modules.';
} else {
  SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    domNode: target,
    deepLinking: true,
    validatorUrl: null,
    persistAuthorization: false,
    defaultModelsExpandDepth: 0,
  });
}
