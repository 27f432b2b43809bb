import type { StateCreator } from 'zustand';
import type { Store } from './store.js';

export type Toast = { id: number; message: string; tone: 'error' | 'info' };

export type ToastsSlice = {
  toasts: Toast[];
};

export const createToastsSlice: StateCreator<Store, [], [], ToastsSlice> = () => ({
  toasts: [],
});
