/**
 * Implementations under test (protocol: docs/protocol.md): loading a module in process
 * ({@link loadModule}), wrapping an object in hand ({@link inProcess}), or starting a command that
 * speaks JSON Lines ({@link startCommand}),
 * both behind one interface, {@link Iut}, whose failures are {@link IutError}s.
 */
export type { Implementation, Iut } from './types.js';
export { IutError, type IutErrorCode, type IutRequest } from './errors.js';
export { parseDescription } from './description.js';
export { inProcess, loadModule, type LoadModuleOptions } from './module.js';
export { startCommand, type StartCommandOptions } from './jsonLines.js';
