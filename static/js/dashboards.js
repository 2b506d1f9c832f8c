/* 共青城 portal dashboards: draws every chart from the data the page carries in <script type="application/json">
 * (Django's json_script), with Apache ECharts served from static/vendor (no CDN, no inline script: the CSP stays
 * script-src 'self'). Every chart's numbers are also in the table under it, so nothing is lost without this file.
 * Also: full-screen mode for a projector (Fullscreen API plus the `is-fullscreen` class), and selects that submit
 * their form when changed.
 */
(function () {
  "use strict";

  var COLORS = { met: "#1d7a3a", close: "#c98a00", "not-met": "#b3261e", "no-data": "#9aa5b1" };
  var PALETTE = ["#0b5c8a", "#c98a00", "#1d7a3a", "#8a3ffc", "#b3261e", "#12a1a1", "#6b4f2a", "#e8590c"];
  var charts = [];

  function readData(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function formatValue(value, percent) {
    if (value === null || value === undefined) {
      return "—";
    }
    var text = Math.abs(value) >= 100 ? String(Math.round(value * 10) / 10) : String(Math.round(value * 1000) / 1000);
    return percent ? text + "%" : text;
  }

  function sameState(states) {
    if (!states || !states.length) {
      return null;
    }
    for (var i = 1; i < states.length; i++) {
      if (states[i] !== states[0]) {
        return null;
      }
    }
    return states[0];
  }

  function buildSeries(d) {
    var line = d.kind === "line";
    var horizontal = d.kind === "hbar";
    return d.series.map(function (s) {
      var uniform = sameState(s.states);
      var series = {
        name: s.name,
        type: s.kind || (line ? "line" : "bar"),
        connectNulls: true,
        data: s.data.map(function (value, j) {
          if (!uniform && s.states && s.states[j] && value !== null) {
            return { value: value, itemStyle: { color: COLORS[s.states[j]] } };
          }
          return value;
        })
      };
      if (uniform) {
        series.itemStyle = { color: COLORS[uniform] };
      }
      if (s.stack) {
        series.stack = s.stack;
      }
      if (s.dashed) {
        series.lineStyle = { type: "dashed", width: 1.5 };
        series.symbol = "none";
      }
      if (!line) {
        series.label = {
          show: true,
          position: s.stack ? "inside" : horizontal ? "right" : "top",
          formatter: function (p) {
            var v = typeof p.value === "object" && p.value !== null ? p.value.value : p.value;
            return s.stack && !v ? "" : formatValue(v, d.percent);
          }
        };
        series.barMaxWidth = 48;
      }
      return series;
    });
  }

  function buildOption(d) {
    var horizontal = d.kind === "hbar";
    var series = buildSeries(d);
    var limitMax = 0;
    if (d.limits.length && series.length) {
      series[0].markLine = {
        symbol: "none",
        silent: true,
        lineStyle: { color: COLORS["not-met"], type: "dashed", width: 2 },
        label: { formatter: "{b} {c}", position: "insideEndTop" },
        data: d.limits.map(function (l) {
          limitMax = Math.max(limitMax, l.value || 0);
          var point = { name: l.name };
          point[horizontal ? "xAxis" : "yAxis"] = l.value;
          return point;
        })
      };
    }
    var categoryAxis = {
      type: "category",
      data: d.categories,
      axisLabel: { hideOverlap: true },
      inverse: horizontal
    };
    var valueAxis = {
      type: "value",
      name: d.unit || "",
      axisLabel: { formatter: d.percent ? "{value}%" : "{value}" },
      max: limitMax
        ? function (extent) {
            var top = Math.max(extent.max, limitMax) * 1.1;
            var step = Math.pow(10, Math.floor(Math.log10(top))) / 2;
            return Math.ceil(top / step) * step;
          }
        : d.percent
          ? 100
          : null
    };
    return {
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: "system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif" },
      tooltip: {
        trigger: "axis",
        confine: true,
        valueFormatter: function (v) {
          return formatValue(v, d.percent);
        }
      },
      legend: { type: "scroll", top: 0, show: d.series.length > 1 },
      grid: { left: 8, right: 28, top: d.series.length > 1 ? 36 : 24, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: series
    };
  }

  function drawAll() {
    var containers = document.querySelectorAll(".chart[data-chart]");
    if (!containers.length) {
      return;
    }
    if (!window.echarts) {
      containers.forEach(function (el) {
        el.classList.add("chart-missing");
        el.textContent = "图表组件未加载（static/vendor/echarts 缺失），请查看下方数据表。";
      });
      return;
    }
    containers.forEach(function (el) {
      var data = readData(el.getAttribute("data-chart"));
      if (!data) {
        return;
      }
      if (data.kind === "hbar") {
        el.style.height = Math.max(220, 60 + data.categories.length * 30) + "px";
      }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(buildOption(data));
      el.setAttribute("data-drawn", "true");
      charts.push(chart);
    });
  }

  function resizeAll() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }

  function leaveFullscreenClass() {
    document.querySelectorAll(".is-fullscreen").forEach(function (node) {
      node.classList.remove("is-fullscreen");
    });
    document.body.classList.remove("has-fullscreen");
  }

  function toggleFullscreen(target) {
    if (target.classList.contains("is-fullscreen")) {
      if (document.fullscreenElement && document.exitFullscreen) {
        document.exitFullscreen();
      }
      leaveFullscreenClass();
      window.setTimeout(resizeAll, 50);
      return;
    }
    leaveFullscreenClass();
    target.classList.add("is-fullscreen");
    document.body.classList.add("has-fullscreen");
    if (target.requestFullscreen) {
      target.requestFullscreen().catch(function () {
        /* refused (e.g. not from a click): the CSS class alone fills the window */
      });
    }
    window.setTimeout(resizeAll, 50);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".fullscreen-toggle");
    if (!button) {
      return;
    }
    var target = document.getElementById(button.getAttribute("data-target"));
    if (target) {
      toggleFullscreen(target);
    }
  });

  document.addEventListener("fullscreenchange", function () {
    if (!document.fullscreenElement) {
      leaveFullscreenClass();
    }
    window.setTimeout(resizeAll, 50);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !document.fullscreenElement) {
      leaveFullscreenClass();
      window.setTimeout(resizeAll, 50);
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("autosubmit") && event.target.form) {
      event.target.form.submit();
    }
  });

  window.addEventListener("resize", resizeAll);
  drawAll();
})();
