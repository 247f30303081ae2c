/* statbook's additions to the book's pages (Jupyter Book links every .js file of _static/).
 *
 * On a phone-sized screen (at most 600 CSS px wide), every figure image of the text
 * becomes a button that opens the image at full size in a dialog (scrollable sideways),
 * so axis labels shrunk to fit the column can be read.
 *
 * On every screen:
 * - an inline formula wider than its line scrolls sideways inside itself instead of being
 *   cut off by the column (MathJax 3 cannot break it across lines);
 * - a formula that scrolls sideways is a tab stop, so it can be scrolled with the keyboard
 *   (formulas are otherwise not tab stops);
 * - so is a code block or output that scrolls (the theme's rule; the theme's own pass is
 *   left out of the build, see _ext.theme_tab_stops), and one that fits is not.
 */
(function () {
  "use strict";
  var PHONE = window.matchMedia("(max-width: 600px)");

  function zoomDialog() {
    var dialog = document.getElementById("sb-zoom-dialog");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "sb-zoom-dialog";
    dialog.setAttribute("aria-label", "Figure at full size");
    var close = document.createElement("button");
    close.type = "button";
    close.className = "sb-zoom-close";
    close.textContent = "Close";
    close.addEventListener("click", function () { dialog.close(); });
    var frame = document.createElement("div");
    frame.className = "sb-zoom-frame";
    frame.tabIndex = 0; // scrollable with the keyboard too
    frame.setAttribute("role", "group");
    frame.setAttribute("aria-label", "Figure, scrolls sideways");
    frame.appendChild(document.createElement("img"));
    dialog.appendChild(close);
    dialog.appendChild(frame);
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close(); // a tap beside the figure
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function openFullSize(img) {
    var dialog = zoomDialog();
    var big = dialog.querySelector("img");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt;
    dialog.showModal();
  }

  function makeZoomable(img) {
    if (img.closest("button, a, .sbx-print")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sb-zoom";
    button.title = "Open the figure at full size";
    // A figure or an explorer frame drawn for each layout is a <picture>: it moves whole,
    // sources and all (the image alone, out of it, would lose its phone source).
    var shown = img.parentNode.tagName === "PICTURE" ? img.parentNode : img;
    shown.parentNode.insertBefore(button, shown);
    button.appendChild(shown); // the button's name is the image's alt text
    button.addEventListener("click", function () { openFullSize(img); });
  }

  // A formula that scrolls sideways is a tab stop; one that fits is not.  An inline
  // formula is made a scroller (class sb-wide-math) only when it is too wide.
  // The typeset formula (mjx-math) is measured, not scrollWidth: the hidden MathML for
  // screen readers is often wider than the picture.
  // Scrollers are checked in a batch: every measurement first, then every change, so the
  // page is laid out once per batch, not once per formula.
  function checkWidths(scrollers) {
    var checked = [];
    scrollers.forEach(function (item) {
      var shown = item.scroller.querySelector("mjx-math");
      if (!shown) return;
      if (item.mark) item.scroller.classList.remove("sb-wide-math");
      checked.push({scroller: item.scroller, mark: item.mark, shown: shown});
    });
    checked.forEach(function (item) {
      item.wide = item.shown.getBoundingClientRect().width > item.scroller.clientWidth + 1;
    });
    checked.forEach(function (item) { markWide(item.scroller, item.mark, item.wide); });
  }

  function markWide(scroller, mark, wide) {
    if (mark && wide) scroller.classList.add("sb-wide-math");
    if (wide) {
      scroller.classList.add("sb-scrolls");
      showScrollPosition(scroller);
      scroller.tabIndex = 0;
      scroller.setAttribute("role", "group");
      scroller.setAttribute("aria-label", "Formula, scrolls sideways");
    } else {
      if (scroller.classList.contains("sb-scrolls")) scroller.classList.remove("sb-scrolls");
      if (scroller.hasAttribute("tabindex")) {
        scroller.removeAttribute("tabindex");
        scroller.removeAttribute("role");
        scroller.removeAttribute("aria-label");
      }
    }
  }

  // Which side still hides part of the formula: the style sheet fades that side out.
  function showScrollPosition(scroller) {
    var left = scroller.scrollLeft;
    var right = scroller.scrollWidth - scroller.clientWidth - left;
    scroller.dataset.sbAt = left < 2 ? "start" : right < 2 ? "end" : "middle";
    if (!scroller.sbListening) {
      scroller.sbListening = true;
      scroller.addEventListener("scroll", function () { showScrollPosition(scroller); },
        {passive: true});
    }
  }

  // The scrollers of a formula: an inline formula's span.math, a display's containers.
  function scrollersOf(math) {
    if (math.matches("div.math")) {
      return Array.prototype.map.call(math.querySelectorAll("mjx-container"), function (c) {
        return {scroller: c, mark: false};
      });
    }
    return [{scroller: math, mark: true}];
  }

  function checkMaths(maths) {
    checkWidths([].concat.apply([], Array.prototype.map.call(maths, scrollersOf)));
  }

  // Each formula (typeset when the book was built) is checked whenever its box changes
  // size (as when MathJax's fonts arrive), and all of them when the window does.
  function watchFormulas() {
    var all = document.querySelectorAll("article div.math, article span.math");
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(function (entries) {
        checkMaths(entries.map(function (entry) { return entry.target; }));
      });
      all.forEach(function (math) { observer.observe(math); });
    }
    window.addEventListener("resize", function () { checkMaths(all); });
    // A closed dropdown's content is not laid out, so no size change is observed there:
    // its formulas are checked when it opens.
    document.addEventListener("toggle", function (event) {
      if (event.target.open) checkMaths(event.target.querySelectorAll("div.math, span.math"));
    }, true);
  }

  // A chapter's sections far from the view are laid out only when the reader nears them
  // (content-visibility: auto, statbook.css); till then each holds a placeholder height.
  // The browser places a jump to an in-page target (#equation-..., a search result, a
  // link) with those placeholders, then lays out the sections around the target at their
  // real heights, which pushes the target away.  So after a jump the target is scrolled
  // to where the browser puts it (scrollIntoView: the top, below the theme's header) each
  // frame it has moved from there, until it stays put for three frames (at most 120
  // frames), or the reader scrolls.
  function holdTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) return;
    var stopped = false, still = 0, frames = 0, placed;
    var stop = function () { stopped = true; };
    ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (type) {
      window.addEventListener(type, stop, {once: true, passive: true});
    });
    function place() {
      target.scrollIntoView({block: "start", behavior: "instant"});
      placed = target.getBoundingClientRect().top;
    }
    function step() {
      if (stopped || still >= 3 || frames++ > 120) return;
      if (Math.abs(target.getBoundingClientRect().top - placed) >= 1) {
        place();
        still = 0;
      } else {
        still += 1;
      }
      requestAnimationFrame(step);
    }
    place();
    requestAnimationFrame(step);
  }

  // Code blocks and outputs that scroll are tab stops, the others not.  Every block of a
  // pass is measured before any is changed, so a pass lays the page out once (measuring
  // and changing in turn, as the theme does, lays it out again for every block).  A
  // chapter section that is not laid out (on a phone, one out of view: content-visibility)
  // is done when it comes into view: measuring inside it would lay it out.
  var SCROLLABLE = "pre, .nboutput > .output_area, .cell_output > .output, " +
    ".jp-RenderedHTMLCommon, .pst-scrollable-table-container";
  var LAZY = "article.bd-article > section > section";

  function setTabStops(blocks) {
    var scrolls = blocks.map(function (block) {
      return block.scrollWidth > block.clientWidth || block.scrollHeight > block.clientHeight;
    });
    blocks.forEach(function (block, i) { block.tabIndex = scrolls[i] ? 0 : -1; });
  }

  function watchTabStops() {
    var main = document.getElementById("main-content");
    if (!main) return;
    var blocks = Array.prototype.slice.call(main.querySelectorAll(SCROLLABLE));
    document.querySelectorAll(LAZY).forEach(function (section) {
      section.addEventListener("contentvisibilityautostatechange", function (event) {
        if (!event.skipped) {
          setTabStops(blocks.filter(function (b) { return section.contains(b); }));
        }
      });
    });
    function laidOut(block) { // not inside a section whose content is skipped
      return !block.checkVisibility || block.checkVisibility({contentVisibilityAuto: true});
    }
    function pass() { setTabStops(blocks.filter(laidOut)); }
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(pass, 300);
    });
    // When the browser is idle after loading: the page is laid out by then, so measuring
    // costs nothing more, and the first paint does not wait for it.
    function soon() {
      if (window.requestIdleCallback) requestIdleCallback(pass, {timeout: 2000});
      else setTimeout(pass, 0);
    }
    if (document.readyState === "complete") soon();
    else window.addEventListener("load", soon, {once: true});
  }

  function start() {
    if (PHONE.matches) {
      document.querySelectorAll(
        "article .cell_output img, article figure.statbook-explorer img.sbx-frame"
      ).forEach(makeZoomable);
    }
    watchFormulas();
    watchTabStops();
    if (location.hash) window.addEventListener("load", holdTarget, {once: true});
    window.addEventListener("hashchange", holdTarget);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
