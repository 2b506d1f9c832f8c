/* 共青城 portal: progressive enhancement only; every page works without this file.
 *
 * Formsets (the class list and the music/art rooms of a return): an "add a row" button under each table that copies
 * the last row with empty inputs, renumbers it and bumps the formset's TOTAL_FORMS. Loaded with `defer`, so the
 * document is parsed when it runs; no inline script is needed (the CSP is script-src 'self').
 */
(function () {
  "use strict";

  var ADD_ROW_LABEL = "添加一行";

  function renumber(element, prefix, index) {
    var pattern = new RegExp("^(" + prefix + "-)\\d+(-)");
    ["name", "id", "for"].forEach(function (attr) {
      var value = element.getAttribute(attr);
      if (value && pattern.test(value)) {
        element.setAttribute(attr, value.replace(pattern, "$1" + index + "$2"));
      }
    });
  }

  function blankRow(template, prefix, index) {
    var row = template.cloneNode(true);
    row.classList.remove("has-error");
    row.querySelectorAll(".errorlist, .field-error").forEach(function (node) {
      node.remove();
    });
    row.querySelectorAll("[name], [id], [for]").forEach(function (node) {
      renumber(node, prefix, index);
    });
    row.querySelectorAll("input").forEach(function (input) {
      if (input.type === "checkbox" || input.type === "radio") {
        input.checked = false;
      } else if (input.type !== "hidden") {
        input.value = "";
      }
      input.removeAttribute("aria-invalid");
    });
    // Selects keep the copied choice (a new class is usually in the same section as the one above).
    return row;
  }

  function enhanceFormset(total) {
    var prefix = total.name.slice(0, -"-TOTAL_FORMS".length);
    var max = document.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    var scope = total.closest("section") || total.parentElement;
    var body = scope && scope.querySelector("table.formset tbody");
    if (!body || !body.rows.length) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn small add-row";
    button.textContent = ADD_ROW_LABEL;
    button.setAttribute("data-formset", prefix);
    button.addEventListener("click", function () {
      var count = parseInt(total.value, 10) || 0;
      if (max && count >= parseInt(max.value, 10)) {
        return;
      }
      var row = blankRow(body.rows[body.rows.length - 1], prefix, count);
      body.appendChild(row);
      total.value = String(count + 1);
      var first = row.querySelector("input:not([type=hidden]):not([type=checkbox]), select");
      if (first) {
        first.focus();
      }
    });
    body.closest("table").insertAdjacentElement("afterend", button);
  }

  document.querySelectorAll('input[name$="-TOTAL_FORMS"]').forEach(enhanceFormset);
})();
