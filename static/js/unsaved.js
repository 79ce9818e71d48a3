// Asks before leaving a page whose form holds typing not yet saved. Progressive enhancement:
// the forms work without it. A form opts in with the data-unsaved-warning attribute; it is dirty
// when a field differs from what the page was served with, or when the page shows the form
// refused (its errors mean the typing on it was not saved). Submitting the form clears it.
(function () {
  "use strict";

  var dirty = new Set();

  function selectChanged(select) {
    var options = Array.prototype.slice.call(select.options);
    var anyDefault = options.some(function (o) { return o.defaultSelected; });
    return options.some(function (o, i) {
      // A single select with no option marked selected starts on its first option.
      var initially = anyDefault || select.multiple ? o.defaultSelected : i === 0;
      return o.selected !== initially;
    });
  }

  function fieldChanged(el) {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button") {
      return false;
    }
    if (el.type === "checkbox" || el.type === "radio") {
      return el.checked !== el.defaultChecked;
    }
    if (el.tagName === "SELECT") {
      return selectChanged(el);
    }
    return "defaultValue" in el && el.value !== el.defaultValue;
  }

  function refused(form) {
    return form.querySelector("[aria-invalid='true'], .field-error") !== null;
  }

  function check(form) {
    var changed = Array.prototype.some.call(form.elements, fieldChanged);
    if (changed || refused(form)) {
      dirty.add(form);
    } else {
      dirty.delete(form);
    }
  }

  function watch(form) {
    var update = function () { check(form); };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function () { dirty.delete(form); });
    if (refused(form)) {
      dirty.add(form);
    }
  }

  document.querySelectorAll("form[data-unsaved-warning]").forEach(watch);

  window.addEventListener("beforeunload", function (event) {
    if (dirty.size === 0) {
      return undefined;
    }
    event.preventDefault();
    event.returnValue = "";  // older browsers show the prompt only when this is set
    return "";
  });
})();
