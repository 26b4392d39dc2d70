// The dashboard's only script (no inline scripts: the pages' CSP forbids them).
// 1. Fills the answer box from the chosen response template.
// 2. Opens the folded action form a quick-action button points at, and the inbox's extra filters on a
//    desktop (on a phone they stay folded under the search box).
// 3. Solves the web chat's anti-robot challenge before the first message of a chat: a number N such that
//    SHA-256("seed:N") starts with `bits` zero bits (web/dashboard/chat.py checks it).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-opens]").forEach(function (link) {
    link.addEventListener("click", function () {
      var target = document.getElementById(link.dataset.opens);
      if (target && target.tagName === "DETAILS") { target.open = true; }
    });
  });
  var printer = document.querySelector("[data-print]");
  if (printer) { printer.addEventListener("click", function () { window.print(); }); }
  var more = document.getElementById("more-filters");
  if (more && window.matchMedia && window.matchMedia("(min-width: 900px)").matches) { more.open = true; }
  var picker = document.getElementById("answer-template");
  var note = document.getElementById("answer-note");
  if (picker && note) {
    picker.addEventListener("change", function () { if (picker.value) { note.value = picker.value; } });
  }
  var form = document.getElementById("chat-form");
  var proof = document.getElementById("chat-proof");
  if (form && proof && form.dataset.seed && window.crypto && window.crypto.subtle) {
    form.addEventListener("submit", function (event) {
      if (proof.value) { return; }
      event.preventDefault();
      var clicked = event.submitter;
      solve(form.dataset.seed, parseInt(form.dataset.bits || "0", 10)).then(function (found) {
        proof.value = String(found);
        if (clicked && clicked.name) {
          var carried = document.createElement("input");
          carried.type = "hidden"; carried.name = clicked.name; carried.value = clicked.value;
          form.appendChild(carried);
        }
        form.submit();
      });
    });
  }
});

function leadingZeroBits(bytes) {
  var bits = 0;
  for (var i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) { bits += 8; continue; }
    for (var mask = 128; mask > 0 && (bytes[i] & mask) === 0; mask >>= 1) { bits += 1; }
    break;
  }
  return bits;
}

async function solve(seed, bits) {
  var encoder = new TextEncoder();
  for (var n = 0; ; n++) {
    var digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(seed + ":" + n)));
    if (leadingZeroBits(digest) >= bits) { return n; }
  }
}
