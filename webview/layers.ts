/**
 * The per-layer list: what each layer is, a choice to compare on that layer only, and
 * "Apply to code" for that layer. Rows are built once per model and updated in place, so a
 * dropdown keeps its focus while the panel re-runs.
 */
import type { InitChoice, SimLayer, SimModel } from '../src/protocol';
import { applicableChoice, CHOICE_LABELS, CHOICE_OPTIONS, isInitChoice } from './labels';
import { createButton, createDropdown, onChange, onClick, setDisabled, setValue } from './toolkit';

export interface LayerListHandlers {
  /** A layer's own choice changed; undefined: follow the panel-wide choice again. */
  choose(layer: number, choice: InitChoice | undefined): void;
  apply(layer: number, choice: InitChoice): void;
}

/**
 * What "Apply" does for a layer: the initializer to write, or why nothing (`skip`: the layer
 * already draws that way, or has no safe edit, as the extension said in the model).
 */
export function applyTarget(model: SimModel, layer: SimLayer, choice: InitChoice): { choice?: InitChoice; reason?: string; skip?: boolean } {
  if (model.preset) return { reason: 'The preset has no source code to change.' };
  if (choice === 'current') return { reason: 'Choose an initializer to compare first.' };
  const target = applicableChoice(choice, layer);
  if (choice === 'lsuv') {
    // An orthogonal kernel with the gain this layer's LSUV run arrived at.
    const option = layer.apply?.orthogonal;
    if (!option) return { reason: "This model was read by an older version: read it again to write LSUV's gains." };
    return option.edit ? { choice } : { reason: option.reason, skip: true };
  }
  if (choice === 'pretrained')
    return { reason: 'Pretrained kernels are learned from these inputs, not drawn from a distribution: there is no initializer to write.' };
  if (!target)
    return {
      reason: `${CHOICE_LABELS[choice]} cannot be written to the source: compare with He normal, He uniform, Glorot uniform, LeCun normal or Recommended.`,
    };
  const option = layer.apply?.[target as keyof NonNullable<SimLayer['apply']>];
  if (option && !option.edit) return { reason: option.reason, skip: true };
  return { choice: target };
}

/** The Apply button's name for a choice: LSUV's is short, its gain is in the table. */
export const applyLabel = (choice: InitChoice): string => (choice === 'lsuv' ? "LSUV's gain" : CHOICE_LABELS[choice]);

/** What Apply writes, in its tooltip. */
const applyWhat = (choice: InitChoice): string =>
  choice === 'lsuv' ? "an orthogonal kernel with the gain LSUV measured on these inputs (the table's Initializer column)" : CHOICE_LABELS[choice];

interface Row {
  dropdown: HTMLElement;
  follow: HTMLElement;
  button: HTMLElement;
  /** Why the layer has no Apply button for the current choice. */
  note: HTMLElement;
  target?: InitChoice;
}

export class LayerList {
  private rows: Row[] = [];
  private blocked?: string;

  constructor(
    private readonly container: HTMLElement,
    private readonly handlers: LayerListHandlers,
  ) {}

  /** Build the rows for a model; `fans` are the fans as simulated. */
  render(model: SimModel, fans: Array<{ fanIn: number; units: number }>, overrides: Record<number, InitChoice>): void {
    this.rows = [];
    const elements = model.layers.map((layer, i) => this.row(layer, i, fans[i], overrides[i]));
    this.container.replaceChildren(...elements);
  }

  /** No rows (a new model's list comes after its first chart). */
  clear(): void {
    this.rows = [];
    this.container.replaceChildren();
  }

  /** While set (an edit is being applied), every Apply button is off with this reason. */
  block(reason: string | undefined): void {
    this.blocked = reason;
  }

  /** Refresh the "as above" labels and the Apply buttons for the current choices. */
  update(model: SimModel, compare: InitChoice, overrides: Record<number, InitChoice>): void {
    this.rows.forEach((row, i) => {
      const layer = model.layers[i];
      row.follow.textContent = 'Same as above';
      row.follow.title = CHOICE_LABELS[compare];
      setValue(row.dropdown, overrides[i] ?? '');
      const target = applyTarget(model, layer, overrides[i] ?? compare);
      row.target = target.choice;
      row.button.textContent = target.choice ? `Apply ${applyLabel(target.choice)}` : 'Apply to code';
      row.button.title = this.blocked ?? target.reason ?? `Write ${target.choice ? applyWhat(target.choice) : ''} into the source for ${layer.label}`;
      setDisabled(row.button, Boolean(this.blocked) || !target.choice);
      // Where the choice would change nothing, no button: the row says why instead.
      row.button.hidden = Boolean(target.skip);
      row.note.textContent = target.skip ? (target.reason ?? '') : '';
    });
  }

  private row(layer: SimLayer, i: number, fans: { fanIn: number; units: number }, override: InitChoice | undefined): HTMLElement {
    const row = document.createElement('div');
    row.className = 'layer-row';
    row.dataset.layer = String(i);

    const name = document.createElement('div');
    name.className = 'layer-name';
    const strong = document.createElement('strong');
    strong.textContent = layer.label;
    const detail = document.createElement('span');
    detail.className = 'hint';
    const fanIn = layer.fanIn === undefined ? `${fans.fanIn} (assumed)` : String(fans.fanIn);
    // A convolution's fan_in is per patch: the receptive field times the input channels (3 × 3 × 3 = 27).
    const channels = fans.fanIn / layer.receptiveField;
    const perPatch =
      layer.kind === 'dense'
        ? ''
        : Number.isInteger(channels)
          ? ` per patch (fan_in = receptive field ${layer.receptiveField} × ${channels} input channel${channels === 1 ? '' : 's'})`
          : ` per patch (receptive field ${layer.receptiveField})`;
    detail.textContent = `${layer.normalizedInput ? 'normalized input · ' : ''}${fanIn} → ${fans.units}${perPatch} · ${layer.activation.name}${layer.normalized ? ' + norm' : ''} · ${layer.kernel.label}`;
    name.append(strong, document.createElement('br'), detail);
    for (const f of layer.findings) {
      const badge = document.createElement('span');
      badge.className = `finding ${f.severity}`;
      badge.textContent = f.code;
      badge.title = f.message;
      name.append(' ', badge);
    }

    const dropdown = createDropdown([{ value: '', label: 'Same as above' }, ...CHOICE_OPTIONS], override ?? '', `Compare ${layer.label} with`);
    dropdown.classList.add('layer-choice');
    onChange(dropdown, (value) => this.handlers.choose(i, isInitChoice(value) ? value : undefined));

    const button = createButton('Apply to code');
    button.classList.add('apply-layer');
    const note = document.createElement('span');
    note.className = 'hint apply-note';
    const entry: Row = { dropdown, follow: dropdown.firstElementChild as HTMLElement, button, note };
    onClick(button, () => entry.target && this.handlers.apply(i, entry.target));
    this.rows.push(entry);

    row.append(name, dropdown, button, note);
    return row;
  }
}
