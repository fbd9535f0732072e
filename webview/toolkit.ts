/**
 * The one module that touches @vscode/webview-ui-toolkit (deprecated upstream; swapping it
 * later should mean rewriting this file only): registration of the components the panel uses
 * and small typed helpers over their elements. Elsewhere they are plain HTMLElements.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodeDataGrid(),
    vsCodeDataGridCell(),
    vsCodeDataGridRow(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodeProgressRing(),
    vsCodeTextField(),
  );
}

/** The properties of the toolkit's elements this panel uses. */
interface ValueElement extends HTMLElement {
  value: string;
  disabled: boolean;
}
interface CheckboxElement extends HTMLElement {
  checked: boolean;
}
interface GridElement extends HTMLElement {
  gridTemplateColumns: string;
  columnDefinitions: Array<{ columnDataKey: string; title: string }> | null;
  rowsData: object[];
}

export interface Option {
  value: string;
  label: string;
  title?: string;
}

function option(o: Option): HTMLElement {
  const el = document.createElement('vscode-option');
  el.setAttribute('value', o.value);
  el.textContent = o.label;
  if (o.title) el.title = o.title;
  return el;
}

/** Replace a dropdown's options and select `value`. */
export function setOptions(dropdown: HTMLElement, options: readonly Option[], value: string): void {
  dropdown.replaceChildren(...options.map(option));
  setValue(dropdown, value);
}

export function createDropdown(options: readonly Option[], value: string, label: string): HTMLElement {
  const el = document.createElement('vscode-dropdown');
  el.setAttribute('aria-label', label);
  el.setAttribute('position', 'below');
  el.replaceChildren(...options.map(option));
  // The value takes once the options are upgraded; setting it after connecting is also safe.
  queueMicrotask(() => setValue(el, value));
  setValue(el, value);
  return el;
}

export function createButton(label: string, appearance: 'primary' | 'secondary' = 'secondary'): HTMLElement {
  const el = document.createElement('vscode-button');
  el.setAttribute('appearance', appearance);
  el.textContent = label;
  return el;
}

export function getValue(el: HTMLElement): string {
  return (el as ValueElement).value ?? '';
}

export function setValue(el: HTMLElement, value: string): void {
  (el as ValueElement).value = value;
}

export function setPlaceholder(el: HTMLElement, text: string): void {
  el.setAttribute('placeholder', text);
}

export function setDisabled(el: HTMLElement, disabled: boolean): void {
  (el as ValueElement).disabled = disabled;
  el.toggleAttribute('disabled', disabled);
}

export function isChecked(el: HTMLElement): boolean {
  return (el as CheckboxElement).checked;
}

export function setChecked(el: HTMLElement, checked: boolean): void {
  (el as CheckboxElement).checked = checked;
}

/** A committed change: a dropdown selection, a text field on Enter or blur, a checkbox toggle. */
export function onChange(el: HTMLElement, listener: (value: string) => void): void {
  el.addEventListener('change', () => listener(getValue(el)));
}

export function onClick(el: HTMLElement, listener: () => void): void {
  el.addEventListener('click', () => {
    if (!(el as ValueElement).disabled) listener();
  });
}

export function setBusy(ring: HTMLElement, busy: boolean): void {
  ring.hidden = !busy;
}

/** Fill the data grid: one column per key (with its relative width), rows as plain records of text. */
export function setGridData(
  grid: HTMLElement,
  columns: ReadonlyArray<{ key: string; title: string; width: number }>,
  rows: Array<Record<string, string>>,
): void {
  const g = grid as GridElement;
  // Each column at least wide enough for its numbers on one line (an exponent like 1.83e-6 in
  // the editor font, with the cell's padding); the grid as wide as its columns' sum, so a narrow
  // panel scrolls the grid instead of squeezing cells into each other.
  const unit = 56;
  g.gridTemplateColumns = columns.map((c) => `minmax(${Math.round(c.width * unit)}px, ${c.width}fr)`).join(' ');
  g.style.minWidth = `${Math.round(columns.reduce((sum, c) => sum + c.width * unit, 0))}px`;
  g.columnDefinitions = columns.map((c) => ({ columnDataKey: c.key, title: c.title }));
  g.rowsData = rows;
}
