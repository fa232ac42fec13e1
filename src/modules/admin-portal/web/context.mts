import type { Api, ApiError } from './api.mjs';
import { h } from './dom.mjs';
import type { Session } from './session.mjs';

/** What every view gets: the API, the signed-in admin, and ways to talk to the admin. */
export interface Context {
  readonly api: Api;
  readonly session: Session;
  /** Says something to screen readers (the polite live region), e.g. "Import finished". */
  announce(message: string): void;
  /** Switches the network being administered (the header's picker follows). */
  switchNetwork(networkId: string): void;
}

/** A view renders into the main element and returns what stops it (timers, pending polls) when the route changes. */
export type View = (main: HTMLElement, context: Context) => (() => void) | void;

/** An inline error box: role="alert", so its sentence is read out when it appears. */
export function errorBox(): { element: HTMLElement; show(error: unknown): void; clear(): void } {
  const element = h('div', { class: 'error', role: 'alert', hidden: true });
  return {
    element,
    show(error: unknown) {
      element.textContent = messageOf(error);
      element.hidden = false;
    },
    clear() {
      element.textContent = '';
      element.hidden = true;
    },
  };
}

export function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}

export type { ApiError };
