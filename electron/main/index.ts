/**
 * The Electron main entry (out/main/index.js). Everything lives in app.ts; this file only
 * supplies the real services factory and the paths of the built preload and renderer.
 */
import { join } from 'node:path';
import { createServices } from '../services/container.js';
import { start } from './app.js';

const here = import.meta.dirname;

start({
  createServices,
  env: process.env,
  platform: process.platform,
  preloadPath: join(here, '../preload/index.cjs'),
  rendererDir: join(here, '../renderer'),
});
