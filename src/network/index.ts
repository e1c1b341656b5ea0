/** The network model: JSON shapes, packed forms, validation, errors and JSON in/out. */
export * from './types.js';
export * from './shape.js';
export * from './errors.js';
export * from './validate.js';
export * from './json.js';
