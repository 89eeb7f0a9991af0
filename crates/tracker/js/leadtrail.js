// leadtrail loader: <script type="module" src="https://COLLECTOR/leadtrail.js"></script>
// Reads the page and localStorage, asks the wasm tracker (next to this file) which touches
// this page view carries and what to remember, and adds the touches to the site's forms.
// It must never break the page: every failure ends in console.debug, `ready` always
// resolves, and a form is never stopped.
const w = window;
const d = document;
if (!w.leadtrail) {
  // The storage keys of core's wire.rs (a test in crates/tracker keeps them equal).
  const FIRST = "leadtrail.first";
  const LAST = "leadtrail.last";
  const OPT_OUT = "leadtrail.opt_out";
  // Marks the inputs added here, so that a second submit replaces them.
  const OWN = "data-leadtrail";
  const here = import.meta.url;
  // A module script has no document.currentScript: find the tag by its URL.
  const tag =
    [...d.querySelectorAll("script[src]")].find((s) => s.src == here) ||
    d.querySelector('script[src*="leadtrail.js"]');
  const data = (tag && tag.dataset) || {};
  const days = parseInt(data.lookbackDays, 10);
  const gpc = data.respectGpc != null && data.respectGpc != "false";
  const log = (e) => console.debug("leadtrail:", e);
  // localStorage throws where it is blocked (even on access), full or sandboxed: that
  // costs the memory, never the fields.
  const store = (use) => {
    try {
      return use(w.localStorage);
    } catch (e) {}
  };
  let tracker;
  // The fields every matching form gets now; empty until ready and when opted out.
  let fields = new URLSearchParams();
  const view = () => {
    fields = new URLSearchParams();
    if (
      (gpc && navigator.globalPrivacyControl === true) ||
      store((s) => s.getItem(OPT_OUT)) == "1"
    )
      return;
    const [first, last, query] = tracker
      .pageView(
        location.href,
        d.referrer,
        Date.now(),
        store((s) => s.getItem(FIRST)) || "",
        store((s) => s.getItem(LAST)) || "",
        days > 0 ? Math.min(days, 36500) : 0,
      )
      .split("\n");
    if (first) store((s) => s.setItem(FIRST, first));
    if (last) store((s) => s.setItem(LAST, last));
    fields = new URLSearchParams(query);
  };
  // A selector that is not CSS (`matches` throws) matches nothing.
  const matching = (e) => {
    try {
      return e.target.matches(data.forms || "form");
    } catch (x) {}
  };
  // Capture phase: before any handler of the site, which may read the form or cancel
  // the event; on document, so that forms added later are covered too.
  d.addEventListener(
    "submit",
    (e) => {
      if (matching(e))
        try {
          const form = e.target;
          form.querySelectorAll(`input[${OWN}]`).forEach((i) => i.remove());
          fields.forEach((value, name) => {
            const input = d.createElement("input");
            Object.assign(input, { type: "hidden", name, value }).setAttribute(OWN, "");
            form.append(input);
          });
        } catch (x) {
          log(x);
        }
    },
    true,
  );
  // Fired whenever a form's data set is built: a submission, form.submit() (which fires
  // no submit event) and `new FormData(form)` in a site's fetch code.
  d.addEventListener(
    "formdata",
    (e) => {
      if (matching(e))
        try {
          fields.forEach((value, name) => e.formData.set(name, value));
        } catch (x) {
          log(x);
        }
    },
    true,
  );
  const api = (w.leadtrail = {
    // The fields as a plain object, for sites that post with fetch.
    attribution: () => Object.fromEntries(fields),
    // These wait for the tracker, so that an early call is not undone by its start.
    optOut: () =>
      api.ready.then(() => {
        // Forgetting first frees room for the flag in a full storage.
        store((s) => {
          s.removeItem(FIRST);
          s.removeItem(LAST);
          s.setItem(OPT_OUT, "1");
        });
        fields = new URLSearchParams();
      }),
    optIn: () =>
      api.ready.then(() => {
        store((s) => s.removeItem(OPT_OUT));
        try {
          if (tracker) view();
        } catch (e) {
          log(e);
        }
      }),
  });
  api.ready = (async () => {
    try {
      const glue = await import(new URL("leadtrail_tracker.js", here));
      await glue.default({ module_or_path: new URL("leadtrail_tracker_bg.wasm", here) });
      tracker = glue;
      view();
    } catch (e) {
      log(e);
    }
  })();
}
