// Fills the answer box from the chosen response template (the only script on the dashboard).
document.addEventListener("DOMContentLoaded", function () {
  var picker = document.getElementById("answer-template");
  var note = document.getElementById("answer-note");
  if (picker && note) {
    picker.addEventListener("change", function () { if (picker.value) { note.value = picker.value; } });
  }
});
