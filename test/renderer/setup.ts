/**
 * jsdom set-up for the renderer tests: jest-dom matchers, a clean DOM and store after each test,
 * and the browser APIs Mantine expects but jsdom lacks.
 */
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { setApi } from '../../renderer/src/api/client.js';
import { resetDbtStore } from '../../renderer/src/store/dbt.js';
import { resetEntraStore } from '../../renderer/src/store/entra.js';
import { resetOktaStore } from '../../renderer/src/store/okta.js';
import { resetRotationStore } from '../../renderer/src/store/rotation.js';
import { resetStatusStore } from '../../renderer/src/store/status.js';
import { resetWizardStore } from '../../renderer/src/store/wizard.js';

afterEach(() => {
  cleanup();
  setApi(undefined);
  resetWizardStore();
  resetDbtStore();
  resetEntraStore();
  resetOktaStore();
  resetRotationStore();
  resetStatusStore();
  window.localStorage.clear();
});

Object.defineProperty(window, 'matchMedia', {
  writable: true,
  configurable: true,
  value: vi.fn((query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: vi.fn(),
    removeListener: vi.fn(),
    addEventListener: vi.fn(),
    removeEventListener: vi.fn(),
    dispatchEvent: vi.fn(() => false),
  })),
});

class ResizeObserverStub {
  observe(): void {
    // jsdom has no layout; nothing ever resizes.
  }
  unobserve(): void {
    // See observe.
  }
  disconnect(): void {
    // See observe.
  }
}
Object.defineProperty(window, 'ResizeObserver', {
  writable: true,
  configurable: true,
  value: ResizeObserverStub,
});

Element.prototype.scrollIntoView = vi.fn();

// jsdom does not implement computed styles of pseudo-elements, which Mantine may ask for.
const originalGetComputedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => originalGetComputedStyle(element);

// jsdom has no FontFaceSet; Mantine's autosizing Textarea listens to it for font loads.
if (!('fonts' in document)) {
  Object.defineProperty(document, 'fonts', {
    configurable: true,
    value: { addEventListener: vi.fn(), removeEventListener: vi.fn(), ready: Promise.resolve() },
  });
}
