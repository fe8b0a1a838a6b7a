// Injected into the CommonJS bundle: what import.meta.url would be.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
