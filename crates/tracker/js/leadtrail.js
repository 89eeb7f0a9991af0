// leadtrail loader: <script type="module" src="https://COLLECTOR/leadtrail.js"></script>
// Sets up window.leadtrail at once, then loads the wasm tracker from next to itself.
// It must never break the page: every failure ends in console.debug, and `ready`
// always resolves.
const w = window;
if (!w.leadtrail) {
  let tracker;
  const call = (name) => () => {
    try {
      return tracker ? tracker[name]() : undefined;
    } catch (e) {
      console.debug("leadtrail:", e);
    }
  };
  const api = (w.leadtrail = {
    attribution: () => call("attribution")() || {},
    // Before the tracker is ready these wait for it, so an early call is not lost.
    optOut: () => api.ready.then(call("optOut")),
    optIn: () => api.ready.then(call("optIn")),
  });
  api.ready = (async () => {
    try {
      const here = import.meta.url;
      // A module script has no document.currentScript: find the tag by its URL.
      const tag =
        [...document.querySelectorAll("script[src]")].find((s) => s.src == here) ||
        document.querySelector('script[src*="leadtrail.js"]');
      const data = (tag && tag.dataset) || {};
      const days = parseInt(data.lookbackDays, 10);
      const glue = await import(new URL("leadtrail_tracker.js", here));
      await glue.default({ module_or_path: new URL("leadtrail_tracker_bg.wasm", here) });
      glue.start(
        data.forms || "form",
        days > 0 ? Math.min(days, 36500) : 0,
        data.respectGpc != null && data.respectGpc != "false",
      );
      tracker = glue;
    } catch (e) {
      console.debug("leadtrail:", e);
    }
  })();
}
