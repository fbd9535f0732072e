/** The symmetry demo's result as a table: distinct units per layer, before → after training steps. */

export interface SymmetryRun {
  before: number[];
  after: number[];
}

export function renderSymmetry(box: HTMLElement, layers: string[], units: number[], runs: Array<{ name: string; run: SymmetryRun }>, steps?: number): void {
  const table = document.createElement('table');
  table.className = 'symmetry';
  const caption = document.createElement('caption');
  caption.textContent = `Distinct units per layer, before → after${steps ? ` ${steps}` : ''} training steps (identical units count once)`;
  const head = table.createTHead().insertRow();
  for (const title of ['Layer', 'Units', ...runs.map((r) => r.name)]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  layers.forEach((label, i) => {
    const tr = body.insertRow();
    tr.dataset.layer = String(i);
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label;
    tr.append(th);
    tr.insertCell().textContent = String(units[i]);
    for (const { name, run } of runs) {
      const td = tr.insertCell();
      td.dataset.run = name;
      td.textContent = `${run.before[i] ?? '—'} → ${run.after[i] ?? '—'}`;
    }
  });
  table.append(caption);
  box.replaceChildren(table);
}
