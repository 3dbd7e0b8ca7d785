// What the user is told, one message per place that tells it: done (something went well and is
// worth saying), warning (it stopped or did less than asked, nothing broke) or error (a refusal or
// failure). Panels show their place's message, styled by its kind (components/Message).
import { create } from 'zustand';
import { Declined } from '../lib/replace';

export type MessageKind = 'done' | 'warning' | 'error';

/**
 * Where a message shows: the app's banner, the link to Tomoseg, the project bar, the import
 * prompt, the panels, and the cluster dialog.
 */
export type MessagePlace = 'app' | 'connection' | 'project' | 'import' | 'labels' | 'model' | 'mesh' | 'cluster';

export interface Message {
  kind: MessageKind;
  text: string;
  /** What it is about ("Could not open scan.tif"), shown above the text where given. */
  title?: string;
}

export const useMessages = create<{ byPlace: Partial<Record<MessagePlace, Message>> }>()(() => ({ byPlace: {} }));

export function say(place: MessagePlace, kind: MessageKind, text: string, title?: string): void {
  const message: Message = title === undefined ? { kind, text } : { kind, text, title };
  useMessages.setState((state) => ({ byPlace: { ...state.byPlace, [place]: message } }));
}

/** A refused call or a failure, as its error says it (not the user's own "don't replace"). */
export function sayError(place: MessagePlace, error: unknown, title?: string): void {
  if (!(error instanceof Declined)) say(place, 'error', errorMessage(error), title);
}

export function clearMessage(place: MessagePlace): void {
  if (!useMessages.getState().byPlace[place]) return;
  useMessages.setState((state) => {
    const byPlace = { ...state.byPlace };
    delete byPlace[place];
    return { byPlace };
  });
}

export const messageAt = (place: MessagePlace): Message | undefined => useMessages.getState().byPlace[place];

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
