/*
 * The sliders of a statbook explorer in a page without a kernel
 * (statbook.widgets.Explorer.static_html, and the book's explorers).
 *
 * An explorer is a figure (figure.statbook-explorer) holding
 *   - one range input per slider (values 0 .. size - 1) and an output element beside each;
 *   - the frame, img.sbx-frame, with the wide layout's frames; if the explorer has a phone
 *     layout, the image is in a picture whose source.sbx-phone (media: a narrow window)
 *     holds the phone layout's frame, so the browser shows and loads one of the two;
 *   - if the explorer has one, a text table (table.sbx-table) whose body follows the frame;
 *   - the print panel: img[data-sbx-frame=k] for a few frames, shown on paper only;
 *   - its data, a JSON script block (script.sbx-data): for every frame (in row-major order
 *     of the slider positions) its address, null for the frame the image shows to start
 *     with (stored once, as the image's own src); the same for the phone frames ("phone",
 *     the start frame stored once as the source's srcset); each slider's value labels ("labels"),
 *     names ("names") and number of positions ("sizes"); the alt text ("alt"); and, with
 *     a table, every frame's table rows ("tables", header row first); and, inline, the
 *     print panel's frames in its order ("print", drawn for paper; else the panel shows
 *     the wide frames).
 *
 * Moving a slider shows the frame of the sliders' positions (in both layouts), and updates each readout,
 * each slider's aria-valuetext (what a screen reader says) and the image's alt text.
 * The data block is parsed on the first move, so a page with many explorers decodes
 * nothing before the reader touches one.  Before printing, the print panel's images
 * without an address get theirs.
 *
 * Inline in an explorer's HTML, the script wires the figure it stands in; loaded as a
 * page's script file, every explorer of the page.  Under node (the tests), it exports
 * its functions and touches no document.
 */
(function () {
  "use strict";

  /** Row-major index of the slider positions: k = (...(p0·s1 + p1)·s2 + p2 ...). */
  function frameIndex(positions, sizes) {
    var k = 0;
    for (var i = 0; i < positions.length; i++) {
      k = k * sizes[i] + positions[i];
    }
    return k;
  }

  /** The alt text with the values shown: "<alt> Shown at N = 100, μ = 1.". */
  function describe(alt, names, labels) {
    var shown = [];
    for (var i = 0; i < names.length; i++) {
      shown.push(names[i] + " = " + labels[i]);
    }
    return alt + " Shown at " + shown.join(", ") + ".";
  }

  /** Make the sliders of one explorer figure work; `view` is its window (for printing). */
  function wire(figure, view) {
    if (figure.sbxWired) {
      return;
    }
    figure.sbxWired = true;
    var image = figure.querySelector("img.sbx-frame");
    var first = image.getAttribute("src");
    var phone = figure.querySelector("source.sbx-phone");
    var firstPhone = phone ? phone.getAttribute("srcset") : null;
    var inputs = figure.querySelectorAll("input[type=range]");
    var outputs = figure.querySelectorAll("output");
    var data = null;

    function read() {
      if (data === null) {
        data = JSON.parse(figure.querySelector("script.sbx-data").textContent);
      }
      return data;
    }

    function source(k) {
      var frame = read().frames[k];
      return frame === null ? first : frame;
    }

    function phoneSource(k) {
      var frame = read().phone[k];
      return frame === null ? firstPhone : frame;
    }

    function show() {
      var d = read();
      var positions = [];
      var labels = [];
      for (var i = 0; i < inputs.length; i++) {
        var position = +inputs[i].value;
        var label = d.labels[i][position];
        positions.push(position);
        labels.push(label);
        outputs[i].textContent = label;
        inputs[i].setAttribute("aria-valuetext", label);
      }
      var k = frameIndex(positions, d.sizes);
      if (phone && d.phone) {
        phone.setAttribute("srcset", phoneSource(k));
      }
      image.src = source(k);
      image.alt = describe(d.alt, d.names, labels);
      if (d.tables) {
        var rows = figure.querySelectorAll("table.sbx-table tbody tr");
        d.tables[k].slice(1).forEach(function (row, j) {
          var cells = rows[j].children;
          for (var n = 0; n < row.length; n++) {
            cells[n].textContent = row[n];
          }
        });
      }
    }

    for (var i = 0; i < inputs.length; i++) {
      inputs[i].addEventListener("input", show);
    }
    view.addEventListener("beforeprint", function () {
      figure.querySelectorAll("img[data-sbx-frame]").forEach(function (panel, j) {
        if (!panel.getAttribute("src")) {
          var printed = read().print;
          panel.src = printed ? printed[j] : source(+panel.dataset.sbxFrame);
        }
      });
    });
  }

  if (typeof module === "object" && module.exports) {
    module.exports = { frameIndex: frameIndex, describe: describe, wire: wire };
    return;
  }
  var script = document.currentScript;
  var own = script && script.closest ? script.closest("figure.statbook-explorer") : null;
  if (own) {
    wire(own, window);
  } else {
    document.querySelectorAll("figure.statbook-explorer").forEach(function (figure) {
      wire(figure, window);
    });
  }
})();
