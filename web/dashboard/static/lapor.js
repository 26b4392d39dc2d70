// One tap copies a complaint's LAPOR! form fields (the textarea stays selectable without JavaScript).
document.querySelectorAll(".lapor-copy-button").forEach(function (button) {
  button.addEventListener("click", function () {
    var field = document.getElementById(button.dataset.target);
    field.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(field.value); } else { document.execCommand("copy"); }
  });
});
