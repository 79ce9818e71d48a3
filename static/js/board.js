// The sprint board without a reload: a card's move form posts with fetch and the board is
// replaced by the one the server answers with (the same page a plain submit would show: the
// card in its new column, or the refusal beside it with the choices kept), its messages read
// out in a live region and focus back on the card. Progressive enhancement: without this
// file every move form is one ordinary submit. The form's own fields carry the CSRF token.
(function () {
  "use strict";

  var live = document.querySelector("[data-board-live]");
  var messages = document.getElementById("board-messages");
  if (!live || !messages || !window.fetch || !window.DOMParser) {
    return;
  }

  function show(doc) {
    messages.textContent = "";
    doc.querySelectorAll("main .flash").forEach(function (flash) {
      var p = document.createElement("p");
      p.className = flash.className;
      p.textContent = flash.textContent.trim();
      messages.appendChild(p);
    });
  }

  function focusCard(id) {
    var card = document.getElementById("m-" + id);
    var link = card && card.querySelector("a");
    if (link) {
      link.focus();
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-card-move]") || !live.contains(form)) {
      return;
    }
    event.preventDefault();
    if (form.classList.contains("is-busy")) {
      return;
    }
    form.classList.add("is-busy");
    var id = form.getAttribute("data-milestone");
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(
        function (response) {
          return response.text().then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var fresh = doc.querySelector("[data-board-live]");
            if (!fresh || (response.status !== 200 && response.status !== 400)) {
              window.location.assign(response.url); // not a board: show the page itself
              return;
            }
            live.replaceWith(document.adoptNode(fresh));
            live = fresh;
            show(doc);
            focusCard(id);
          });
        },
        function () {
          form.classList.remove("is-busy");
          form.submit(); // not sent: the plain way, the page reloads with the server's answer
        }
      );
  });
})();
