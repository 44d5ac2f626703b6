/**
 * The one version number: package.json's. The OpenAPI document, the container image tag and the
 * Kubernetes manifests carry it too (a test checks they agree).
 */
import { createRequire } from 'node:module';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

/** The version of the service and of its HTTP contract (semantic versioning). */
export const API_VERSION: string = pkg.version;
