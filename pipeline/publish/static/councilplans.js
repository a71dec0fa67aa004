// councilplans (metadata.yaml: extra_js_urls): fold a table's column descriptions into a
// "What the columns mean" disclosure, so the rows stay in view.
const dl = document.querySelector("dl.column-descriptions");
if (dl) {
  const details = document.createElement("details");
  details.className = "column-descriptions";
  const summary = document.createElement("summary");
  summary.textContent = "What the columns mean";
  dl.parentNode.insertBefore(details, dl);
  details.appendChild(summary);
  details.appendChild(dl);
}
