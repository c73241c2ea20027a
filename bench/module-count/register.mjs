// Preloaded with `node --import` by `npm run bench` to count the files the server loads before it
// exits: every module a loader hook sees (the hooks run on their own thread and report through a
// MessagePort) and every CommonJS file compiled through `Module._extensions` (which, depending on
// the Node version, `require()` calls do not show the hooks), counted once each. The count is
// written to MODULE_COUNT_FILE at exit.
import { writeFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';

const loaded = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => loaded.add(url));
port1.unref();
register('./hooks.mjs', import.meta.url, {
  data: { port: port2 },
  transferList: [port2],
});

const compileJs = Module._extensions['.js'];
Module._extensions['.js'] = function countedJs(module, filename) {
  loaded.add(pathToFileURL(filename).href);
  return compileJs.call(this, module, filename);
};

process.on('exit', () => {
  if (!process.env.MODULE_COUNT_FILE) return;
  const urls = [...loaded];
  writeFileSync(
    process.env.MODULE_COUNT_FILE,
    JSON.stringify({
      modules: urls.length,
      fromNodeModules: urls.filter((url) => url.includes('/node_modules/'))
        .length,
    }),
  );
});
