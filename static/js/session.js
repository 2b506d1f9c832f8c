/* 共青城 portal: the idle-session warning and the restore of a form posted after the session expired.
 *
 * Idle warning: #session-guard carries the timings as data- attributes (data-idle-seconds: the server ends an idle
 * session after this; data-warn-seconds: the warning shows after this). "继续使用" POSTs to data-keepalive-url, which
 * renews the session; at the idle limit the warning says the session ended and offers to log in again.
 *
 * Restore: after a form posted with an expired session and a new login, the page carries the kept fields as JSON
 * (#restored-form-data, a json_script block, not executed). They are written into the page's form whose fields match
 * best, adding formset rows through portal.js's "add a row" buttons where the kept form had more; nothing is sent
 * until the user presses the page's own save button. Without this file the banner's "恢复提交" form does the job.
 * No inline script anywhere: the CSP is script-src 'self'.
 */
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function idleGuard(guard) {
    var idle = parseInt(guard.getAttribute("data-idle-seconds"), 10);
    var warn = parseInt(guard.getAttribute("data-warn-seconds"), 10);
    if (!(idle > 0) || !(warn > 0) || warn >= idle) {
      return;
    }
    var warnText = guard.querySelector('[data-state="warn"]');
    var expiredText = guard.querySelector('[data-state="expired"]');
    var continueButton = guard.querySelector('[data-action="continue"]');
    var loginLink = guard.querySelector('[data-action="login"]');
    var timers = [];

    function clear() {
      timers.forEach(clearTimeout);
      timers = [];
    }

    function showWarning() {
      warnText.hidden = false;
      expiredText.hidden = true;
      continueButton.hidden = false;
      loginLink.hidden = true;
      guard.hidden = false;
      continueButton.focus();
    }

    function showExpired() {
      clear();
      warnText.hidden = true;
      expiredText.hidden = false;
      continueButton.hidden = true;
      loginLink.hidden = false;
      guard.hidden = false;
    }

    function schedule() {
      clear();
      guard.hidden = true;
      timers.push(setTimeout(showWarning, warn * 1000));
      timers.push(setTimeout(showExpired, idle * 1000));
    }

    continueButton.addEventListener("click", function () {
      continueButton.disabled = true;
      fetch(guard.getAttribute("data-keepalive-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      })
        .then(function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (response.ok && json) {
            schedule();
          } else {
            showExpired();
          }
        })
        .catch(showExpired)
        .then(function () {
          continueButton.disabled = false;
        });
    });
    schedule();
  }

  function fieldsNamed(form, name) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name === name;
    });
  }

  function bestForm(data, exclude) {
    var names = Object.keys(data);
    var best = null;
    var bestScore = 0;
    document.querySelectorAll('form[method="post"], form[method="POST"]').forEach(function (form) {
      if (form === exclude) {
        return;
      }
      var score = names.filter(function (name) {
        return fieldsNamed(form, name).length > 0;
      }).length;
      if (score > bestScore) {
        best = form;
        bestScore = score;
      }
    });
    return best;
  }

  function growFormsets(form, data) {
    Object.keys(data).forEach(function (name) {
      if (!/-TOTAL_FORMS$/.test(name)) {
        return;
      }
      var prefix = name.slice(0, -"-TOTAL_FORMS".length);
      var total = fieldsNamed(form, name)[0];
      var wanted = parseInt(data[name][0], 10) || 0;
      var button = document.querySelector('button.add-row[data-formset="' + prefix + '"]');
      var guard = 0;
      while (total && button && (parseInt(total.value, 10) || 0) < wanted && guard < 500) {
        button.click();
        guard += 1;
      }
    });
  }

  function fill(form, data) {
    growFormsets(form, data);
    Object.keys(data).forEach(function (name) {
      var values = data[name];
      fieldsNamed(form, name).forEach(function (element) {
        var type = (element.type || "").toLowerCase();
        if (type === "submit" || type === "button" || type === "file" || name === "csrfmiddlewaretoken") {
          return;
        }
        if (type === "checkbox" || type === "radio") {
          element.checked = values.indexOf(element.value) !== -1;
        } else if (element.tagName === "SELECT") {
          Array.prototype.forEach.call(element.options, function (option) {
            option.selected = values.indexOf(option.value) !== -1;
          });
        } else {
          element.value = values.length ? values[0] : "";
        }
      });
      // A field that exists only unchecked in the kept data (checkboxes post nothing when off) is left as the page has it.
    });
    form.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
      if (box.name && !Object.prototype.hasOwnProperty.call(data, box.name)) {
        box.checked = false;
      }
    });
  }

  function restore(banner) {
    var source = document.getElementById("restored-form-data");
    if (!source) {
      return;
    }
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (error) {
      return;
    }
    var fallback = banner.querySelector("form.restored-fallback");
    var form = bestForm(data, fallback);
    var main = document.querySelector("main.content");
    if (main && banner.parentElement !== main) {
      main.insertBefore(banner, main.firstChild);
    }
    if (!form) {
      return;
    }
    fill(form, data);
    form.setAttribute("data-restored", "true");
    banner.querySelector('[data-state="filled"]').hidden = false;
    banner.querySelector('[data-state="fallback"]').hidden = true;
    fallback.querySelector('button[type="submit"]').hidden = true;
  }

  var guard = document.getElementById("session-guard");
  if (guard) {
    idleGuard(guard);
  }
  var banner = document.getElementById("restored-form");
  if (banner) {
    restore(banner);
  }
})();
