/** The `initlint-server` bin: the language server on stdio (same as `initlint server`). */
import { startServer } from './server';

startServer();
