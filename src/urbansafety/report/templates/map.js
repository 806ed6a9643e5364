/* Draws every map of the page from its inline configuration with the vendored Leaflet (urbansafety).
 * Until a map is drawn, and in print, its figure shows the static SVG instead. */
(function () {
  "use strict";
  var FILL_OPACITY = 0.7;
  var BORDER = "#666666";
  var OUTLINE = "#222222";
  var UNKEYED = "#8a8a8a";
  // Below this width (phones) the legend and the layer list go under the map, not over it.
  var NARROW = 560;

  function escapeHtml(text) {
    // Leaflet's layer control writes names as HTML.
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  function textNode(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    el.textContent = text;
    return el;
  }

  function allOf(spec, types) {
    return spec.geometries.length > 0 && spec.geometries.every(function (g) {
      return types.indexOf(g.type) >= 0;
    });
  }

  function isLines(spec) {
    return spec.outline || allOf(spec, ["LineString", "MultiLineString"]);
  }

  function swatchClass(spec) {
    if (isLines(spec)) { return "map-swatch map-swatch-line"; }
    return allOf(spec, ["Point", "MultiPoint"]) ? "map-swatch map-swatch-point" : "map-swatch";
  }

  function styleOf(spec) {
    var lines = isLines(spec);
    // One style per legend entry, shared by every feature of that class.
    var styles = spec.legend.map(function (entry) {
      if (lines) {
        return { color: entry.color, weight: spec.outline ? 1.5 : 2, fill: false, opacity: 1 };
      }
      return { fillColor: entry.color, fillOpacity: FILL_OPACITY, color: BORDER, weight: 0.5, opacity: 1 };
    });
    var plain = lines
      ? { color: spec.outline ? OUTLINE : UNKEYED, weight: spec.outline ? 1.5 : 2, fill: false, opacity: 1 }
      : { color: UNKEYED, weight: 0.75, fill: false, opacity: 1 };
    return function (feature) {
      var k = feature.properties.k;
      return k === null || k === undefined ? plain : styles[k];
    };
  }

  function features(spec) {
    return {
      type: "FeatureCollection",
      features: spec.geometries.map(function (geometry, i) {
        return {
          type: "Feature",
          geometry: geometry,
          properties: {
            k: spec.keys ? spec.keys[i] : null,
            t: spec.tooltips ? spec.tooltips[i] : ""
          }
        };
      })
    };
  }

  function geoLayer(spec, renderer) {
    var style = styleOf(spec);
    return L.geoJSON(features(spec), {
      style: style,
      renderer: renderer,
      interactive: Boolean(spec.tooltips),
      // Points are circles: Leaflet's image markers would fetch files the report does not hold.
      pointToLayer: function (feature, latlng) {
        var s = style(feature);
        return L.circleMarker(latlng, {
          radius: 5,
          fillColor: s.fillColor || s.color,
          fillOpacity: 0.9,
          color: "#ffffff",
          weight: 1,
          renderer: renderer
        });
      },
      onEachFeature: function (feature, layer) {
        if (feature.properties.t) {
          layer.bindTooltip(escapeHtml(feature.properties.t), { sticky: true, direction: "top" });
        }
      }
    });
  }

  function legendControl(config, layers) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "map-legend leaflet-control");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      box.appendChild(textNode("p", "map-legend-title", config.words.legend));
      config.layers.forEach(function (spec, i) {
        var group = L.DomUtil.create("div", "map-legend-layer", box);
        var list = L.DomUtil.create("ul", "", group);
        var lines = isLines(spec);
        if (spec.legend.length && config.layers.length > 1) {
          group.insertBefore(textNode("p", "map-legend-layer-name", spec.name), list);
        }
        var entries = spec.legend.length
          ? spec.legend
          : (spec.outline ? [{ label: spec.name, color: OUTLINE }] : []);
        entries.forEach(function (entry) {
          var item = L.DomUtil.create("li", "", list);
          var swatch = L.DomUtil.create("span", swatchClass(spec), item);
          swatch.setAttribute("aria-hidden", "true");
          if (lines) { swatch.style.borderTopColor = entry.color; } else { swatch.style.backgroundColor = entry.color; }
          item.appendChild(document.createTextNode(entry.label));
        });
        if (!entries.length) { group.style.display = "none"; }
        layers[i].legendGroup = group;
        group.hidden = !spec.visible;
      });
      return box;
    };
    return control;
  }

  function fitPadding(el) {
    // Keep the features clear of the legend and the layer list when the map is wide enough.
    var right = 0;
    el.querySelectorAll(".leaflet-right .leaflet-control").forEach(function (control) {
      right = Math.max(right, control.offsetWidth + 20);
    });
    if (right === 0 || el.clientWidth < 2.2 * right) {
      return { padding: [12, 12] };
    }
    return { paddingTopLeft: [12, 12], paddingBottomRight: [right, 12] };
  }

  function draw(el) {
    var config = JSON.parse(document.getElementById(el.getAttribute("data-map-config")).textContent);
    var map = L.map(el, {
      preferCanvas: config.canvas,
      zoomControl: false,
      attributionControl: false,
      scrollWheelZoom: false,
      zoomSnap: 0.25,
      maxZoom: 19
    });
    // The wheel zooms the map only once the reader has chosen it, not while scrolling the report.
    map.on("focus", function () { map.scrollWheelZoom.enable(); });
    map.on("blur", function () { map.scrollWheelZoom.disable(); });
    L.control.zoom({ zoomInTitle: config.words.zoomIn, zoomOutTitle: config.words.zoomOut }).addTo(map);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    if (config.tiles && navigator.onLine) {
      L.tileLayer(config.tiles.url, { maxZoom: 19 }).addTo(map);
      var credit = L.control.attribution({ prefix: false }).addTo(map);
      credit.addAttribution('<a href="' + config.tiles.copyright + '">' + escapeHtml(config.tiles.attribution) + "</a>");
    }
    var renderer = config.canvas ? L.canvas({ padding: 0.2 }) : L.svg({ padding: 0.2 });
    var bounds = L.latLngBounds([]);
    var layers = config.layers.map(function (spec) {
      var layer = geoLayer(spec, renderer);
      if (spec.geometries.length) { bounds.extend(layer.getBounds()); }
      if (spec.visible) { layer.addTo(map); }
      return layer;
    });
    var below = null;
    if (el.clientWidth < NARROW) {
      below = document.createElement("div");
      below.className = "map-below";
      el.parentNode.insertBefore(below, el.nextSibling);
    }
    function place(control) {
      control.addTo(map);
      if (below) { below.appendChild(control.getContainer()); }
      return control;
    }
    place(legendControl(config, layers));
    if (config.layers.length > 1) {
      var overlays = {};
      config.layers.forEach(function (spec, i) { overlays[escapeHtml(spec.name)] = layers[i]; });
      var control = place(L.control.layers(null, overlays, { collapsed: false, position: "topright" }));
      var title = textNode("p", "map-layers-title", config.words.layers);
      var list = control.getContainer().querySelector(".leaflet-control-layers-list");
      list.insertBefore(title, list.firstChild);
      map.on("overlayadd overlayremove", function (e) {
        if (e.layer.legendGroup) { e.layer.legendGroup.hidden = e.type === "overlayremove"; }
      });
    }
    map.fitBounds(bounds, fitPadding(el));
    return map;
  }

  var views = document.querySelectorAll("[data-map-config]");
  Array.prototype.forEach.call(views, function (el) {
    var figure = el.closest("figure");
    figure.classList.add("map-live");
    try {
      draw(el);
      figure.classList.add("map-drawn");
    } catch (error) {
      // The static map stays in place of the interactive one.
      figure.classList.remove("map-live");
      figure.querySelectorAll(".map-below").forEach(function (below) { below.remove(); });
      console.error(error);
    }
  });
  document.body.setAttribute("data-maps", "drawn");
})();
