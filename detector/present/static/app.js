// detector serve: the page's only script. Server responses carry HTML that the server escaped
// (detector/html.py); messages and numbers go in with textContent.
"use strict";
const $ = (id) => document.getElementById(id);
let spunText = "";
let exerciseStart = null;

async function call(endpoint, payload) {
  const response = await fetch(endpoint, {method: "POST", headers: {"Content-Type": "application/json"},
                                          body: JSON.stringify(payload)});
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || `error ${response.status}`);
  return body;
}

function showError(message) {
  $("error").textContent = message || "";
  $("error").hidden = !message;
}

function setStatus(message) { $("status").textContent = message; }

function showScore(result, where) {
  const verdict = result.verdict === "spun" ? "SPUN" : result.verdict;
  where.textContent = `${result.score.toFixed(3)} (${verdict})`;
}

async function detectAndRepair(text) {
  const scored = await call("/api/score", {text});
  $("gauge").value = scored.score;
  showScore(scored, $("score"));
  $("detect").innerHTML = scored.html;
  $("damage").innerHTML = scored.damage_html;
  const alone = $("no-reference").checked;
  const reference = alone ? null : ($("reference").value.trim() || $("input").value);
  const fixed = await call("/api/repair", {text, reference});
  $("repair").innerHTML = fixed.html;
  $("repair-note").textContent = `${fixed.changes} changes (${fixed.with_reference ? "aligned with the reference" :
    "the detector's suggestions alone"}); score ${fixed.score_before.toFixed(3)} before, ` +
    `${fixed.score_after.toFixed(3)} after. Removed words struck out in red, restored ones in green.`;
  return scored;
}

async function spin() {
  const text = $("input").value;
  if (!text.trim()) { showError("Paste or open a text first."); return; }
  showError("");
  setStatus("working…");
  document.body.dataset.state = "busy";
  try {
    const spun = await call("/api/spin", {text, rate: parseFloat($("rate").value), seed: parseInt($("seed").value, 10) || 0});
    spunText = spun.text;
    $("spun").innerHTML = spun.html;
    $("spun-count").textContent = `${spun.substitutions} substitutions in ${spun.words} words`;
    const scored = await detectAndRepair(spunText);
    $("exercise").value = spunText;
    exerciseStart = scored.score;
    $("exercise-score").textContent = scored.score.toFixed(3);
    $("exercise-move").textContent = "";
    setStatus("");
  } catch (err) {
    showError(err.message);
    setStatus("");
  }
  document.body.dataset.state = "ready";
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

const respin = debounce(() => { if ($("input").value.trim()) spin(); }, 300);

const rescoreExercise = debounce(async () => {
  const text = $("exercise").value;
  if (!text.trim()) return;
  try {
    const scored = await call("/api/score", {text});
    $("exercise-score").textContent = `${scored.score.toFixed(3)} (${scored.verdict})`;
    if (exerciseStart !== null) {
      const move = scored.score - exerciseStart;
      $("exercise-move").textContent = `${move >= 0 ? "+" : ""}${move.toFixed(3)} since the spin`;
    }
    $("gauge").value = scored.score;
    showScore(scored, $("score"));
    $("detect").innerHTML = scored.html;
  } catch (err) { showError(err.message); }
}, 400);

document.addEventListener("DOMContentLoaded", () => {
  document.body.dataset.state = "ready";
  $("spin").addEventListener("click", spin);
  $("rate").addEventListener("input", () => {
    $("rate-value").textContent = `${Math.round(parseFloat($("rate").value) * 100)}%`;
    respin();
  });
  $("seed").addEventListener("change", respin);
  $("exercise").addEventListener("input", rescoreExercise);
  $("file").addEventListener("change", async () => {
    const file = $("file").files[0];
    if (!file) return;
    if (file.size > 1000000) { showError("That file is over the 1 MB limit of this page."); return; }
    $("input").value = await file.text();
    spin();
  });
});
