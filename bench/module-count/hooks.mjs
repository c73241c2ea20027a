// Loader hooks for register.mjs: reports the URL of every file whose source is loaded.
let port;

export function initialize(data) {
  port = data.port;
}

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (url.startsWith('file:')) port.postMessage(url);
  return result;
}
