/*
 * app.js: trainsrv's page.  Two views, a departures board and a journey
 * planner, both driven by the URL (/?station=Valence, /?from=...&to=...
 * &time=...) so that a link can be shared; answers come from /v1/ as JSON.
 * Everything is built with textContent: nothing the server or the URL says
 * is ever parsed as HTML.
 */
"use strict";

(function () {
  var REFRESH_MS = 30000;
  var refreshTimer = null;

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function nowHHMM() {
    var d = new Date();
    return String(d.getHours()).padStart(2, "0") + ":" +
      String(d.getMinutes()).padStart(2, "0");
  }

  function minutesOf(hhmm) {
    var m = /^(\d\d):(\d\d)$/.exec(hhmm || "");
    return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
  }

  function duration(min) {
    var h = Math.floor(min / 60), m = min % 60;
    return h > 0 ? h + " h " + String(m).padStart(2, "0") + " min" : m + " min";
  }

  function money(v) { return v === null || v === undefined ? "" : v.toFixed(2); }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  /* GET /v1/<what>?q as JSON; rejects with the API's error object. */
  function api(what, q) {
    var qs = new URLSearchParams();
    Object.keys(q).forEach(function (k) {
      if (q[k] !== undefined && q[k] !== null && q[k] !== "") qs.set(k, q[k]);
    });
    return fetch("/v1/" + what + "?" + qs.toString(), {
      headers: { Accept: "application/json" }
    }).then(function (r) {
      return r.json().catch(function () {
        throw { status: r.status, message: "unreadable answer" };
      }).then(function (body) {
        if (!r.ok) throw body.error || { status: r.status, message: "" };
        return body;
      });
    }, function () {
      throw { status: 0, message: "network" };
    });
  }

  /* The link that asks again with param replaced by value. */
  function retryHref(param, value) {
    var p = new URLSearchParams(location.search);
    p.set(param, value);
    return "/?" + p.toString();
  }

  /*
   * An error as a sentence: an unknown station with the stations it may
   * be (each a link that asks again with it), a bad time, or the server's
   * own words when nothing better can be said.
   */
  function showError(box, err, params) {
    clear(box);
    box.hidden = false;
    var m = /^unknown station "(.*)"$/.exec(err.message || "");
    if (err.status === 404 && m) {
      var typed = m[1], param = null;
      params.forEach(function (p) {
        var v = new URLSearchParams(location.search).get(p);
        if (param === null && v !== null &&
            v.trim().toLowerCase() === typed.toLowerCase()) param = p;
      });
      var para = el("p", null, "We don't know a station called \u201c" + typed + "\u201d.");
      box.appendChild(para);
      var sugg = err.suggestions || [];
      if (sugg.length > 0) {
        var p2 = el("p", "suggestions", "Did you mean ");
        sugg.forEach(function (s, i) {
          if (i > 0) p2.appendChild(document.createTextNode(i === sugg.length - 1 ? " or " : ", "));
          var a = el("a", null, s);
          a.href = retryHref(param || params[0], s);
          p2.appendChild(a);
        });
        p2.appendChild(document.createTextNode("?"));
        box.appendChild(p2);
      } else {
        box.appendChild(el("p", null, "Check the spelling, or start typing and pick a name from the list."));
      }
      return;
    }
    if (err.status === 0) {
      box.appendChild(el("p", null, "The server cannot be reached just now. Check your connection; the page will try again."));
      return;
    }
    if (err.status === 400 && /^bad time/.test(err.message || "")) {
      box.appendChild(el("p", null, "That time is not one we can read: write it as HH:MM, from 00:00 to 23:59."));
      return;
    }
    box.appendChild(el("p", null, "Sorry, we could not answer that question (" +
      (err.message || "error " + err.status) + ")."));
  }

  function hideError(box) { clear(box); box.hidden = true; }

  /* Station names completed from /v1/stations as the traveller types. */
  var completeTimer = null;
  function complete(input) {
    clearTimeout(completeTimer);
    completeTimer = setTimeout(function () {
      var prefix = input.value.trim();
      if (prefix.length === 0) return;
      api("stations", { prefix: prefix }).then(function (body) {
        var list = $("stations");
        clear(list);
        body.stations.slice(0, 20).forEach(function (s) {
          var o = document.createElement("option");
          o.value = s;
          list.appendChild(o);
        });
      }, function () { /* completion is a help only */ });
    }, 150);
  }

  /* The departures board. */
  function board(params) {
    var station = params.get("station") || "";
    var time = params.get("time") || "";
    var form = $("board-form");
    form.station.value = station;
    if (!station) return;
    $("board-title").textContent = "Departures from " + station;
    var load = function () {
      api("departures", { station: station, time: time, count: 12 }).then(function (body) {
        hideError($("board-error"));
        var list = $("board");
        clear(list);
        if (body.trains.length > 0)
          $("board-title").textContent = "Departures from " + body.trains[0].from;
        $("board-note").textContent = (time ? "From " + time : "Next departures") +
          " \u00b7 updated " + new Date().toLocaleTimeString() +
          " \u00b7 refreshed every 30 s";
        if (body.trains.length === 0) {
          list.appendChild(el("li", "empty", "No train leaves " + station + " in this timetable."));
          return;
        }
        body.trains.forEach(function (t) {
          var li = el("li", "dep");
          var tm = el("span", "time", t.departs);
          if (t.day > 0) tm.appendChild(el("span", "day", t.day === 1 ? "tomorrow" : "+" + t.day + " days"));
          li.appendChild(tm);
          li.appendChild(el("span", "dest", t.to));
          li.appendChild(el("span", "via", t.via.length > 0 ?
            "Calls at " + t.via.join(", ") : "Direct"));
          li.appendChild(el("span", "train", "Train " + t.number +
            " \u00b7 arrives " + t.arrives));
          var f = t.fare !== null ? t.fare : t.price;
          li.appendChild(el("span", "fare", f !== null ? money(f) : "\u2014"));
          list.appendChild(li);
        });
      }, function (err) {
        clear($("board"));
        $("board-note").textContent = "";
        $("board-title").textContent = "Departures";
        showError($("board-error"), err, ["station"]);
      });
    };
    load();
    refreshTimer = setInterval(load, REFRESH_MS);
  }

  /* The journey planner: each journey as a timeline of rides and changes. */
  function journey(params) {
    var from = params.get("from") || "", to = params.get("to") || "";
    var time = params.get("time") || nowHHMM(), by = params.get("by") || "depart";
    var form = $("journey-form");
    form.from.value = from;
    form.to.value = to;
    form.time.value = time;
    form.by.value = by;
    if (!from || !to) return;
    $("journey-title").textContent = from + " \u2192 " + to;
    api("journey", { from: from, to: to, time: time, by: by === "arrive" ? "arrive" : "" }).then(function (body) {
      hideError($("journey-error"));
      var list = $("journeys");
      clear(list);
      if (body.journeys.length === 0) {
        list.appendChild(el("li", "empty", "No journey found from " + from + " to " + to +
          (by === "arrive" ? " arriving by " : " leaving after ") + time +
          ", even with changes. Try another time or check the stations."));
        return;
      }
      $("journey-title").textContent = body.journeys[0].legs[0].from + " \u2192 " +
        body.journeys[0].legs[body.journeys[0].legs.length - 1].to;
      body.journeys.forEach(function (j) {
        var li = el("li", "journey");
        var sum = el("div", "summary");
        sum.appendChild(el("span", "span", j.departs + " \u2192 " + j.arrives));
        sum.appendChild(el("span", "meta", duration(j.minutes) + " \u00b7 " +
          (j.changes === 0 ? "direct" : plural(j.changes, "change", "changes")) +
          (j.fare !== null ? " \u00b7 fare " + money(j.fare) : "")));
        li.appendChild(sum);
        var tl = el("ol", "timeline");
        var prevArr = null;
        j.legs.forEach(function (leg, i) {
          var dep = leg.day * 1440 + minutesOf(leg.departs);
          if (i > 0) {
            var wait = dep - prevArr;
            tl.appendChild(el("li", "change", "Change at " + leg.from + ": " +
              (wait > 0 ? duration(wait) + " to wait" : "no wait")));
          }
          var s = el("li", "stop");
          s.appendChild(el("b", null, leg.departs));
          s.appendChild(document.createTextNode(" " + leg.from));
          tl.appendChild(s);
          tl.appendChild(el("li", "ride", "Train " + leg.number + " to " + leg.to +
            (leg.via.length > 0 ? ", calling at " + leg.via.join(", ") : ", direct") +
            " \u00b7 " + duration(leg.minutes)));
          var a = el("li", "stop");
          a.appendChild(el("b", null, leg.arrives));
          a.appendChild(document.createTextNode(" " + leg.to));
          tl.appendChild(a);
          prevArr = dep + leg.minutes;
        });
        li.appendChild(tl);
        list.appendChild(li);
      });
    }, function (err) {
      clear($("journeys"));
      showError($("journey-error"), err, ["from", "to"]);
    });
  }

  function render() {
    var params = new URLSearchParams(location.search);
    var view = params.get("view") ||
      (params.has("from") || params.has("to") ? "journey" : "board");
    clearInterval(refreshTimer);
    $("board-view").hidden = view !== "board";
    $("journey-view").hidden = view !== "journey";
    $("tab-board").removeAttribute("aria-current");
    $("tab-journey").removeAttribute("aria-current");
    $(view === "journey" ? "tab-journey" : "tab-board").setAttribute("aria-current", "page");
    document.title = (view === "journey" ? "Journey planner" : "Departures") + " \u00b7 trainsrv";
    if (view === "journey") journey(params); else board(params);
  }

  function go(q) {
    history.pushState(null, "", "/?" + new URLSearchParams(q).toString());
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("board-form").addEventListener("submit", function (e) {
      e.preventDefault();
      go({ station: this.station.value.trim() });
    });
    $("journey-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var q = { from: this.from.value.trim(), to: this.to.value.trim(), time: this.time.value };
      if (this.by.value === "arrive") q.by = "arrive";
      go(q);
    });
    document.querySelectorAll("input[list=stations]").forEach(function (input) {
      input.addEventListener("input", function () { complete(input); });
    });
    window.addEventListener("popstate", render);
    render();
  });
}());
