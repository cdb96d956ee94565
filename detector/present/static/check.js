// detector serve, the check tab: a pasted text or a dropped .txt/.pdf, checked as it is (POST /api/check).
// Server responses carry HTML that the server escaped (detector/present/html.py); messages and numbers go
// in with textContent.
"use strict";
(() => {
  const byId = (id) => document.getElementById(id);
  const MAX_TEXT = 1000000;
  const MAX_PDF = 10000000;
  let pdf = null;  // {name, data (base64)} of a dropped or opened PDF, until the text box is edited

  function showError(message) {
    byId("check-error").textContent = message || "";
    byId("check-error").hidden = !message;
  }

  function toBase64(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }

  async function take(file) {
    showError("");
    if (file.name.toLowerCase().endsWith(".pdf") || file.type === "application/pdf") {
      if (file.size > MAX_PDF) { showError("That PDF is over the 10 MB limit of this page."); return; }
      pdf = {name: file.name, data: toBase64(await file.arrayBuffer())};
      byId("check-input").value = "";
      byId("check-input").placeholder = `${file.name}: a PDF, read when you press Check`;
    } else {
      if (file.size > MAX_TEXT) { showError("That file is over the 1 MB limit of this page."); return; }
      pdf = null;
      byId("check-input").value = await file.text();
    }
    check();
  }

  async function check() {
    const text = byId("check-input").value;
    if (!pdf && !text.trim()) { showError("Paste a text, or open or drop a .txt or .pdf file first."); return; }
    showError("");
    byId("check-status").textContent = "working…";
    document.body.dataset.check = "busy";
    try {
      const payload = pdf ? {pdf: pdf.data, name: pdf.name} : {text};
      const response = await fetch("/api/check", {method: "POST", headers: {"Content-Type": "application/json"},
                                                  body: JSON.stringify(payload)});
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || `error ${response.status}`);
      byId("check-result").hidden = false;
      byId("check-gauge").value = body.score;
      const paper = body.paper ? `, a paper of ${body.paper.pages} pages (${body.paper.body_words} words of body)` : "";
      byId("check-score").textContent = `${body.score.toFixed(3)} (${body.verdict})${paper}`;
      byId("check-tortured").innerHTML = body.tortured_html;
      byId("check-detect").innerHTML = body.html;
      byId("check-damage").innerHTML = body.damage_html;
      byId("check-repair").innerHTML = body.repaired_html;
      byId("check-changes").textContent = `${body.changes} changes`;
      byId("check-repaired").value = body.repaired;
      byId("check-status").textContent = "";
    } catch (err) {
      showError(err.message);
      byId("check-status").textContent = "";
    }
    document.body.dataset.check = "ready";
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.body.dataset.check = "ready";
    byId("check-run").addEventListener("click", check);
    byId("check-input").addEventListener("input", () => { pdf = null; byId("check-input").placeholder = ""; });
    byId("check-file").addEventListener("change", () => { if (byId("check-file").files[0]) take(byId("check-file").files[0]); });
    const zone = byId("check-drop");
    zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      if (event.dataTransfer.files[0]) take(event.dataTransfer.files[0]);
    });
  });
})();
