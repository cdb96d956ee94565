// detector serve, the family tab (and the tabs themselves): documents in, POST /api/trace, the trees and
// side-by-side views built as DOM. Every text from the user or the server goes in with textContent
// (or a title attribute), never as HTML.
"use strict";
(() => {
  const byId = (id) => document.getElementById(id);
  const MAX_DOCUMENTS = 50;
  const MAX_BYTES = 1000000;
  let counter = 0;

  // ----- tabs ------------------------------------------------------------------------------------------
  function showTab(name) {
    for (const tab of ["spin", "family", "check"]) {
      byId(`tab-${tab}`).hidden = tab !== name;
      byId(`tab-${tab}-button`).setAttribute("aria-selected", String(tab === name));
    }
    history.replaceState(null, "", name === "spin" ? location.pathname : `#${name}`);
  }

  // ----- building DOM ------------------------------------------------------------------------------------
  function el(tag, options = {}, ...children) {
    const node = document.createElement(tag);
    if (options.className) node.className = options.className;
    if (options.title) node.title = options.title;
    if (options.text !== undefined) node.textContent = options.text;
    for (const child of children) node.append(child);  // strings become text nodes
    return node;
  }

  function value(v) {
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(2);
    if (Array.isArray(v)) return v.map((x) => Array.isArray(x) ? x.map(String).join(" → ") : value(x)).join(", ");
    if (v && typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  const KIND_NOTES = {
    "duplicate": "the same text, up to formatting",
    "spun-copy": "aligned word by word, with words swapped for 'synonyms'",
    "rewrite": "sentences restructured, the facts shared in order",
    "summary": "shorter, its facts a subset of the source's",
    "translation": "machine-translation damage, or an interleaved copy in another language",
    "same-story": "an independent text about the same event (not derived)",
  };

  function edgeLine(edge) {
    const kind = String(edge.kind);
    const summary = (edge.evidence && edge.evidence.summary) || "";
    return [el("span", {className: `kind ${kind}`, title: KIND_NOTES[kind] || kind, text: kind}),
            ` ${Number(edge.score).toFixed(2)} — ${summary}`];
  }

  function linkToEdge(index) {
    const link = el("a", {text: "side by side"});
    link.href = `#family-edge-${index}`;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const details = byId(`family-edge-${index}`);
      details.open = true;
      details.scrollIntoView({block: "start"});
    });
    return link;
  }

  function treeNode(node, edges) {
    const item = el("li", {}, el("b", {text: node.id}));
    if (node.edge !== null) item.append(" ", ...edgeLine(edges[node.edge]), " ", linkToEdge(node.edge));
    if (node.children.length) item.append(el("ul", {}, ...node.children.map((kid) => treeNode(kid, edges))));
    return item;
  }

  function evidenceTable(evidence) {
    const hidden = ["summary", "swaps", "swap_count"];  // shown otherwise: the summary line, the swaps table
    const empty = (v) => v === null || v === "" || (Array.isArray(v) && !v.length);
    const rows = Object.entries(evidence || {}).filter(([key, v]) => !hidden.includes(key) && !empty(v))
      .map(([key, v]) => el("tr", {}, el("th", {text: key.replace(/_/g, " ")}), el("td", {text: value(v)})));
    return rows.length ? el("table", {className: "evidence"}, ...rows) : "";
  }

  function swapsTable(swaps, count) {
    const rows = swaps.filter((pair) => Array.isArray(pair) && pair.length >= 2)
      .map((pair) => el("tr", {}, el("td", {text: String(pair[0])}), el("td", {text: String(pair[1])})));
    if (!rows.length) return "";
    const shown = Number.isInteger(count) && count > swaps.length ? `${swaps.length} of ${count}` : `${swaps.length}`;
    return el("div", {}, el("h4", {text: `Swaps (${shown})`}),
              el("div", {className: "swaps"}, el("table", {},
                 el("thead", {}, el("tr", {}, el("th", {text: "in the copy (spun)"}),
                                    el("th", {text: "in the source (original)"}))),
                 el("tbody", {}, ...rows))));
  }

  function segments(list, side) {
    return list.flatMap(([tag, text, other]) => {
      const core = text.trim();  // the mark covers the words, not the spaces around them
      if (!core || !["changed", "source-only", "derived-only"].includes(tag)) return [text];
      const lead = text.slice(0, text.length - text.trimStart().length);
      const trail = text.slice(text.trimEnd().length);
      const marked = tag === "changed"
        ? el("mark", {className: "chg", title: (side === "source" ? "became: " : "was: ") +
                      (other.trim().slice(0, 200) || "(nothing)"), text: core})
        : el("span", {className: "only", title: tag === "source-only" ? "only in the source" :
                      "only in the derived text", text: core});
      return [lead, marked, trail];
    });
  }

  function sideBySide(edge) {
    const rows = edge.rows.map((row) => el("tr", {}, el("td", {}, ...segments(row.source, "source")),
                                            el("td", {}, ...segments(row.derived, "derived"))));
    return el("table", {className: "sbs"},
              el("thead", {}, el("tr", {}, el("th", {text: `source: ${edge.source}`}),
                                 el("th", {text: `derived: ${edge.derived}`}))),
              el("tbody", {}, ...rows));
  }

  function showResult(result) {
    const view = result.view;
    const edges = result.edges;
    const trees = byId("family-trees");
    trees.replaceChildren();
    if (!view.families.length) trees.append(el("p", {className: "muted", text: "No document derives from another."}));
    for (const family of view.families) {
      trees.append(el("h3", {text: `Family of ${family.root}`}), el("ul", {className: "tree"}, treeNode(family.tree, edges)));
      if (family.other.length) {
        trees.append(el("p", {className: "muted", text: "Also derived within this family:"}),
                     el("ul", {}, ...family.other.map((i) => el("li", {}, `${edges[i].source} → ${edges[i].derived}: `,
                                                                 ...edgeLine(edges[i]), " ", linkToEdge(i)))));
      }
    }
    const same = byId("family-same");
    same.replaceChildren();
    if (view.same_story.length) {
      same.append(el("h3", {text: "Same story, not derived"}),
                  el("p", {className: "muted", text: "Independent texts about the same event: shared names and " +
                                                     "numbers, no shared wording."}),
                  el("ul", {}, ...view.same_story.map((i) => {
                    const relation = result.relations[i];
                    return el("li", {}, el("b", {text: relation.source}), " and ", el("b", {text: relation.derived}),
                              ": ", ...edgeLine(relation), evidenceTable(relation.evidence));
                  })));
    }
    const unrelated = byId("family-unrelated");
    unrelated.replaceChildren();
    if (view.unrelated.length) {
      unrelated.append(el("h3", {text: "Unrelated"}),
                       el("p", {className: "muted", text: "Related to no other document given."}),
                       el("ul", {}, ...view.unrelated.map((id) => el("li", {text: id}))));
    }
    const documents = byId("family-documents");
    documents.replaceChildren(el("h3", {text: "Documents"}), el("table", {},
      el("thead", {}, el("tr", {}, ...["id", "words", "spun score", "notes"].map((h) => el("th", {text: h})))),
      el("tbody", {}, ...result.documents.map((d) => el("tr", {}, el("td", {text: String(d.id)}),
        el("td", {className: "n", text: String(d.words)}),
        el("td", {className: "n", text: typeof d.spun_score === "number" ? d.spun_score.toFixed(2) : ""}),
        el("td", {text: (d.notes || []).join("; ")}))))));
    const list = byId("family-edges");
    list.replaceChildren();
    if (!edges.length) list.append(el("p", {className: "muted", text: "No edges."}));
    edges.forEach((edge, i) => {
      const facts = el("div", {className: "facts"}, evidenceTable(edge.evidence));
      if (edge.kind === "spun-copy" && edge.evidence && Array.isArray(edge.evidence.swaps)) {
        facts.append(swapsTable(edge.evidence.swaps, edge.evidence.swap_count));
      }
      const details = el("details", {className: "edge"},
                         el("summary", {}, `${edge.source} → ${edge.derived}: `, ...edgeLine(edge)),
                         facts, sideBySide(edge));
      details.id = `family-edge-${i}`;
      list.append(details);
    });
    byId("family-result").hidden = false;
  }

  // ----- the documents ---------------------------------------------------------------------------------
  function boxes() { return Array.from(document.querySelectorAll("#family-docs .family-doc")); }

  function addBox(name, text) {
    if (boxes().length >= MAX_DOCUMENTS) {
      showError(`This page traces at most ${MAX_DOCUMENTS} documents at a time.`);
      return null;
    }
    counter += 1;
    const nameInput = el("input", {className: "family-name"});
    nameInput.type = "text";
    nameInput.value = name || `text ${counter}`;
    nameInput.setAttribute("aria-label", "document name");
    const area = el("textarea", {className: "family-text"});
    area.value = text || "";
    area.placeholder = "Paste a document here…";
    area.setAttribute("aria-label", "document text");
    const remove = el("button", {className: "family-remove", text: "Remove"});
    remove.type = "button";
    const box = el("div", {className: "family-doc"}, nameInput, area, remove);
    remove.addEventListener("click", () => box.remove());
    byId("family-docs").append(box);
    return box;
  }

  async function loadSeeds() {
    try {
      const response = await fetch("/api/seeds");
      const body = await response.json();
      const names = new Set(boxes().map((box) => box.querySelector(".family-name").value.trim()));
      for (const seed of body.seeds || []) if (!names.has(seed.id)) addBox(seed.id, seed.text);
      if (!(body.seeds || []).length && !boxes().length) { addBox(); addBox(); }
    } catch (err) { showError(err.message); }
  }

  async function openFiles() {
    for (const file of Array.from(byId("family-files").files)) {
      if (file.size > MAX_BYTES) { showError(`${file.name} is over the 1 MB limit of this page.`); continue; }
      addBox(file.name, await file.text());
    }
    byId("family-files").value = "";
  }

  function showError(message) {
    byId("family-error").textContent = message || "";
    byId("family-error").hidden = !message;
  }

  async function trace() {
    const documents = boxes().map((box) => ({id: box.querySelector(".family-name").value.trim(),
                                             text: box.querySelector(".family-text").value}));
    if (documents.length < 2) { showError("Paste or open at least two documents to trace."); return; }
    showError("");
    byId("family-status").textContent = "tracing…";
    document.body.dataset.family = "busy";
    try {
      const response = await fetch("/api/trace", {method: "POST", headers: {"Content-Type": "application/json"},
                                                   body: JSON.stringify({documents})});
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || `error ${response.status}`);
      showResult(body);
      byId("family-status").textContent = `${body.documents.length} documents, ${body.edges.length} edges`;
    } catch (err) {
      showError(err.message);
      byId("family-status").textContent = "";
    }
    document.body.dataset.family = "ready";
  }

  document.addEventListener("DOMContentLoaded", () => {
    byId("tab-spin-button").addEventListener("click", () => showTab("spin"));
    byId("tab-family-button").addEventListener("click", () => showTab("family"));
    byId("tab-check-button").addEventListener("click", () => showTab("check"));
    const fromHash = () => ({"#family": "family", "#check": "check"})[location.hash] || "spin";
    if (location.hash === "#family" || location.hash === "#check") showTab(fromHash());
    window.addEventListener("hashchange", () => showTab(fromHash()));
    byId("family-add").addEventListener("click", () => addBox());
    byId("family-clear").addEventListener("click", () => { byId("family-docs").replaceChildren(); showError(""); });
    byId("family-seeds").addEventListener("click", loadSeeds);
    byId("family-files").addEventListener("change", openFiles);
    byId("family-trace").addEventListener("click", trace);
    loadSeeds().then(() => { document.body.dataset.family = "ready"; });
  });
})();
