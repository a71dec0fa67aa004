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

// A table page's search box gets a visible label saying what it searches.
const search = document.querySelector("input#_search");
if (search && !document.querySelector("label[for=_search]")) {
  const label = document.createElement("label");
  label.htmlFor = "_search";
  label.className = "search-label";
  label.textContent = "Search the records' own text (word endings ignored): ";
  search.parentNode.insertBefore(label, search);
}
