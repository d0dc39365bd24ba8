// Dashboard page: draws each figure's trend by month and split by division with Apache ECharts
// (vendored, static/vendor/echarts/). The figures come from the page itself (a json_script block):
// no inline script, no request of its own. Clicking a division's bar opens that division's dashboard.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var lang = (document.documentElement.getAttribute("lang") || "zh-hans").toLowerCase();
  var locale = lang.indexOf("zh") === 0 ? "ZH" : "EN";
  var numberFormat = new Intl.NumberFormat(locale === "ZH" ? "zh-CN" : "en-GB", { maximumFractionDigits: 2 });
  var charts = [];
  var colours = { count: "#1d4ed8", money: "#b45309" };

  function values(list) {
    return list.map(function (v) { return Number(v); });
  }

  function base(figure) {
    return {
      animation: false,
      color: [colours[figure.kind] || "#1d4ed8"],
      grid: { left: 8, right: 12, top: 16, bottom: 8, containLabel: true },
      // Tooltips drawn on the canvas (richText), not as HTML: ECharts' HTML tooltip writes style
      // attributes, which the portal's Content-Security-Policy (style-src 'self') refuses.
      tooltip: {
        renderMode: "richText",
        trigger: "axis",
        valueFormatter: function (v) {
          return numberFormat.format(v) + (figure.kind === "money" ? " " + data.labels.yuan : "");
        }
      },
      yAxis: {
        type: "value",
        minInterval: figure.kind === "count" ? 1 : 0,
        axisLabel: { formatter: function (v) { return numberFormat.format(v); } }
      }
    };
  }

  function draw(element, option) {
    var chart = window.echarts.init(element, null, { locale: locale, renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  data.figures.forEach(function (figure) {
    var card = document.querySelector('[data-figure="' + figure.key + '"]');
    if (!card) { return; }
    var trend = card.querySelector('[data-chart="trend"]');
    if (trend) {
      var option = base(figure);
      option.xAxis = { type: "category", data: data.months, name: "" };
      option.series = [{ name: figure.label, type: data.months.length > 1 ? "line" : "bar", data: values(figure.by_month), smooth: false, symbolSize: 6 }];
      draw(trend, option);
    }
    var split = card.querySelector('[data-chart="split"]');
    if (split && data.divisions.length) {
      var options = base(figure);
      options.xAxis = {
        type: "category",
        data: data.divisions.map(function (d) { return d.name; }),
        axisLabel: { interval: 0, rotate: data.divisions.length > 6 ? 40 : 0 }
      };
      options.series = [{ name: figure.label, type: "bar", data: values(figure.by_division), cursor: "pointer" }];
      var chart = draw(split, options);
      chart.on("click", function (params) {
        var division = data.divisions[params.dataIndex];
        if (division && division.url) { window.location.assign(division.url); }
      });
    }
  });

  function resize() { charts.forEach(function (chart) { chart.resize(); }); }
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  document.documentElement.setAttribute("data-charts-ready", String(charts.length));
})();
