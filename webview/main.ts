/**
 * Entry of the Simulate Initialization webview (bundled to dist/webview.js, loaded by the page
 * from webview/page.ts). The simulation worker's script (simWorker.js) and the .wasm files of
 * the TF.js wasm backend lie beside this script.
 */
import { App } from './app';
import { Host } from './host';
import { registerToolkit } from './toolkit';

performance.mark('initlint:script');
// Only while this script runs synchronously does document.currentScript point at it.
const scriptUrl = (document.currentScript as HTMLScriptElement | null)?.src || location.href;
const assets = new URL('./', scriptUrl).href;

registerToolkit();
new App(new Host(), assets);
