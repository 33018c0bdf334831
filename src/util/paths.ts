import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, whether running from src/ (tsx) or dist/ (compiled): both sit one level down. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const pkgPath = (...parts: string[]): string => resolve(PACKAGE_ROOT, ...parts);
