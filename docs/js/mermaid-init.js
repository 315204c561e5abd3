// Draws the ```mermaid blocks of a page (Markdown renders them as
// <pre><code class="language-mermaid">) with mermaid.min.js, which
// `make docs` puts next to this file from the npm package (see
// .ci/docs-mermaid). When every diagram has drawn, <body> gets
// data-mermaid="done" (docs-smoke checks it); on a failure it gets
// data-mermaid="error: …" and the block stays as text.
(function () {
  if (typeof mermaid === "undefined") {
    document.body.setAttribute("data-mermaid", "error: mermaid.min.js not loaded");
    return;
  }
  var blocks = document.querySelectorAll("pre > code.language-mermaid");
  if (blocks.length === 0) {
    return;
  }
  blocks.forEach(function (code) {
    var div = document.createElement("div");
    div.className = "mermaid";
    div.textContent = code.textContent;
    code.parentNode.replaceWith(div);
  });
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
  mermaid.run({ querySelector: "div.mermaid" }).then(
    function () { document.body.setAttribute("data-mermaid", "done"); },
    function (e) { document.body.setAttribute("data-mermaid", "error: " + e); }
  );
})();
