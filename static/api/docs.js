// Starts Swagger UI on /api/docs/ from a static file, so the Content Security Policy needs no inline script.
// "Try it out" uses the browser's session; writes carry the CSRF token from the csrftoken cookie.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  window.SwaggerUIBundle({
    url: node.getAttribute("data-schema-url"),
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIStandalonePreset],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      var method = (request.method || "GET").toUpperCase();
      if (method !== "GET" && method !== "HEAD" && method !== "OPTIONS") {
        request.headers["X-CSRFToken"] = csrfToken();
      }
      return request;
    }
  });
})();
