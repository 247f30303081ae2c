/* Typesets TeX formulas with MathJax 3 in node, for the built book (_ext.static_math).
 *
 *   node typeset_math.js MATHJAX_DIR < request.json > answer.json
 *
 * MATHJAX_DIR: MathJax's components (es5), the copy that sphinx-mathjax-offline ships.
 * request.json: {"scale": size of formulas against the text, "formulas": [{"tex": "...",
 * "display": bool}, ...]}.
 * answer.json: {"html": [one <mjx-container> per formula, in order], "css": "..."}, the
 * CHTML style sheet of every character used; its fonts are named "@FONT_URL@/<file>.woff".
 *
 * The same components the pages loaded before (TeX input with autoload of extensions such
 * as cancel or boldsymbol, CommonHTML output), plus assistive MathML: each formula carries
 * a hidden <math> copy that screen readers read.  No menu is loaded, so no formula is a tab
 * stop.  A TeX error stops the run (exit status 1, the formula and message on stderr)
 * instead of printing a red formula into the book.
 */
"use strict";

const fs = require("fs");
const path = require("path");

const mathjaxDir = path.resolve(process.argv[2]);
const request = JSON.parse(fs.readFileSync(0, "utf-8"));

global.MathJax = {
  loader: {
    paths: { mathjax: mathjaxDir },
    require: require,
    load: ["input/tex", "output/chtml", "a11y/assistive-mml", "adaptors/liteDOM"],
  },
  tex: {
    formatError(jax, error) {
      throw error;
    },
  },
  chtml: { fontURL: "@FONT_URL@", adaptiveCSS: true },
  startup: { typeset: false },
};
require(path.join(mathjaxDir, "startup.js"));

async function main() {
  await MathJax.startup.promise;
  const adaptor = MathJax.startup.adaptor;
  const html = [];
  for (const formula of request.formulas) {
    let node;
    try {
      node = await MathJax.tex2chtmlPromise(formula.tex, {
        display: formula.display,
        scale: request.scale,
      });
    } catch (error) {
      throw new Error(`TeX error in ${JSON.stringify(formula.tex)}: ${error.message}`);
    }
    html.push(adaptor.outerHTML(node));
  }
  const css = adaptor.textContent(MathJax.chtmlStylesheet());
  process.stdout.write(JSON.stringify({ html: html, css: css }));
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
