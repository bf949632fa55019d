/**
 * The status page's only script, served as `/status.js` (the page's Content-Security-Policy allows no
 * inline script, so markup a client managed to smuggle in could not run either). It never builds markup
 * of its own: every row it shows is one the proxy rendered and escaped.
 *
 * - It keeps every client's row as markup, the page's first rows and the ones that came as text (see
 *   renderStatusPage), and shows the rows that pass the filter, {@link ROW_BATCH} at a time: more are
 *   added when the end of the list comes near the screen, so ten thousand clients cost the browser a
 *   screenful of elements at first, not all of them.
 * - The filter matches every word typed against the host, its labels, its version and, for clients whose
 *   last scrape failed, "failing".
 * - Every few seconds it fetches the page again and swaps in the new data, keeping the filter and as many
 *   rows as were shown.
 * @module
 */

/** Seconds between refreshes. */
export const REFRESH_SECONDS = 5;

/** Rows added to the page at a time. */
export const ROW_BATCH = 200;

export const STATUS_SCRIPT = `"use strict";
(() => {
  const input = document.getElementById("filter");
  const auto = document.getElementById("auto");
  const shown = document.getElementById("shown");
  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  // Rows' search texts are attribute values, escaped: the words typed are escaped alike to compare.
  const words = () =>
    input.value.toLowerCase().replace(/[&<>"']/g, (c) => ESCAPES[c]).split(/\\s+/).filter((w) => w !== "");
  let list = null;
  let more = null;
  let rows = [];
  let texts = [];
  let matches = [];
  let rendered = 0;

  const collect = () => {
    nearEnd.disconnect();
    list = document.querySelector("#clients .rows");
    more = document.getElementById("more");
    rows = Array.from(list.children, (row) => row.outerHTML);
    const later = document.getElementById("more-rows");
    if (later !== null) for (const line of later.textContent.split("\\n")) if (line !== "") rows.push(line);
    texts = rows.map((row) => {
      const start = row.indexOf('data-s="') + 8;
      return row.slice(start, row.indexOf('"', start));
    });
  };

  const showMore = (count) => {
    const next = matches.slice(rendered, rendered + count);
    list.insertAdjacentHTML("beforeend", next.map((i) => rows[i]).join(""));
    rendered += next.length;
    more.textContent = rendered < matches.length
      ? "Showing " + rendered + " of " + matches.length + "; scroll for more."
      : "";
    // Observing again reports at once whether the end of the list is still near the screen.
    nearEnd.unobserve(more);
    if (rendered < matches.length) nearEnd.observe(more);
  };
  const nearEnd = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) showMore(${ROW_BATCH});
  }, { rootMargin: "0px 0px 1000px 0px" });

  const apply = (keep) => {
    const wanted = words();
    matches = [];
    for (let i = 0; i < rows.length; i++) {
      if (wanted.every((word) => texts[i].includes(word))) matches.push(i);
    }
    const count = Math.max(${ROW_BATCH}, keep);
    list.textContent = "";
    rendered = 0;
    showMore(count);
    shown.textContent = wanted.length === 0 ? "" : matches.length + " of " + rows.length + " shown";
  };
  const remember = () => {
    const url = new URL(location.href);
    if (input.value === "") url.searchParams.delete("q");
    else url.searchParams.set("q", input.value);
    history.replaceState(null, "", url);
  };
  input.addEventListener("input", () => {
    apply(0);
    remember();
  });
  const refresh = async () => {
    if (!auto.checked || document.hidden) return;
    try {
      const url = new URL(location.href);
      url.searchParams.delete("q");
      const response = await fetch(url, { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const live = page.getElementById("live");
      if (live === null) throw new Error("no status in the answer");
      const keep = rendered;
      document.getElementById("live").replaceWith(document.adoptNode(live));
      collect();
      apply(keep);
      document.getElementById("stale").hidden = true;
    } catch (error) {
      const stale = document.getElementById("stale");
      stale.textContent = "Refresh failed (" + error.message + "); showing older data.";
      stale.hidden = false;
    }
  };
  setInterval(refresh, ${REFRESH_SECONDS * 1000});
  collect();
  apply(0);
})();
`;
