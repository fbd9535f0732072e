/** Turning the panel's results into files: the charts as one PNG, file names the extension accepts. */

/** A name for the save dialog that passes the extension's check (/^[\w.\- ]{1,100}$/). */
export function fileName(model: string, suffix: string, extension: 'png' | 'csv'): string {
  const base =
    model
      .replace(/[^\w.\- ]+/g, '_')
      .replace(/_+/g, '_')
      .replace(/^[_. ]+|[_. ]+$/g, '')
      .slice(0, 60) || 'model';
  return `${base}-${suffix}.${extension}`;
}

/**
 * The charts on one canvas, on the theme's editor background, under a title (what was
 * simulated, of which model and file): the two variance charts with their legends one under the
 * other, then the histograms in rows. Returns the PNG as base64 (no data: prefix).
 */
export function chartsPng(title: string, main: HTMLCanvasElement[], labelled: Array<{ canvas: HTMLCanvasElement; label: string }>): string {
  const gap = 16;
  const caption = 18 * devicePixelRatio;
  const heading = 28 * devicePixelRatio;
  const small = labelled.map((l) => l.canvas);
  const width = Math.max(...main.map((c) => c.width), ...small.map((c) => c.width), 1);
  const perRow = small.length ? Math.max(1, Math.floor((width + gap) / (small[0].width + gap))) : 1;
  const smallHeight = small.length ? small[0].height + caption : 0;
  const rows = Math.ceil(small.length / perRow);
  const height = heading + main.reduce((h, c) => h + c.height + gap, 0) + rows * (smallHeight + gap) + gap;

  const out = document.createElement('canvas');
  out.width = width + 2 * gap;
  out.height = height;
  const ctx = out.getContext('2d') as CanvasRenderingContext2D;
  const style = getComputedStyle(document.body);
  ctx.fillStyle = style.getPropertyValue('--vscode-editor-background').trim() || '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = style.getPropertyValue('--vscode-editor-foreground').trim() || '#000000';
  ctx.font = `${12 * devicePixelRatio}px ${style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`;
  ctx.textBaseline = 'top';
  const font = ctx.font;
  ctx.font = `bold ${15 * devicePixelRatio}px ${style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif'}`;
  ctx.fillText(title, gap, gap, out.width - 2 * gap);
  ctx.font = font;
  let y = gap + heading;
  for (const c of main) {
    ctx.drawImage(c, gap, y);
    y += c.height + gap;
  }
  labelled.forEach(({ canvas, label }, i) => {
    const x = gap + (i % perRow) * (canvas.width + gap);
    const top = y + Math.floor(i / perRow) * (smallHeight + gap);
    ctx.fillText(label, x, top, canvas.width);
    ctx.drawImage(canvas, x, top + caption);
  });
  return out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}
