// `node --conditions=@importlib/source --import ./register.mjs child.mjs`: see ts-hooks.mjs.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
