// Buttons marked data-print print the page (the guide has print styles).
(function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
