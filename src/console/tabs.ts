// The tab bar: buttons `[data-tab]` show the panel `#panel-<name>`; the choice is kept in the
// URL's fragment (#topics) so a reload stays on it. Arrow keys move between tabs.

/** Wires the tabs; the first one is shown unless the fragment names another. */
export function setupTabs(): void {
  const tabs = [...document.querySelectorAll<HTMLButtonElement>("[data-tab]")];
  const show = (name: string, focus = false): void => {
    for (const tab of tabs) {
      const selected = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      if (selected && focus) tab.focus();
      const panel = document.getElementById(`panel-${tab.dataset.tab}`);
      if (panel !== null) panel.hidden = !selected;
    }
  };
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => {
      show(tab.dataset.tab!);
      history.replaceState(null, "", `#${tab.dataset.tab}`);
    });
    tab.addEventListener("keydown", (event) => {
      const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
      if (step === 0) return;
      event.preventDefault();
      tabs[(i + step + tabs.length) % tabs.length]!.click();
      tabs[(i + step + tabs.length) % tabs.length]!.focus();
    });
  });
  const wanted = location.hash.slice(1);
  show(tabs.some((t) => t.dataset.tab === wanted) ? wanted : tabs[0]!.dataset.tab!);
}
