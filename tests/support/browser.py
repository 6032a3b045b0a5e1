"""What a user sees of a Prefect table artifact in a browser (Playwright pages)."""

from __future__ import annotations

from typing import Any

# For each column header named: whether the point at its centre shows that header (not
# scrolled out of the table's box, not under the page's side panel, not beyond the window).
_ON_SCREEN = """(names) => {
  const out = {};
  const headers = Array.from(document.querySelectorAll("th.p-table-header"));
  for (const name of names) {
    const th = headers.find((h) => h.textContent.trim() === name);
    if (!th) { out[name] = false; continue; }
    const r = th.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const hit = x < window.innerWidth && y < window.innerHeight
      ? document.elementFromPoint(x, y) : null;
    out[name] = !!hit && (hit === th || th.contains(hit));
  }
  return out;
}"""


def columns_on_screen(page: Any, names: list[str]) -> dict[str, bool]:
    """Whether each column's header is on screen without scrolling."""
    return dict(page.evaluate(_ON_SCREEN, names))


def table_rows_rendered(page: Any) -> int:
    """How many rows the table artifact's page rendered."""
    return int(page.locator("tbody.p-table-body tr.p-table-row").count())
