// Stand-in for VS Code's side of the webview, loaded by nonce before the app: acquireVsCodeApi
// records what the app posts and keeps its state (in sessionStorage, so a reload restores it, as
// VS Code does); 'ready' is answered with the fixture model, 'apply' and 'export' with replies
// like the extension's. Everything is exposed on window.__harness for the test.
(() => {
  const fixture = JSON.parse(document.getElementById('fixture').textContent);
  const h = (window.__harness = { posted: [], states: [], violations: [], version: 1, fixture });
  document.addEventListener('securitypolicyviolation', (e) => {
    h.violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
  });
  const send = (message) => window.postMessage(message, '*');
  h.sendModel = (model, extra = {}) => send({ type: 'model', model, version: ++h.version, ...extra });
  let state = JSON.parse(sessionStorage.getItem('vscode-state') || 'null') ?? undefined;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called only once');
    acquired = true;
    return {
      postMessage(message) {
        const copy = JSON.parse(JSON.stringify(message));
        h.posted.push(copy);
        if (copy.type === 'ready') setTimeout(() => send({ type: 'model', model: fixture, version: h.version }), 0);
        if (copy.type === 'apply') {
          setTimeout(() => {
            send({ type: 'applied', requestId: copy.requestId, ok: true, message: `Applied ${copy.groups.map((g) => `${g.choice} to ${g.layers.length} layer(s)`).join(', ')}.` });
            // The extension re-sends the model once the edited source is linted again.
            setTimeout(() => h.sendModel(fixture), 50);
          }, 10);
        }
        if (copy.type === 'export') setTimeout(() => send({ type: 'exported', requestId: copy.requestId, ok: true, message: `Saved ${copy.suggestedName}.` }), 10);
      },
      getState: () => state,
      setState(next) {
        state = JSON.parse(JSON.stringify(next));
        h.states.push(state);
        sessionStorage.setItem('vscode-state', JSON.stringify(state));
      },
    };
  };
  document.addEventListener('DOMContentLoaded', () => document.body.classList.add('vscode-dark'));
})();
