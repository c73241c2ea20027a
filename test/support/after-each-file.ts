import { afterAll } from 'vitest';
import { removeScratchDirectories } from './scratch.js';

// A setup file runs before every test file, also where files share a worker's modules
// (`isolate: false`), so every file that made scratch folders removes them. Hooks run in
// reverse order of registration: this one, registered first, runs after the file's own hooks
// have stopped the servers that used the folders.
afterAll(removeScratchDirectories);
