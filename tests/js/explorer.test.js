// statbook/static/explorer.js driven with a tiny fake DOM (node --test; run by
// tests/test_explorer_js.py). The figure is built the way statbook.widgets.explorer_html
// writes one: two sliders of three positions, the start frame (1, 1) stored as the
// image's src and null in the data, a table that follows the frames, a print panel, and
// (with phone frames) a picture whose phone source holds the start frame as its srcset.
"use strict";

const { test } = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const { frameIndex, describe, wire } = require(
  path.join(__dirname, "..", "..", "statbook", "static", "explorer.js"),
);

class FakeElement extends EventTarget {
  constructor(attributes = {}) {
    super();
    this.attributes = { ...attributes };
    this.textContent = "";
    this.children = [];
    this.dataset = {};
    this.listeners = 0;
  }
  getAttribute(name) {
    return name in this.attributes ? this.attributes[name] : null;
  }
  setAttribute(name, value) {
    this.attributes[name] = String(value);
  }
  get src() {
    return this.getAttribute("src");
  }
  set src(value) {
    this.setAttribute("src", value);
  }
  addEventListener(type, listener) {
    this.listeners += 1;
    super.addEventListener(type, listener);
  }
}

const DATA = {
  frames: ["f0", "f1", "f2", "f3", null, "f5", "f6", "f7", "f8"],
  labels: [["0", "1", "2"], ["-1", "0", "1"]],
  names: ["slope", "offset"],
  sizes: [3, 3],
  alt: "A straight line.",
  tables: [0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => [["", "value"], ["k", String(k)]]),
};
const PHONE = { ...DATA, phone: ["p0", "p1", "p2", "p3", null, "p5", "p6", "p7", "p8"] };

function figure(data = DATA) {
  const image = new FakeElement({ src: "start-frame" });
  const phone = data.phone ? new FakeElement({ srcset: "start-phone" }) : null;
  const inputs = [new FakeElement(), new FakeElement()];
  inputs.forEach((input) => (input.value = "1"));
  const outputs = [new FakeElement(), new FakeElement()];
  const block = { reads: 0 };
  Object.defineProperty(block, "textContent", {
    get() {
      block.reads += 1;
      return JSON.stringify(data);
    },
  });
  const row = new FakeElement();
  row.children = [new FakeElement(), new FakeElement()];
  const panel = [0, 4, 7].map((k) => {
    const img = new FakeElement(k === 7 ? { src: "kept" } : {});
    img.dataset.sbxFrame = String(k);
    return img;
  });
  const one = {
    "img.sbx-frame": image,
    "script.sbx-data": block,
    "source.sbx-phone": phone,
  };
  const all = {
    "input[type=range]": inputs,
    output: outputs,
    "table.sbx-table tbody tr": [row],
    "img[data-sbx-frame]": panel,
  };
  const root = {
    querySelector: (selector) => one[selector],
    querySelectorAll: (selector) => all[selector],
  };
  return { root, image, phone, inputs, outputs, block, row, panel, view: new FakeElement() };
}

function move(fig, index, position) {
  fig.inputs[index].value = String(position);
  fig.inputs[index].dispatchEvent(new Event("input"));
}

test("frames are numbered row-major in the slider positions", () => {
  assert.equal(frameIndex([0, 0], [3, 3]), 0);
  assert.equal(frameIndex([2, 1], [3, 3]), 7);
  assert.equal(frameIndex([1, 0, 3], [2, 3, 4]), 15); // (1·3 + 0)·4 + 3
  assert.equal(frameIndex([], []), 0);
});

test("the alt text names the values shown", () => {
  assert.equal(
    describe("A line.", ["N", "μ"], ["100", "1"]),
    "A line. Shown at N = 100, μ = 1.",
  );
});

test("moving a slider shows the frame of the positions and says so", () => {
  const fig = figure();
  wire(fig.root, fig.view);
  move(fig, 0, 2);
  assert.equal(fig.image.src, "f7");
  assert.equal(fig.image.alt, "A straight line. Shown at slope = 2, offset = 0.");
  assert.deepEqual(
    fig.outputs.map((o) => o.textContent),
    ["2", "0"],
  );
  assert.equal(fig.inputs[0].getAttribute("aria-valuetext"), "2");
  assert.equal(fig.inputs[1].getAttribute("aria-valuetext"), "0");
  move(fig, 1, 0);
  assert.equal(fig.image.src, "f6");
  assert.equal(fig.inputs[1].getAttribute("aria-valuetext"), "-1");
});

test("the start frame, stored once, is the image's own first src", () => {
  const fig = figure();
  wire(fig.root, fig.view);
  move(fig, 0, 0);
  assert.equal(fig.image.src, "f1");
  move(fig, 0, 1);
  assert.equal(fig.image.src, "start-frame");
});

test("the data is parsed on the first move, once", () => {
  const fig = figure();
  wire(fig.root, fig.view);
  assert.equal(fig.block.reads, 0);
  move(fig, 0, 0);
  move(fig, 1, 2);
  assert.equal(fig.block.reads, 1);
});

test("the table follows the frames as text", () => {
  const fig = figure();
  wire(fig.root, fig.view);
  move(fig, 1, 2);
  assert.deepEqual(
    fig.row.children.map((c) => c.textContent),
    ["k", "5"],
  );
});

test("an explorer without a table has none to update", () => {
  const { tables, ...plain } = DATA;
  const fig = figure(plain);
  wire(fig.root, fig.view);
  move(fig, 0, 0);
  assert.equal(fig.image.src, "f1");
  assert.deepEqual(
    fig.row.children.map((c) => c.textContent),
    ["", ""],
  );
});

test("before printing, the panel's images without an address get theirs", () => {
  const fig = figure();
  wire(fig.root, fig.view);
  assert.equal(fig.panel[0].src, null);
  fig.view.dispatchEvent(new Event("beforeprint"));
  assert.deepEqual(
    fig.panel.map((img) => img.src),
    ["f0", "start-frame", "kept"],
  );
});

test("a figure wired twice listens once", () => {
  const fig = figure();
  wire(fig.root, fig.view);
  wire(fig.root, fig.view);
  assert.deepEqual(
    fig.inputs.map((input) => input.listeners),
    [1, 1],
  );
  assert.equal(fig.view.listeners, 1);
});

test("the phone frame switches with the wide one, its start frame stored once", () => {
  const fig = figure(PHONE);
  wire(fig.root, fig.view);
  move(fig, 0, 2);
  assert.equal(fig.image.src, "f7");
  assert.equal(fig.phone.getAttribute("srcset"), "p7");
  move(fig, 0, 1);
  assert.deepEqual([fig.image.src, fig.phone.getAttribute("srcset")], [
    "start-frame",
    "start-phone",
  ]);
  move(fig, 1, 0);
  assert.deepEqual([fig.image.src, fig.phone.getAttribute("srcset")], ["f3", "p3"]);
});

test("without phone frames the image alone switches", () => {
  const fig = figure();
  wire(fig.root, fig.view);
  move(fig, 1, 2);
  assert.equal(fig.phone, null);
  assert.equal(fig.image.src, "f5");
});

test("before printing, an inline panel gets the frames drawn for paper", () => {
  const fig = figure({ ...DATA, print: ["q0", "q1", "q2"] });
  wire(fig.root, fig.view);
  fig.view.dispatchEvent(new Event("beforeprint"));
  assert.deepEqual(
    fig.panel.map((img) => img.src),
    ["q0", "q1", "kept"],
  );
});
