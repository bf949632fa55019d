/**
 * The status page's only script, served as `/status.js` (the page's Content-Security-Policy allows no
 * inline script, so markup a client managed to smuggle in could not run either). It filters rows as you
 * type (every word must match; `failing` matches failing clients) and refreshes the table every few
 * seconds by fetching the page again and swapping in its server-rendered, server-escaped table.
 * @module
 */

/** Seconds between refreshes. */
export const REFRESH_SECONDS = 5;

export const STATUS_SCRIPT = `"use strict";
(() => {
  const input = document.getElementById("filter");
  const auto = document.getElementById("auto");
  const shown = document.getElementById("shown");
  const words = () => input.value.toLowerCase().split(/\\s+/).filter((word) => word !== "");
  // The rows and their texts, read once per refresh: a DOM lookup per row on every keystroke would not be.
  let rows = [];
  let texts = [];
  const collect = () => {
    rows = Array.from(document.querySelectorAll("#clients .rows > .row"));
    texts = rows.map((row) => row.dataset.s);
  };
  const apply = () => {
    const wanted = words();
    let count = 0;
    for (let i = 0; i < rows.length; i++) {
      const hide = wanted.some((word) => !texts[i].includes(word));
      if (rows[i].hidden !== hide) rows[i].hidden = hide;
      if (!hide) count++;
    }
    shown.textContent = wanted.length === 0 ? "" : count + " of " + rows.length + " shown";
  };
  const remember = () => {
    const url = new URL(location.href);
    if (input.value === "") url.searchParams.delete("q");
    else url.searchParams.set("q", input.value);
    history.replaceState(null, "", url);
  };
  input.addEventListener("input", () => {
    apply();
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
      document.getElementById("live").replaceWith(document.adoptNode(live));
      collect();
      apply();
      document.getElementById("stale").hidden = true;
    } catch (error) {
      const stale = document.getElementById("stale");
      stale.textContent = "Refresh failed (" + error.message + "); showing older data.";
      stale.hidden = false;
    }
  };
  setInterval(refresh, ${REFRESH_SECONDS * 1000});
  collect();
  apply();
})();
`;
