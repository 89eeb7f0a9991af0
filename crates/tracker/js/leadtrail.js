// leadtrail loader: <script type="module" src="https://COLLECTOR/leadtrail.js"></script>
// Starts the WebAssembly tracker next to this file, which does the page's work, and sets
// window.leadtrail at once so that a site may call it before the tracker is ready. It must
// never break the page: a failure ends in console.debug (console.warn for a policy the site
// can fix), `ready` always resolves, and a form is never stopped.
const w = window;
if (!w.leadtrail) {
  // Read now: a single-page app's router may rewrite the URL (and drop the campaign's
  // query) before the tracker has loaded.
  const url = new URL(location.href);
  const referrer = document.referrer;
  const here = import.meta.url;
  // A link from another of the site's domains carries the journey there (signed by the
  // collector): it is taken off the address bar, so that a copied or bookmarked URL does
  // not hand it on, and off the landing page.
  const link = url.searchParams.get("lt_link");
  if (link) {
    url.searchParams.delete("lt_link");
    try {
      history.replaceState(history.state, "", url);
    } catch {}
  }
  const href = url.href;
  // Posts text to the collector; any failure is an empty answer.
  const post = (path, body) =>
    fetch(new URL(path, here), { method: "POST", body })
      .then((r) => r.json())
      .catch(() => ({}));
  // Asked while the module loads; only a link this collector signed, in its ten minutes,
  // gives a journey.
  const adopted = link ? post("t/adopt", link) : {};
  let tracker;
  // These wait for the tracker, so that an early call is not undone by its start.
  const later = (name) => (root) => api.ready.then(() => tracker && tracker[name](root));
  const api = (w.leadtrail = {
    attribution: () => (tracker ? tracker.attribution() : {}),
    optOut: later("optOut"),
    optIn: later("optIn"),
    observe: later("observe"),
  });
  api.ready = (async () => {
    try {
      // Fetched while the glue loads; the no-op catch keeps a failed download from being
      // reported as unhandled when the glue fails first.
      const wasm = fetch(new URL("leadtrail_tracker_bg.wasm", here));
      wasm.catch(() => {});
      const glue = await import(new URL("leadtrail_tracker.js", here));
      await glue.default({ module_or_path: wasm });
      if (glue.start(href, referrer, here, (await adopted).journey || "")) {
        // The tag names other domains: their links get the journey, signed now and
        // every five minutes while the page is seen (a token holds for ten).
        const sign = () => {
          const journey = glue.attribution().lt_journey;
          if (journey) post("t/link", journey).then((o) => glue.link(o.token || ""));
        };
        sign();
        setInterval(() => document.hidden || sign(), 3e5);
      }
      tracker = glue;
    } catch (e) {
      // A Content-Security-Policy without 'wasm-unsafe-eval' stops WebAssembly from
      // compiling: only the site can fix that, so it is told.
      if (/Content.Security.Policy|CSP|unsafe-eval/i.test(e))
        console.warn(
          "leadtrail: the page's Content-Security-Policy blocks WebAssembly; add 'wasm-unsafe-eval' to its script-src directive",
        );
      else console.debug("leadtrail:", e);
    }
  })();
}
